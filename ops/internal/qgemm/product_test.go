package qgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// eachKernel runs f as a subtest with every kernel of this build and CPU
// in use in turn.
func eachKernel(t *testing.T, f func(t *testing.T, k *Kernel)) {
	for _, k := range Kernels() {
		t.Run(strings.ReplaceAll(k.Name, " ", "-"), func(t *testing.T) {
			old := Use(k)
			defer Use(old)
			f(t, k)
		})
	}
}

// sentinel fills guard bands and the gaps between rows: a kernel writing
// outside its output changes one.
const sentinel = 0xa5

// guardBytes is the width of the guard bands around outputs.
const guardBytes = 64

// banded returns n bytes of sentinels inside guard bands, and the whole.
func banded(n int) (full, mid []byte) {
	full = make([]byte, n+2*guardBytes)
	for i := range full {
		full[i] = sentinel
	}
	return full, full[guardBytes : guardBytes+n]
}

// fillKind chooses how test matrices are filled.
type fillKind int

const (
	fillRandom  fillKind = iota
	fillExtreme          // only the extremes of the type and zero
	fillHigh             // the type's largest value everywhere
	fillLow              // the type's smallest value everywhere
	fillNo128            // A: extremes that pack to -127 and 127, never -128; B: fillExtreme
)

// randMatrix is an r×c matrix of random 8-bit values.
func randMatrix(rng *rand.Rand, r, c int, signed bool, fill fillKind) Matrix {
	m := Matrix{Data: make([]byte, r*c), RS: c, CS: 1, Signed: signed}
	lo, hi := byte(0), byte(255)
	if signed {
		lo, hi = 0x80, 0x7f
	}
	for i := range m.Data {
		switch fill {
		case fillRandom:
			m.Data[i] = byte(rng.IntN(256))
		case fillExtreme:
			m.Data[i] = [...]byte{lo, hi, 0}[rng.IntN(3)]
		case fillHigh:
			m.Data[i] = hi
		case fillLow:
			m.Data[i] = lo
		case fillNo128:
			m.Data[i] = [...]byte{lo + 1, hi, lo ^ 0x80}[rng.IntN(3)] // lo ^ 0x80 packs to 0
		}
	}
	return m
}

// refSum is Σ_k (a(i,k) + sa)·(b(k,j) + sb) wrapped to int32: the product
// of the packed values, a Flip shift sa and sb added to the originals.
func refSum(a, b *Matrix, i, j, k int, sa, sb int32) int32 {
	var s int64
	for kk := range k {
		s += int64(a.at(i, kk)+sa) * int64(b.at(kk, j)+sb)
	}
	return int32(s)
}

// randVec is n random int32 values below bound in magnitude (nil when
// bound is 0).
func randVec(rng *rand.Rand, n int, bound int32) []int32 {
	if bound == 0 {
		return nil
	}
	v := make([]int32, n)
	for i := range v {
		v[i] = rng.Int32N(2*bound) - bound
	}
	return v
}

// randEpilogue is an epilogue of the given mode for an m×n product, its
// vectors padded for the current kernel.
func randEpilogue(rng *rand.Rand, k *Kernel, m, n int, mode Mode) Epilogue {
	rows, cols := k.RowPanels(m)*k.MR, k.ColPanels(n)*k.NR
	e := Epilogue{Mode: mode, RowOff: randVec(rng, rows, 1<<20), ColOff: randVec(rng, cols, 1<<20)}
	if rng.IntN(2) == 0 {
		e.RowMul, e.ColMul = randVec(rng, rows, 300), randVec(rng, cols, 1<<16)
	}
	if rng.IntN(3) == 0 {
		e.RowOff = nil
	}
	if rng.IntN(3) == 0 {
		e.ColOff = nil
	}
	e.ScaleCols = rng.IntN(2) == 0
	ns := rows
	if e.ScaleCols {
		ns = cols
	}
	e.Scale = make([]float32, ns)
	for i := range e.Scale {
		e.Scale[i] = float32(math.Exp(rng.Float64()*8 - 14)) // 2^-20 .. 2^-9
		if rng.IntN(17) == 0 {
			e.Scale[i] = [...]float32{0, float32(math.NaN()), float32(math.Inf(1)), 1e-30, 3}[rng.IntN(5)]
		}
	}
	zp := int32(rng.IntN(256))
	e.Zp, e.Lo, e.Hi = zp, float32(0)-float32(zp), float32(255)-float32(zp)
	if rng.IntN(2) == 0 {
		zp -= 128
		e.Zp, e.Lo, e.Hi = zp, float32(-128)-float32(zp), float32(127)-float32(zp)
	}
	if rng.IntN(4) == 0 { // a Relu6-like narrower range
		e.Lo, e.Hi = max(e.Lo, 0), min(e.Hi, 40)
	}
	return e
}

