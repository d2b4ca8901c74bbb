package dwconv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// guard is the number of NaN sentinels on each side of a tested buffer.
const guard = 64

// guarded returns a buffer of n values inside NaN guard bands, and the
// middle part, filled with random values in [-1, 1).
func guarded(rng *rand.Rand, n int) (full, mid []float32) {
	full = make([]float32, n+2*guard)
	for i := range full {
		full[i] = float32(math.NaN())
	}
	mid = full[guard : guard+n]
	for i := range mid {
		mid[i] = rng.Float32()*2 - 1
	}
	return full, mid
}

// reference computes one output plane in float64 from the definition,
// and the magnitude of what each output sums (for the tolerance).
func reference(s Shape, x, w []float32, bias float32, res []float32, e *Epilogue) (want, mag []float64) {
	want, mag = make([]float64, s.OutH*s.OutW), make([]float64, s.OutH*s.OutW)
	for oh := range s.OutH {
		for ow := range s.OutW {
			o := oh*s.OutW + ow
			acc, m := float64(bias), math.Abs(float64(bias))
			for kh := range s.KH {
				for kw := range s.KW {
					ih, iw := oh*s.StrideH-s.PadTop+kh*s.DilH, ow*s.StrideW-s.PadLeft+kw*s.DilW
					if ih < 0 || ih >= s.InH || iw < 0 || iw >= s.InW {
						continue
					}
					p := float64(w[kh*s.KW+kw]) * float64(x[ih*s.InW+iw])
					acc, m = acc+p, m+math.Abs(p)
				}
			}
			if res != nil {
				acc, m = acc+float64(res[o]), m+math.Abs(float64(res[o]))
			}
			want[o], mag[o] = activate64(acc, e), m
		}
	}
	return want, mag
}

// activate64 is e's activation in float64.
func activate64(v float64, e *Epilogue) float64 {
	a, b := float64(e.Alpha), float64(e.Beta)
	switch e.Act {
	case Clamp:
		if math.IsNaN(v) {
			return v
		}
		return math.Min(math.Max(v, float64(e.Lo)), float64(e.Hi))
	case LeakyRelu:
		if v < 0 {
			return a * v
		}
	case HardSwish:
		if math.IsNaN(v) {
			return v
		}
		return v * math.Min(math.Max(a*v+b, 0), 1)
	case Swish:
		return v / (1 + math.Exp(-a*v))
	}
	return v
}

// epilogues are the activations every kernel is tested with.
var epilogues = []Epilogue{
	{Act: None},
	{Act: Clamp, Lo: 0, Hi: float32(math.Inf(1))},
	{Act: Clamp, Lo: -0.25, Hi: 0.5},
	{Act: LeakyRelu, Alpha: 0.1},
	{Act: HardSwish, Alpha: 1.0 / 6, Beta: 0.5},
	{Act: HardSwish, Alpha: 2, Beta: 0.25},
	{Act: Swish, Alpha: 1},
	{Act: Swish, Alpha: 3},
}

// planeCase is one plane to compute and check.
type planeCase struct {
	s              Shape
	padBot, padRig int
	res            bool
	e              Epilogue
}

// shape fills in the output size from the input, kernel and paddings.
func (c *planeCase) shape() bool {
	s := &c.s
	eh, ew := (s.KH-1)*s.DilH+1, (s.KW-1)*s.DilW+1
	h, w := s.InH+s.PadTop+c.padBot, s.InW+s.PadLeft+c.padRig
	if eh > h || ew > w {
		return false
	}
	s.OutH, s.OutW = (h-eh)/s.StrideH+1, (w-ew)/s.StrideW+1
	return true
}

