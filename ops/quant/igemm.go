package quant

import (
	"math"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The integer matrix product behind every quantized convolution, matrix
// product and Gemm: C = A·B, A being M×K and B K×N 8-bit values minus their
// zero points, summed in int32 (wrapping on overflow, as ONNX allows).
//
// Both operands are packed first. A becomes panels of igMR rows, int16,
// k-major (the igMR values of one k side by side), with the sum of each
// row. B becomes panels of igNR columns, k-major, each value biased by
// igBias into [1, 511] and stored as int32 side by side, so that a column
// pair of one k reads as one int64 holding lo + hi·2³². One 64-bit
// multiply by an A value then computes two products at once: over igKC
// values of k the two halves of the int64 sum stay within ±2³¹ and split
// exactly (see addPair). The product runs tile by tile, each igMR×igNR
// tile one pass over its two panels, and hands the tile's rows, the bias
// subtracted again (igBias times the row's sum), to a qstore.
const (
	igMR   = 4     // rows of A per panel and tile
	igNR   = 4     // columns of B per panel and tile: two int64 pairs
	igBias = 256   // added to B's values (in [-255, 255]) to make both halves positive
	igKC   = 16384 // k per pass: 16384·255·511 < 2³¹
)

// quant8 is the element type of 8-bit quantized tensors.
type quant8 interface{ uint8 | int8 }

// rowPanels and colPanels are the panel counts of m rows and n columns.
func rowPanels(m int) int { return (m + igMR - 1) / igMR }
func colPanels(n int) int { return (n + igNR - 1) / igNR }

// packedALen and packedBLen are the int16s of a packed A (m×k) and the
// int32s of a packed B (k×n); rowSumLen the int32s of A's row sums.
func packedALen(m, k int) int { return rowPanels(m) * igMR * k }
func packedBLen(k, n int) int { return colPanels(n) * igNR * k }
func rowSumLen(m int) int     { return rowPanels(m) * igMR }

// qview is a matrix of 8-bit values: element (i, j) is data[i*rs+j*cs].
// Its zero point is zp[i*zpStep] (for A, by row) or zp[j*zpStep] (for B,
// by column); a nil zp is 0.
type qview[T quant8] struct {
	data   []T
	rs, cs int
	zp     []T
	zpStep int
}

// zpAt is the zero point of row or column i.
func (v *qview[T]) zpAt(i int) int32 {
	if v.zp == nil {
		return 0
	}
	return int32(v.zp[i*v.zpStep])
}

// packA packs the row panels [p0, p1) of the m×k matrix a into dst (panel
// p at dst[p*igMR*k:]) and the sums of the rows' values into rowSum. Rows
// past m are zeros.
func packA[T quant8](dst []int16, rowSum []int32, a qview[T], m, k, p0, p1 int) {
	if k == 0 {
		clear(rowSum[p0*igMR : p1*igMR])
		return
	}
	for p := p0; p < p1; p++ {
		panel := dst[p*igMR*k : (p+1)*igMR*k]
		for r := range igMR {
			i := p*igMR + r
			if i >= m {
				for kk := range k {
					panel[kk*igMR+r] = 0
				}
				rowSum[i] = 0
				continue
			}
			zp, sum := a.zpAt(i), int32(0)
			src := a.data[i*a.rs:]
			for kk := range k {
				v := int32(src[kk*a.cs]) - zp
				panel[kk*igMR+r] = int16(v)
				sum += v
			}
			rowSum[i] = sum
		}
	}
}

// packB packs the column panels [q0, q1) of the k×n matrix b into dst
// (panel q at dst[q*igNR*k:]), each value minus its column's zero point
// plus igBias. Columns past n are zeros (their products are never
// stored). Each k's igNR values are read and written together.
func packB[T quant8](dst []int32, b qview[T], k, n, q0, q1 int) {
	for q := q0; q < q1; q++ {
		panel := dst[q*igNR*k : (q+1)*igNR*k]
		j0, cols := q*igNR, min(igNR, n-q*igNR)
		var bias [igNR]int32
		for c := range cols {
			bias[c] = igBias - b.zpAt(j0+c)
		}
		for kk := range k {
			row := (*[igNR]int32)(panel[kk*igNR:])
			src := b.data[kk*b.rs+j0*b.cs:]
			for c := range cols {
				row[c] = int32(src[c*b.cs]) + bias[c]
			}
			for c := cols; c < igNR; c++ {
				row[c] = 0
			}
		}
	}
}

// pairs views a packed B (8-byte aligned) as its column pairs.
func pairs(b []int32) []int64 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*int64)(unsafe.Pointer(&b[0])), len(b)/2)
}

