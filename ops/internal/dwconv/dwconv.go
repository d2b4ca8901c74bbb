// Package dwconv computes depthwise convolutions, one input plane and one
// kernel at a time, with the epilogue (bias, residual, activation) applied
// in registers: AVX-512 or AVX2 on amd64, NEON on arm64, Go elsewhere and
// under the noasm build tag.
//
// A plane is computed in runs of output rows whose windows read the same
// kernel rows: the rows in the middle read all of them, the few at the top
// and bottom, whose windows reach into the padding, read fewer. Each
// output row is split into a left border, an interior and a right border:
// the interior's windows lie inside the input row, the borders' reach into
// the padding. The kernels vectorise along the row, one output per lane,
// reading the input in place: unaligned loads at unit stride, and at
// stride 2 loads of twice as many values deinterleaved in registers.
//
// The AVX-512 and AVX2 kernels compute whole rows: a border vector's loads
// are masked per kernel column, so the padding reads as zeros without a
// branch, and its store is masked past the row's end. The NEON and Go
// kernels compute the interior (the NEON one a last, partial vector by
// recomputing the one ending at the interior's end) and the borders, a few
// outputs per row, in Go with each output's taps clipped to the row.
//
// On small planes (rows of at most 64 inputs) the AVX-512 kernel
// computes 16 channels at once instead, a channel per lane (Plan.Block,
// see blocked.go), which fills its vectors however narrow the rows.
package dwconv