// check computes the case with kernel k and compares it with the
// reference: every output within tolerance (NaN where the reference is
// NaN), nothing written outside y, nothing read outside x (its NaN guard
// bands would show). When the plan has a blocked form, it checks that too
// (checkBlock). It reports whether the kernel computed the rows, and
// whether in the blocked form too.
func (c *planeCase) check(t *testing.T, rng *rand.Rand, k *kernel, nanAt int) (simd, blocked bool) {
	t.Helper()
	s := c.s
	p, err := newPlan(s, k)
	if err != nil {
		t.Fatal(err)
	}
	_, x := guarded(rng, s.InH*s.InW)
	_, w := guarded(rng, s.KH*s.KW)
	if nanAt >= 0 {
		x[nanAt%len(x)] = float32(math.NaN())
	}
	var res []float32
	if c.res {
		_, res = guarded(rng, s.OutH*s.OutW)
	}
	bias := rng.Float32() - 0.5
	yFull, y := guarded(rng, s.OutH*s.OutW)
	for i := range y {
		y[i] = float32(math.NaN())
	}
	p.Plane(y, x, w, bias, res, &c.e)
	want, mag := reference(s, x, w, bias, res, &c.e)
	label := fmt.Sprintf("%s %+v pads bottom %d right %d res %v epilogue %+v (simd %v)", k.name, s, c.padBot, c.padRig, c.res, c.e, p.simd)
	c.compare(t, label, yFull, want, mag)
	if p.block {
		c.checkBlock(t, rng, &p, nanAt)
	}
	return p.simd, p.block
}

// compare checks the outputs in yFull (between its guard bands) against
// the reference's, and that the guard bands are intact.
func (c *planeCase) compare(t *testing.T, label string, yFull []float32, want, mag []float64) {
	t.Helper()
	s := c.s
	y := yFull[guard : len(yFull)-guard]
	for i, v := range yFull {
		if off := i - guard; off < 0 || off >= len(y) {
			if v == v {
				t.Fatalf("%s: sentinel at offset %d overwritten with %v", label, off, v)
			}
			continue
		}
		o := i - guard
		wv := want[o]
		tol := 4e-6*mag[o]*(1+math.Abs(float64(c.e.Alpha))) + 1e-6
		if math.IsNaN(wv) != (v != v) || !math.IsNaN(wv) && math.Abs(float64(v)-wv) > tol {
			pl := o / (s.OutH * s.OutW)
			o %= s.OutH * s.OutW
			t.Fatalf("%s: plane %d output (%d, %d) = %v, want %v (tolerance %.3g)", label, pl, o/s.OutW, o%s.OutW, v, wv, tol)
		}
	}
}

// checkBlock computes the case for n channels at once with p's blocked
// form (channels lanes to lanes+n-1 of the weights, so that the block's
// offset counts; n from 1 to lanes) and compares each plane with the
// reference. The scratch starts as NaN, so padding it failed to zero
// would show.
func (c *planeCase) checkBlock(t *testing.T, rng *rand.Rand, p *Plan, nanAt int) {
	t.Helper()
	s, lanes := c.s, p.Lanes()
	n := 1 + (s.InW+3*s.InH+s.KW)%lanes
	in, out := s.InH*s.InW, s.OutH*s.OutW
	_, x := guarded(rng, n*in)
	_, wAll := guarded(rng, (lanes+n)*s.KH*s.KW)
	_, bias := guarded(rng, lanes+n)
	if nanAt >= 0 {
		x[(nanAt*7)%len(x)] = float32(math.NaN())
	}
	var res []float32
	if c.res {
		_, res = guarded(rng, n*out)
	}
	yFull, y := guarded(rng, n*out)
	for i := range y {
		y[i] = float32(math.NaN())
	}
	sFull, _ := guarded(rng, p.BlockScratch())
	for i := range sFull {
		sFull[i] = float32(math.NaN())
	}
	w := packWeights(wAll, lanes+n, s.KH*s.KW, p.k)
	p.Block(y, x, &w, lanes, n, bias, res, sFull[guard:len(sFull)-guard], &c.e)
	for i, v := range sFull {
		if (i < guard || i >= len(sFull)-guard) && v == v {
			t.Fatalf("%s blocked %+v: scratch sentinel at %d overwritten", p.k.name, s, i-guard)
		}
	}
	var want, mag []float64
	for ch := range n {
		var r []float32
		if res != nil {
			r = res[ch*out:][:out]
		}
		wc, mc := reference(s, x[ch*in:][:in], wAll[(lanes+ch)*s.KH*s.KW:][:s.KH*s.KW], bias[lanes+ch], r, &c.e)
		want, mag = append(want, wc...), append(mag, mc...)
	}
	label := fmt.Sprintf("%s blocked, %d channels, %+v pads bottom %d right %d res %v epilogue %+v", p.k.name, n, s, c.padBot, c.padRig, c.res, c.e)
	c.compare(t, label, yFull, want, mag)
}