// refStore is element (i, j) of the product as e stores it, from sum s.
func refStore(e *Epilogue, i, j int, s int32) []byte {
	if e.RowOff != nil {
		s += e.RowOff[i]
	}
	if e.ColOff != nil {
		s += e.ColOff[j]
	}
	if e.RowMul != nil {
		s += e.RowMul[i] * e.ColMul[j]
	}
	var scale float32
	switch {
	case e.Mode == Int32:
	case e.ScaleCols:
		scale = e.Scale[j]
	default:
		scale = e.Scale[i]
	}
	switch e.Mode {
	case Int32:
		return le32(uint32(s))
	case Float:
		return le32(math.Float32bits(float32(s) * scale))
	}
	v := float64(float32(s) * scale)
	if !(v >= float64(e.Lo)) {
		v = float64(e.Lo)
	} else if v > float64(e.Hi) {
		v = float64(e.Hi)
	}
	return []byte{byte(int32(math.RoundToEven(v)) + e.Zp)}
}

func le32(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }

// TestProduct checks every kernel's products, packed rows by packed
// columns, against the plain sums for sizes around the tiles, depths up
// to 37 (odd and even step counts), both signednesses of both operands,
// extreme values (with and without -128 in A), every epilogue mode, with
// guard bands and gaps between the output rows.
func TestProduct(t *testing.T) {
	eachKernel(t, func(t *testing.T, k *Kernel) {
		rng := rand.New(rand.NewPCG(3, 4))
		ms := []int{1, k.MR - 1, k.MR, k.MR + 1, 2*k.MR + 3}
		ns := []int{1, k.NR - 1, k.NR, k.NR + 5, 2*k.NR + 1}
		depths := []int{0, 1, 3, 4, 5, 8, 11, 13, 37}
		if testing.Short() {
			depths = []int{0, 5, 13}
		}
		for _, m := range ms {
			for _, n := range ns {
				for _, depth := range depths {
					for trial := range 3 {
						fill := fillKind(rng.IntN(5))
						if trial == 0 {
							fill = fillRandom
						}
						aSigned, bSigned := rng.IntN(2) == 0, rng.IntN(2) == 0
						mode := Mode(rng.IntN(3))
						label := fmt.Sprintf("%dx%dx%d a signed %v b signed %v fill %d mode %d", m, n, depth, aSigned, bSigned, fill, mode)
						checkProduct(t, rng, k, label, m, n, depth, aSigned, bSigned, fill, mode)
					}
				}
			}
		}
	})
}

// checkProduct runs one random product and compares it with refSum.
func checkProduct(t *testing.T, rng *rand.Rand, k *Kernel, label string, m, n, depth int, aSigned, bSigned bool, fill fillKind, mode Mode) {
	t.Helper()
	checkProductRuns(t, rng, k, label, m, n, depth, aSigned, bSigned, fill, mode, 0, 0)
}