// igemm is one product: packed operands, sizes, and where its tiles go
// (element (i, j) of the product is element (row0+i, col0+j) of out).
type igemm struct {
	m, n, k    int
	a          []int16 // packed A
	rowSum     []int32 // sums of A's rows
	b          []int64 // packed B, read as column pairs
	row0, col0 int
	out        *qstore
}

// tiles is the number of tiles, numbered column panel by column panel so
// that consecutive tiles reuse one panel of B.
func (g *igemm) tiles() int { return rowPanels(g.m) * colPanels(g.n) }

// runTiles computes and stores tiles [lo, hi).
func (g *igemm) runTiles(lo, hi int) {
	rp, k := rowPanels(g.m), g.k
	var t [igMR * igNR]int32
	for idx := lo; idx < hi; idx++ {
		q, p := idx/rp, idx%rp
		rows, cols := min(igMR, g.m-p*igMR), min(igNR, g.n-q*igNR)
		igTile(g.a[p*igMR*k:(p+1)*igMR*k], g.b[q*igNR/2*k:(q+1)*igNR/2*k], rows, &t)
		for r := range rows {
			i := p*igMR + r
			v := t[r*igNR : r*igNR+cols]
			corr := igBias * g.rowSum[i]
			for j := range v {
				v[j] -= corr
			}
			g.out.put(g.row0+i, g.col0+q*igNR, v)
		}
	}
}

// igTile computes the first rows rows of the tile of panels a (k×igMR) and
// b (k column pairs ×2) into t, row-major, before the bias correction.
func igTile(a []int16, b []int64, rows int, t *[igMR * igNR]int32) {
	*t = [igMR * igNR]int32{}
	k := len(a) / igMR
	for k0 := 0; k0 < k; k0 += igKC {
		n := min(igKC, k-k0)
		ab, bb := a[k0*igMR:(k0+n)*igMR], b[k0*2:(k0+n)*2]
		if rows == igMR {
			igBlock4(ab, bb, t)
			continue
		}
		for r := range rows {
			igBlock1(ab, bb, r, (*[igNR]int32)(t[r*igNR:]))
		}
	}
}

// igBlock4 adds to t the products of a full panel pass: a holds n k-steps
// of igMR values, b n k-steps of two column pairs.
func igBlock4(a []int16, b []int64, t *[igMR * igNR]int32) {
	var c00, c01, c10, c11, c20, c21, c30, c31 int64
	for len(b) >= 2 && len(a) >= igMR {
		a0, a1, a2, a3 := int64(a[0]), int64(a[1]), int64(a[2]), int64(a[3])
		b0, b1 := b[0], b[1]
		c00 += a0 * b0
		c01 += a0 * b1
		c10 += a1 * b0
		c11 += a1 * b1
		c20 += a2 * b0
		c21 += a2 * b1
		c30 += a3 * b0
		c31 += a3 * b1
		a, b = a[igMR:], b[2:]
	}
	addPair(t[0:2], c00)
	addPair(t[2:4], c01)
	addPair(t[4:6], c10)
	addPair(t[6:8], c11)
	addPair(t[8:10], c20)
	addPair(t[10:12], c21)
	addPair(t[12:14], c30)
	addPair(t[14:16], c31)
}

// igBlock1 adds to row the products of row r of a panel pass.
func igBlock1(a []int16, b []int64, r int, row *[igNR]int32) {
	var c0, c1 int64
	for i := r; i < len(a); i += igMR {
		av := int64(a[i])
		bb := b[(i/igMR)*2:]
		c0 += av * bb[0]
		c1 += av * bb[1]
	}
	addPair(row[0:2], c0)
	addPair(row[2:4], c1)
}

// addPair adds the two int32 sums packed in s (low + high·2³², each within
// ±2³¹) to t[0] and t[1].
func addPair(t []int32, s int64) {
	lo := int32(s)
	t[0] += lo
	t[1] += int32((s - int64(lo)) >> 32)
}

// qstore receives a product's values into an output of int32 sums,
// float32 values or values requantized to uint8 or int8: reset points it
// at the output's data (reading its zero point), put gets row r's values
// for columns c0, c0+1, ... (and may modify v). It is one concrete type,
// switching on the output type, so that the tiles handed to put stay on
// the stack of their goroutine.
type qstore struct {
	t  ops.DType
	y  []byte
	ld int // elements of a row
	qparams
	zpT *ops.Tensor // the output zero point, nil for 0
	rq  requantizer
}

// newStore makes the qstore of an output of type t with rows of ld
// elements, requantized with zero point yzp (nil: 0) for 8-bit types.
func newStore(t ops.DType, ld int, p qparams, yzp *ops.Tensor) *qstore {
	return &qstore{t: t, ld: ld, qparams: p, zpT: yzp}
}