// TestPlane checks every kernel against the reference on odd sizes,
// kernels 3x3, 5x5 and others, strides 1 to 3, dilations 1 and 2, every
// padding on each side (top and left up to the kernel's extent, with
// every output row's and column's window reaching into it somewhere),
// with and without a residual, and every activation.
func TestPlane(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 23, 31, 32, 33, 40, 47, 64, 65}
	kernels := [][2]int{{3, 3}, {5, 5}, {1, 1}, {3, 1}, {1, 3}, {2, 4}, {7, 7}}
	if testing.Short() {
		sizes = []int{1, 3, 5, 8, 16, 17, 33}
	}
	for ki := range availableKernels() {
		k := &availableKernels()[ki]
		n, simd, blocked := 0, 0, 0
		for _, kk := range kernels {
			for _, st := range []int{1, 2, 3} {
				for _, dil := range []int{1, 2} {
					if dil == 2 && (kk[0] > 3 || kk[1] > 3) {
						continue
					}
					for pad := range kk[1] * dil {
						for _, wi := range sizes {
							hi := sizes[(wi+pad+st)%len(sizes)]
							c := planeCase{
								s: Shape{InH: hi, InW: wi, KH: kk[0], KW: kk[1], StrideH: st, StrideW: st, DilH: dil, DilW: dil,
									PadTop: pad % (kk[0]*dil + 1), PadLeft: pad},
								padBot: (pad + wi) % (kk[0] * dil), padRig: (pad + hi) % (kk[1] * dil),
								res: (wi+pad)%2 == 0, e: epilogues[(wi+pad+st+kk[0])%len(epilogues)],
							}
							if !c.shape() {
								continue
							}
							sim, blk := c.check(t, rng, k, -1)
							simd += boolInt(sim)
							blocked += boolInt(blk)
							n++
						}
					}
				}
			}
		}
		t.Logf("kernel %s: %d planes, %d computed by it, %d in its blocked form too", k.name, n, simd, blocked)
		if k.blocked && blocked == 0 {
			t.Errorf("kernel %s has a blocked form that no plane used", k.name)
		}
	}
}

// TestPlaneEpilogues checks every activation, with and without a
// residual, on the shapes of mobile networks' depthwise layers (3x3 and
// 5x5, stride 1 and 2, "same" padding) at small sizes, and NaN inputs
// coming out as NaN.
func TestPlaneEpilogues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for ki := range availableKernels() {
		k := &availableKernels()[ki]
		for _, kk := range []int{3, 5} {
			for _, st := range []int{1, 2} {
				for _, hw := range []int{7, 14, 19, 28, 56} {
					for _, e := range epilogues {
						for _, res := range []bool{false, true} {
							pad := kk / 2
							c := planeCase{s: Shape{InH: hw, InW: hw + 3, KH: kk, KW: kk, StrideH: st, StrideW: st, DilH: 1, DilW: 1,
								PadTop: pad, PadLeft: pad}, padBot: pad, padRig: pad, res: res, e: e}
							c.shape()
							c.check(t, rng, k, -1)
							c.check(t, rng, k, hw*7+3)
						}
					}
				}
			}
		}
	}
}