// checkProductRuns is checkProduct with, when run > 0, B's steps moved
// out of their panels into runs of run steps stride bytes apart (see
// spreadRuns).
func checkProductRuns(t *testing.T, rng *rand.Rand, k *Kernel, label string, m, n, depth int, aSigned, bSigned bool, fill fillKind, mode Mode, run, stride int) {
	t.Helper()
	a := randMatrix(rng, m, depth, aSigned, fill)
	bFill := fill
	if fill == fillNo128 { // A without -128 (kernels may add two products in int16), B's extremes
		bFill = fillExtreme
	}
	b := randMatrix(rng, depth, n, bSigned, bFill) // K×N
	kq, kIdx := Steps(depth), Linear(depth)
	pa := make([]byte, k.RowsLen(m, kq))
	rowSums := make([]int32, k.RowPanels(m)*k.MR)
	k.PackRows(pa, rowSums, a, m, kIdx, 0, k.RowPanels(m))
	pbFull, pb := banded(k.ColsLen(n, kq))
	colSums := make([]int32, k.ColPanels(n)*k.NR)
	k.PackCols(pb, colSums, Matrix{Data: b.Data, RS: 1, CS: n, Signed: bSigned}, n, kIdx, 0, k.ColPanels(n))
	sa, sb := k.Shift(aSigned, false), k.Shift(bSigned, true)
	for i := range m {
		want := int32(0)
		for kk := range depth {
			want += a.at(i, kk) + sa
		}
		if rowSums[i] != want {
			t.Fatalf("%s: row %d sum %d, want %d", label, i, rowSums[i], want)
		}
	}
	e := randEpilogue(rng, k, m, n, mode)
	es := mode.size()
	ldc := n*es + 3
	outFull, out := banded((m-1)*ldc + n*es)
	p := Product{M: m, N: n, KQ: kq, A: pa, B: pb, Offs: k.PanelOffsets(kq), PanelStep: k.NR * 4 * kq,
		Hp: 1, Wp: n, H: 1, W: n, Out: out, Ldc: ldc, Ep: e}
	if run > 0 {
		p.B, p.Offs, p.PanelStep = spreadRuns(rng, k, pb, k.ColPanels(n), kq, run, stride)
	}
	if err := p.Check(); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	p.Run(0, p.Tiles())
	for i := range m {
		for j := range n {
			want := refStore(&e, i, j, refSum(&a, &b, i, j, depth, sa, sb))
			if got := out[i*ldc+j*es : i*ldc+j*es+es]; string(got) != string(want) {
				t.Fatalf("%s: element (%d, %d) is %v, want %v (scale %v)", label, i, j, got, want, e.Scale)
			}
		}
		if i < m-1 {
			checkSentinels(t, label, out[i*ldc+n*es:(i+1)*ldc])
		}
	}
	checkSentinels(t, label, outFull[:guardBytes])
	checkSentinels(t, label, outFull[len(outFull)-guardBytes:])
	checkSentinels(t, label+" (packed B's guard)", pbFull[:guardBytes])
}

// spreadRuns copies the panels packed B (cp panels of kq steps) into a
// buffer where each panel's steps lie in runs of run steps stride bytes
// apart (descending when stride is negative), the runs in random order
// with gaps of a few bytes, and returns it with the offsets and panel
// step that read it.
func spreadRuns(rng *rand.Rand, k *Kernel, pb []byte, cp, kq, run, stride int) ([]byte, []int32, int) {
	w := k.NR * 4
	extent := (run-1)*max(stride, -stride) + w // the bytes of one run
	order := rng.Perm(kq / run)
	starts := make([]int, len(order))
	end := 0
	for _, r := range order {
		end += rng.IntN(8)
		starts[r] = end
		end += extent
	}
	offs := make([]int32, kq)
	for s := range offs {
		o := starts[s/run] + s%run*stride
		if stride < 0 {
			o += extent - w
		}
		offs[s] = int32(o)
	}
	step := end + rng.IntN(5)
	b := make([]byte, cp*step)
	for q := range cp {
		for s, o := range offs {
			copy(b[q*step+int(o):][:w], pb[q*w*kq+s*w:])
		}
	}
	return b, offs, step
}

// TestRuns checks products whose B steps come in runs of evenly spaced
// offsets (a convolution's channel quads under one tap), which kernels
// with runs read one offset a run, against the plain sums: runs of 4 to
// 9 steps at strides of a step's columns and more, ascending and
// descending, one run or several, A with and without -128.
func TestRuns(t *testing.T) {
	eachKernel(t, func(t *testing.T, k *Kernel) {
		rng := rand.New(rand.NewPCG(19, 20))
		for _, rs := range [][2]int{{4, 1}, {5, 3}, {6, 2}, {7, 1}, {9, 2}, {4, 5}, {8, 4}} {
			run, runs := rs[0], rs[1]
			for _, extra := range []int{0, 12, -1} {
				stride := k.NR*4 + extra
				if extra < 0 {
					stride = -k.NR*4 - 20
				}
				m, n := 2*k.MR+1, k.NR+5
				mode := Mode(rng.IntN(3))
				label := fmt.Sprintf("%d runs of %d at stride %d mode %d", runs, run, stride, mode)
				fill := [...]fillKind{fillRandom, fillNo128}[rng.IntN(2)] // A with -128 or without
				label += fmt.Sprintf(" fill %d", fill)
				checkProductRuns(t, rng, k, label, m, n, 4*run*runs, true, rng.IntN(2) == 0, fill, mode, run, stride)
			}
		}
	})
}