// qparams are the per-element parameters of an output: the bias (int32,
// added to the sum) and the scale of element (r, c) at
// bias[r*biasRow+c*biasCol] and scale[r*scaleRow+c*scaleCol] (strides 0
// broadcast). A nil bias is 0.
type qparams struct {
	bias               []int32
	biasRow, biasCol   int
	scale              []float32
	scaleRow, scaleCol int
}

// reset points s at the output data y.
func (s *qstore) reset(y []byte) {
	s.y = y
	switch s.t {
	case onnx.Int8:
		s.rq = newRequantizer[int8](zpOf[int8](s.zpT))
	case onnx.Uint8:
		s.rq = newRequantizer[uint8](zpOf[uint8](s.zpT))
	}
}

// zpOf is the value of an optional per-tensor zero point.
func zpOf[T quant8](t *ops.Tensor) int32 {
	if t == nil {
		return 0
	}
	return int32(ops.View[T](t.Data)[0])
}

// put stores row r's values v for columns c0...
func (s *qstore) put(r, c0 int, v []int32) {
	off := r*s.ld + c0
	switch s.t {
	case onnx.Int32:
		copy(ops.View[int32](s.y)[off:], v)
	case onnx.Float:
		s.addBias(r, c0, v)
		y := ops.View[float32](s.y)[off:][:len(v)]
		for j, x := range v {
			y[j] = float32(x) * s.scale[r*s.scaleRow+(c0+j)*s.scaleCol]
		}
	case onnx.Int8:
		requantRow(ops.View[int8](s.y)[off:][:len(v)], s, r, c0, v)
	default:
		requantRow(s.y[off:][:len(v)], s, r, c0, v)
	}
}

// addBias adds the bias of row r, columns c0... to v.
func (p *qparams) addBias(r, c0 int, v []int32) {
	if p.bias == nil {
		return
	}
	for j := range v {
		v[j] += p.bias[r*p.biasRow+(c0+j)*p.biasCol]
	}
}

// requantRow requantizes row r's values v (columns c0...) into y.
func requantRow[Y quant8](y []Y, s *qstore, r, c0 int, v []int32) {
	if s.scaleCol == 0 && s.biasCol == 0 {
		// One scale and bias for the row (a convolution's output channel).
		scale, bias := s.scale[r*s.scaleRow], int32(0)
		if s.bias != nil {
			bias = s.bias[r*s.biasRow]
		}
		for j, x := range v {
			y[j] = Y(s.rq.apply(x+bias, scale))
		}
		return
	}
	s.addBias(r, c0, v)
	for j, x := range v {
		y[j] = Y(s.rq.apply(x, s.scale[r*s.scaleRow+(c0+j)*s.scaleCol]))
	}
}

// requantizer is ONNX Runtime's requantization of int32 sums to an 8-bit
// type: saturate(round_half_even(float32(s)·scale) + zp), the product
// rounded to float32. As in ONNX Runtime the product is clamped to the
// output's range minus zp (NaN to its low end) and rounded by adding
// 1.5·2²³, which leaves the integer in the float's low bits.
type requantizer struct {
	lo, hi float32 // the output's range minus zp
	zp     int32
}

func newRequantizer[Y quant8](zp int32) requantizer {
	lo, hi := quantBounds[Y]()
	return requantizer{lo: float32(lo) - float32(zp), hi: float32(hi) - float32(zp), zp: zp}
}

// roundBias is 1.5·2²³: adding it to a float32 of magnitude below 2²²
// rounds it half to even to an integer held in the low mantissa bits.
const roundBias = 0x1.8p23

// apply requantizes s.
func (q requantizer) apply(s int32, scale float32) int32 {
	v := float32(float32(s) * scale)
	if !(v >= q.lo) {
		v = q.lo
	} else if v > q.hi {
		v = q.hi
	}
	return int32(math.Float32bits(v+roundBias)-math.Float32bits(roundBias)) + q.zp
}

// qspace lays out 64-byte aligned regions of a scratch buffer; with a nil
// buffer it only counts the bytes, so Workspace and Bind share one layout.
type qspace struct {
	buf []byte
	n   int
}

// take returns the next region of n bytes (nil when only counting).
func (s *qspace) take(n int) []byte {
	n = (n + 63) &^ 63
	s.n += n
	if s.buf == nil {
		return nil
	}
	r := s.buf[:n:n]
	s.buf = s.buf[n:]
	return r
}

// int16s, int32s and int64s take regions of n elements.
func (s *qspace) int16s(n int) []int16 { return ops.View[int16](s.take(2 * n)) }
func (s *qspace) int32s(n int) []int32 { return ops.View[int32](s.take(4 * n)) }