// TestActivate checks Activate with every kernel against Epilogue.Apply
// for every length up to 70, NaN and infinities included, with NaN guard
// bands.
func TestActivate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	saved := kern
	defer func() { kern = saved }()
	for ki := range availableKernels() {
		kern = &availableKernels()[ki]
		for _, e := range epilogues {
			for n := range 71 {
				full, row := guarded(rng, n)
				for i := range row {
					row[i] *= 12
					switch rng.IntN(9) {
					case 0:
						row[i] = float32(math.NaN())
					case 1:
						row[i] = float32(math.Inf(rng.IntN(2)*2 - 1))
					case 2:
						row[i] *= 10
					}
				}
				src := append([]float32(nil), row...)
				Activate(row, &e)
				for i, v := range full {
					off := i - guard
					if off < 0 || off >= n {
						if v == v {
							t.Fatalf("%s %+v n %d: sentinel at offset %d overwritten with %v", kern.name, e, n, off, v)
						}
						continue
					}
					wv := activate64(float64(src[off]), &e)
					if math.IsNaN(wv) != (v != v) || !math.IsNaN(wv) && math.Abs(float64(v)-wv) > 1e-6*(1+math.Abs(wv)) {
						t.Fatalf("%s %+v: activation of %v = %v, want %v", kern.name, e, src[off], v, wv)
					}
				}
			}
		}
	}
}

// BenchmarkPlane times one plane of mobile networks' depthwise layers
// with every kernel (bias and Relu6), in GFLOP/s.
func BenchmarkPlane(b *testing.B) {
	e := Epilogue{Act: Clamp, Lo: 0, Hi: 6}
	for _, c := range []struct{ hw, k, s int }{{112, 3, 1}, {112, 3, 2}, {56, 3, 1}, {28, 3, 1}, {14, 3, 1}, {7, 3, 1}, {56, 5, 1}, {28, 5, 2}, {14, 5, 1}, {7, 5, 1}, {64, 3, 1}, {32, 3, 1}, {16, 3, 1}, {60, 3, 1}} {
		pad := c.k / 2
		s := Shape{InH: c.hw, InW: c.hw, OutH: (c.hw+2*pad-c.k)/c.s + 1, OutW: (c.hw+2*pad-c.k)/c.s + 1, KH: c.k, KW: c.k,
			StrideH: c.s, StrideW: c.s, DilH: 1, DilW: 1, PadTop: pad, PadLeft: pad}
		for ki := range availableKernels() {
			k := &availableKernels()[ki]
			b.Run(fmt.Sprintf("%dx%d_k%d_s%d/%s", c.hw, c.hw, c.k, c.s, k.name), func(b *testing.B) {
				p, _ := newPlan(s, k)
				x, y := make([]float32, 2*s.InH*s.InW+64)[32:][:s.InH*s.InW], make([]float32, 2*s.OutH*s.OutW+64)[32:][:s.OutH*s.OutW]
				w := make([]float32, s.KH*s.KW)
				for range b.N {
					p.Plane(y, x, w, 0.5, nil, &e)
				}
				b.ReportMetric(float64(2*s.KH*s.KW*len(y))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			if p, _ := newPlan(s, k); p.block {
				b.Run(fmt.Sprintf("%dx%d_k%d_s%d/%s-blocked", c.hw, c.hw, c.k, c.s, k.name), func(b *testing.B) {
					n := p.Lanes()
					x, y := make([]float32, n*s.InH*s.InW), make([]float32, n*s.OutH*s.OutW)
					w := packWeights(make([]float32, n*s.KH*s.KW), n, s.KH*s.KW, k)
					scratch, bias := make([]float32, p.BlockScratch()), make([]float32, n)
					for range b.N {
						p.Block(y, x, &w, 0, n, bias, nil, scratch, &e)
					}
					b.ReportMetric(float64(2*s.KH*s.KW*len(y))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/plane")
				})
			}
		}
	}
}

// TestPackWeights checks that every channel's taps come out as they went
// in, from a 64-byte boundary.
func TestPackWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, taps := range []int{1, 9, 16, 17, 25, 49} {
		_, w := guarded(rng, 5*taps)
		p := PackWeights(w, 5, taps)
		for c := range 5 {
			got := p.Channel(c)
			if uintptr(unsafe.Pointer(&got[0]))%64 != 0 {
				t.Errorf("taps %d: channel %d not 64-byte aligned", taps, c)
			}
			for i, v := range got {
				if v != w[c*taps+i] {
					t.Fatalf("taps %d: channel %d tap %d = %v, want %v", taps, c, i, v, w[c*taps+i])
				}
			}
		}
	}
}

// boolInt is 1 for true, 0 for false.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