// TestEvenRuns checks the runs a kernel is told of: a convolution's
// (taps of evenly spaced quads), one run, and none where a run is short
// or uneven.
func TestEvenRuns(t *testing.T) {
	for _, c := range []struct {
		offs        []int32
		run, stride int
	}{
		{[]int32{0, 48, 96, 144, 7, 55, 103, 151}, 4, 48},
		{[]int32{0, 48, 96, 144, 192, 240}, 6, 48},
		{[]int32{400, 300, 200, 100, 0, 1000, 900, 800, 700, 600}, 5, -100},
		{[]int32{0, 48, 96}, 0, 0},
		{[]int32{0, 48, 96, 7, 55, 103}, 0, 0},
		{[]int32{0, 48, 96, 144, 7, 55, 103, 150}, 0, 0},
		{[]int32{0, 48, 96, 144, 192, 7, 55, 103}, 0, 0},
	} {
		if run, stride := evenRuns(c.offs); run != c.run || stride != c.stride {
			t.Errorf("evenRuns(%v) = %d, %d; want %d, %d", c.offs, run, stride, c.run, c.stride)
		}
	}
}

// checkSentinels fails unless b holds only sentinels.
func checkSentinels(t *testing.T, label string, b []byte) {
	t.Helper()
	for i, v := range b {
		if v != sentinel {
			t.Fatalf("%s: byte %d outside the output overwritten (%#x)", label, i, v)
		}
	}
}

// TestGrid checks that columns of a padded grid land at their output
// positions and the padding columns are dropped, for grids narrower and
// wider than a tile.
func TestGrid(t *testing.T) {
	eachKernel(t, func(t *testing.T, k *Kernel) {
		rng := rand.New(rand.NewPCG(5, 6))
		for i, g := range [][4]int{{3, 5, 2, 3}, {2, 40, 2, 37}, {4, 9, 3, 7}, {1, 70, 1, 64}, {5, 12, 5, 12}, {9, 9, 7, 7}, {58, 58, 56, 56}} {
			hp, wp, h, w := g[0], g[1], g[2], g[3]
			mode := Mode(i % 3)
			es := mode.size()
			planes, m, depth := 2, k.MR+1, 9
			n := (planes-1)*hp*wp + (h-1)*wp + w
			a := randMatrix(rng, m, depth, true, fillRandom)
			b := randMatrix(rng, depth, n, false, fillRandom)
			kq, kIdx := Steps(depth), Linear(depth)
			pa := make([]byte, k.RowsLen(m, kq))
			k.PackRows(pa, make([]int32, k.RowPanels(m)*k.MR), a, m, kIdx, 0, k.RowPanels(m))
			pb := make([]byte, k.ColsLen(n, kq))
			k.PackCols(pb, make([]int32, k.ColPanels(n)*k.NR), Matrix{Data: b.Data, RS: 1, CS: n}, n, kIdx, 0, k.ColPanels(n))
			e := randEpilogue(rng, k, m, n, mode)
			ld := planes * h * w * es
			outFull, out := banded(m * ld)
			p := Product{M: m, N: n, KQ: kq, A: pa, B: pb, Offs: k.PanelOffsets(kq), PanelStep: k.NR * 4 * kq,
				Hp: hp, Wp: wp, H: h, W: w, Out: out, Ldc: ld, Ep: e}
			if err := p.Check(); err != nil {
				t.Fatal(err)
			}
			p.Run(0, p.Tiles())
			label := fmt.Sprintf("grid %v", g)
			sb := k.Shift(false, true)
			for i := range m {
				for j := range n {
					o := p.outCol(j)
					if o < 0 {
						continue
					}
					want := refStore(&e, i, j, refSum(&a, &b, i, j, depth, 0, sb))
					if got := out[i*ld+o*es : i*ld+o*es+es]; string(got) != string(want) {
						t.Fatalf("%s mode %d: row %d column %d (output %d) is %v, want %v", label, mode, i, j, o, got, want)
					}
				}
			}
			checkSentinels(t, label, outFull[:guardBytes])
			checkSentinels(t, label, outFull[len(outFull)-guardBytes:])
		}
	})
}