import (
	"fmt"
	"math"
	"runtime"

	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// Shape is a 2-D depthwise convolution of one plane (a 1-D one has InH,
// OutH and KH 1): an InH x InW input, a KH x KW kernel applied with the
// given strides and dilations, PadTop rows and PadLeft columns of zeros
// before the input, giving OutH x OutW outputs: output (oh, ow) is
//
//	Σ w[kh][kw] x[oh*StrideH - PadTop + kh*DilH][ow*StrideW - PadLeft + kw*DilW]
//
// over the taps inside the input.
type Shape struct {
	InH, InW, OutH, OutW int
	KH, KW               int
	StrideH, StrideW     int
	DilH, DilW           int
	PadTop, PadLeft      int
}

// Act is an activation the kernels apply to their outputs.
type Act int32

// The activations, applied after the bias and the residual.
const (
	// None leaves v as it is.
	None Act = iota
	// Clamp is min(max(v, Lo), Hi): Relu, Relu6, Clip.
	Clamp
	// LeakyRelu is v for v >= 0, else Alpha*v.
	LeakyRelu
	// HardSwish is v * min(max(Alpha*v + Beta, 0), 1) (ONNX HardSwish:
	// Alpha 1/6, Beta 1/2; v times a HardSigmoid in general).
	HardSwish
	// Swish is v * sigmoid(Alpha*v): SiLU when Alpha is 1.
	Swish
)

// Epilogue is what the kernels apply to each output once its taps are
// summed from the bias: a residual (when given), then Act.
type Epilogue struct {
	Act         Act
	Lo, Hi      float32 // Clamp's bounds
	Alpha, Beta float32 // LeakyRelu's slope, HardSwish's line, Swish's scale
}

// Apply is the epilogue's activation of one value, in Go.
func (e *Epilogue) Apply(v float32) float32 {
	switch e.Act {
	case Clamp:
		return min(max(v, e.Lo), e.Hi)
	case LeakyRelu:
		return max(v, 0) + e.Alpha*min(v, 0)
	case HardSwish:
		return v * min(max(e.Alpha*v+e.Beta, 0), 1)
	case Swish:
		return vec.Swish1(v, e.Alpha)
	}
	return v
}

// Activate applies e's activation to every value of row in place: the
// kernels' activation, in SIMD, for outputs computed elsewhere (a GEMM's).
func Activate(row []float32, e *Epilogue) {
	if e.Act == None {
		return
	}
	i := 0
	if kern.asm && len(row) >= kern.lanes {
		var a args
		a.setEpilogue(e)
		i = callActivate(kern, row, &a)
	}
	for ; i < len(row); i++ {
		row[i] = e.Apply(row[i])
	}
}

// maxKW is the widest kernel row the SIMD kernels take.
const maxKW = 16

// maskStride is the uint32s from one vector's masks to the next: maxKW
// column masks, the store mask, and padding to 128 bytes.
const maskStride = 32

// Plan is a Shape ready for the kernel in use: where its rows and columns
// read the whole kernel, and the masks of its border vectors.
type Plan struct {
	s Shape
	k *kernel
	// rowA, rowB bound the output rows whose windows read every kernel
	// row.
	rowA, rowB int
	// colA, colB bound the interior: the output columns whose windows
	// (and the kernel's loads) lie inside the input row.
	colA, colB int
	// simd is set when the kernel computes the rows; Go does otherwise.
	simd bool
	// For a masked kernel: a row is a first vector computed with masks
	// (when first), plain full vectors, and up to 2 last ones computed
	// with masks (tails). masks holds, for the first vector and then the
	// tails, one mask per kernel column (bit i set when loaded value i is
	// inside the row) and then the store mask (bit j set when output j is
	// in the row); masks[3] is all ones.
	plain, tails int
	first        bool
	masks        [4][maskStride]uint32
	// block is set when the kernel computes the shape in its blocked
	// form (see blocked.go), on inputs padded to hp x wp.
	block  bool
	hp, wp int
}

// NewPlan checks s and prepares it for the kernel in use.
func NewPlan(s Shape) (Plan, error) {
	return newPlan(s, kern)
}

// newPlan prepares s for kernel k.
func newPlan(s Shape, k *kernel) (Plan, error) {
	p := Plan{s: s, k: k}
	if s.InH < 1 || s.InW < 1 || s.OutH < 1 || s.OutW < 1 || s.KH < 1 || s.KW < 1 || s.StrideH < 1 || s.StrideW < 1 ||
		s.DilH < 1 || s.DilW < 1 || s.PadTop < 0 || s.PadLeft < 0 {
		return p, fmt.Errorf("dwconv: invalid shape %+v", s)
	}
	p.rowA, p.rowB = interior(s.InH, s.OutH, s.KH, s.StrideH, s.DilH, s.PadTop, 0)
	extra := 0
	if s.StrideW == 2 && k.lanes > 1 {
		extra = 1 // the odd value after the last one a stride-2 load keeps
	}
	p.colA, p.colB = interior(s.InW, s.OutW, s.KW, s.StrideW, s.DilW, s.PadLeft, extra)
	if blockable(&s, k) {
		p.block = true
		p.hp = padded(s.InH, s.OutH, s.KH, s.StrideH, s.DilH, s.PadTop)
		p.wp = padded(s.InW, s.OutW, s.KW, s.StrideW, s.DilW, s.PadLeft)
	}
	switch {
	case !k.asm || s.StrideW > 2 || s.KW > maxKW:
	case k.masked:
		p.simd = p.planMasks()
	default:
		p.simd = p.colB-p.colA >= k.lanes
	}
	return p, nil
}

// interior is the range [a, b) of the n outputs along an axis of size in
// whose k taps (step dil, from o*stride - pad) all lie inside it, the last
// one extra values before its end.
func interior(in, n, k, stride, dil, pad, extra int) (a, b int) {
	a = min(n, (pad+stride-1)/stride)
	last := in - 1 - extra + pad - (k-1)*dil // o*stride may be at most this
	if last < 0 {
		return a, a
	}
	return a, max(a, min(n, last/stride+1))
}

// planMasks sets the masks of a masked kernel's border vectors and
// reports whether every vector between them is full: the first vector
// may reach into the left padding, the last two into the right one (a
// border reaching further takes the Go path). Vector v is full when its
// outputs are interior, colA <= v*lanes and (v+1)*lanes <= colB.
func (p *Plan) planMasks() bool {
	s, lanes := &p.s, p.k.lanes
	nv := (s.OutW + lanes - 1) / lanes
	f := 1 // the first vector after vector 0 that is not full
	for f < nv && f*lanes >= p.colA && (f+1)*lanes <= p.colB {
		f++
	}
	if nv-f > len(p.masks)-2 {
		return false
	}
	p.first = !(p.colA == 0 && lanes <= p.colB)
	p.tails = nv - f
	p.plain = nv - p.tails - 1
	if !p.first {
		p.plain++
	}
	p.vectorMasks(0, &p.masks[0])
	for i := range p.tails {
		p.vectorMasks(f+i, &p.masks[1+i])
	}
	for i := range p.masks[3] {
		p.masks[3][i] = math.MaxUint32
	}
	return true
}

// vectorMasks sets the masks of vector v of a row (see Plan.masks).
func (p *Plan) vectorMasks(v int, m *[maskStride]uint32) {
	s, lanes := &p.s, p.k.lanes
	width := lanes * s.StrideW // the values a vector's tap loads
	*m = [maskStride]uint32{}
	for j := range lanes {
		if v*lanes+j < s.OutW {
			m[maxKW] |= 1 << j
		}
	}
	for t := range s.KW {
		base := v*width - s.PadLeft + t*s.DilW
		for i := range width {
			if c := base + i; c >= 0 && c < s.InW && v*lanes+i/s.StrideW < s.OutW {
				m[t] |= 1 << i
			}
		}
	}
}

// Plane computes the output plane y (OutH x OutW) from the input plane x
// (InH x InW), the kernel w (KH x KW, row-major) and bias, then adds res
// (OutH x OutW, nil for none) and applies e's activation. y must not
// overlap x or res.
func (p *Plan) Plane(y, x, w []float32, bias float32, res []float32, e *Epilogue) {
	s := &p.s
	if len(y) < s.OutH*s.OutW || len(x) < s.InH*s.InW || len(w) < s.KH*s.KW || res != nil && len(res) < s.OutH*s.OutW {
		panic(fmt.Sprintf("dwconv: plane of %d outputs, %d inputs, %d weights and %d residuals for shape %+v", len(y), len(x), len(w), len(res), *s))
	}
	c := call{y: y, x: x, res: res, bias: bias, e: e,
		ldy: s.OutW, ldx: s.StrideH * s.InW, ldk: s.DilH * s.InW, kw: s.KW, dil: s.DilW}
	for oh := 0; oh < s.OutH; {
		end := oh + 1
		if oh == p.rowA {
			end = max(end, p.rowB)
		}
		ih := oh*s.StrideH - s.PadTop
		r0, r1 := validRun(ih, s.DilH, s.InH, s.KH)
		c.w, c.kh, c.rows = w[r0*s.KW:], r1-r0, end-oh
		c.yo, c.row = oh*s.OutW, (ih+r0*s.DilH)*s.InW
		p.rows(&c)
		oh = end
	}
	runtime.KeepAlive(x)
	runtime.KeepAlive(y)
	runtime.KeepAlive(res)
}

// call is a run of output rows reading the same kernel rows.
type call struct {
	y, x, res, w []float32
	yo           int // index of the first output in y (and res)
	row          int // index of column 0 of the first row's first kernel row in x
	xo           int // index of the first output's first tap in x (possibly outside it)
	rows, n      int // output rows; outputs per row (interior kernels)
	ldy, ldx     int // floats between output rows; between their inputs
	kh, ldk      int // kernel rows read; floats between them in x
	kw, dil      int // taps per kernel row; floats between them in x
	bias         float32
	e            *Epilogue
}

// rows computes a run of output rows: its interior with the kernel (all
// of it with a masked one), its borders in Go.
func (p *Plan) rows(c *call) {
	s := &p.s
	if p.simd && p.k.masked {
		c.xo = c.row - s.PadLeft
		p.k.run(c, p)
		return
	}
	if p.colB > p.colA {
		c.yo += p.colA
		c.xo = c.row + p.colA*s.StrideW - s.PadLeft
		c.n = p.colB - p.colA
		if p.simd {
			p.k.run(c, p)
		} else {
			interiorGo(c, s.StrideW)
		}
		c.yo -= p.colA
	}
	p.border(c, 0, p.colA)
	p.border(c, p.colB, s.OutW)
}

// border computes outputs [j0, j1) of each row of c in Go, each with
// its taps clipped to the input row.
func (p *Plan) border(c *call, j0, j1 int) {
	s := &p.s
	for r := range c.rows {
		for j := j0; j < j1; j++ {
			col := j*s.StrideW - s.PadLeft
			t0, t1 := validRun(col, s.DilW, s.InW, s.KW)
			acc := c.bias
			for kr := range c.kh {
				in := c.x[c.row+r*c.ldx+kr*c.ldk:][:s.InW]
				for t := t0; t < t1; t++ {
					acc += c.w[kr*c.kw+t] * in[col+t*c.dil]
				}
			}
			o := c.yo + r*c.ldy + j
			if c.res != nil {
				acc += c.res[o]
			}
			c.y[o] = c.e.Apply(acc)
		}
	}
}

// interiorGo computes the interior of c's rows in Go: the bias, each tap
// added to the whole row in turn, the residual, the activation.
func interiorGo(c *call, stride int) {
	for r := range c.rows {
		y := c.y[c.yo+r*c.ldy:][:c.n]
		for i := range y {
			y[i] = c.bias
		}
		for kr := range c.kh {
			for t := range c.kw {
				wv := c.w[kr*c.kw+t]
				in := c.x[c.xo+r*c.ldx+kr*c.ldk+t*c.dil:]
				if stride == 1 {
					for i, v := range in[:len(y)] {
						y[i] += wv * v
					}
					continue
				}
				in = in[:(len(y)-1)*stride+1]
				for i := range y {
					y[i] += wv * in[i*stride]
				}
			}
		}
		if c.res != nil {
			for i, v := range c.res[c.yo+r*c.ldy:][:len(y)] {
				y[i] += v
			}
		}
		Activate(y, c.e)
	}
}

// validRun is the range [lo, hi) of the n taps i for which start + i*step
// lies in [0, size).
func validRun(start, step, size, n int) (lo, hi int) {
	if start < 0 {
		lo = (-start + step - 1) / step
	}
	if start >= size {
		return min(lo, n), min(lo, n)
	}
	hi = (size-1-start)/step + 1
	lo, hi = min(lo, n), min(hi, n)
	return lo, max(lo, hi)
}