// TestRowMajor checks a product whose A is too large to stay in cache
// across its column panels (walked row panel by row panel) on every
// kernel.
func TestRowMajor(t *testing.T) {
	if testing.Short() {
		t.Skip("a product of 70 million multiply-adds per kernel")
	}
	eachKernel(t, func(t *testing.T, k *Kernel) {
		rng := rand.New(rand.NewPCG(17, 18))
		m, n := 2*k.MR+1, 2*k.NR+3
		depth := rowMajorBytes/m + 40
		checkProduct(t, rng, k, "row-major", m, n, depth, true, false, fillRandom, Byte)
	})
}

// TestKernels logs the kernels the tests run on this CPU (each test runs
// every one of them) and the one in use, and checks that maxTileBytes
// bounds their tiles.
func TestKernels(t *testing.T) {
	for _, k := range Kernels() {
		t.Logf("kernel %s (%dx%d, columns signed %v)", k.Name, k.MR, k.NR, k.ColsSigned)
		if k.MR*k.NR*4 > maxTileBytes {
			t.Errorf("kernel %s: a tile of %d bytes, maxTileBytes %d", k.Name, k.MR*k.NR*4, maxTileBytes)
		}
	}
	t.Logf("in use: %s", Current().Name)
}

// TestRunChunks runs a product's tiles in chunks of one to five, as
// parallel loops do, with -128 in one row of A only: the kernels
// that add two products in int16 where A holds no -128 (tileEp.pairs)
// must find it for the row panels of each chunk.
func TestRunChunks(t *testing.T) {
	eachKernel(t, func(t *testing.T, k *Kernel) {
		rng := rand.New(rand.NewPCG(23, 24))
		m, n, depth := 3*k.MR, 2*k.NR+1, 37
		a := randMatrix(rng, m, depth, true, fillNo128)
		for kk := range depth { // products of -128·-128 two by two overflow int16
			a.Data[(k.MR+1)*depth+kk] = 0x80
		}
		b := randMatrix(rng, depth, n, true, fillLow)
		kq, kIdx := Steps(depth), Linear(depth)
		pa := make([]byte, k.RowsLen(m, kq))
		k.PackRows(pa, make([]int32, k.RowPanels(m)*k.MR), a, m, kIdx, 0, k.RowPanels(m))
		pb := make([]byte, k.ColsLen(n, kq))
		k.PackCols(pb, make([]int32, k.ColPanels(n)*k.NR), Matrix{Data: b.Data, RS: 1, CS: n, Signed: true}, n, kIdx, 0, k.ColPanels(n))
		sb := k.Shift(true, true)
		for chunk := 1; chunk <= 5; chunk++ {
			out := make([]byte, m*n*4)
			p := Product{M: m, N: n, KQ: kq, A: pa, B: pb, Offs: k.PanelOffsets(kq), PanelStep: k.NR * 4 * kq,
				Hp: 1, Wp: n, H: 1, W: n, Out: out, Ldc: n * 4, Ep: Epilogue{Mode: Int32}}
			if err := p.Check(); err != nil {
				t.Fatal(err)
			}
			for lo := 0; lo < p.Tiles(); lo += chunk {
				p.Run(lo, min(lo+chunk, p.Tiles()))
			}
			for i := range m {
				for j := range n {
					want := le32(uint32(refSum(&a, &b, i, j, depth, 0, sb)))
					if got := out[(i*n+j)*4:][:4]; string(got) != string(want) {
						t.Fatalf("chunks of %d: element (%d, %d) is %v, want %v", chunk, i, j, got, want)
					}
				}
			}
		}
	})
}
