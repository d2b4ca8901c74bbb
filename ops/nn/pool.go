package nn

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

func init() {
	for _, v := range []int{1, 8, 10, 11, 12, 22} {
		ops.Register("", "MaxPool", v, buildPool(maxPool))
	}
	for _, v := range []int{1, 7, 10, 11, 19, 22} {
		ops.Register("", "AveragePool", v, buildPool(avgPool))
	}
	for _, v := range []int{1, 2, 11, 18, 22} {
		ops.Register("", "LpPool", v, buildPool(lpPool))
	}
	for _, v := range []int{1, 22} {
		ops.Register("", "GlobalMaxPool", v, buildGlobalPool(maxPool))
		ops.Register("", "GlobalAveragePool", v, buildGlobalPool(avgPool))
	}
	for _, v := range []int{1, 2, 22} {
		ops.Register("", "GlobalLpPool", v, buildGlobalPool(lpPool))
	}
}

// poolKind says what a pool computes over its window.
type poolKind int

const (
	maxPool poolKind = iota
	avgPool
	lpPool // the Lp norm of the window, (sum |x|^p)^(1/p)
)

// poolOp is MaxPool, AveragePool or LpPool over 1 to 3 spatial axes.
// MaxPool computes float32, float64, int8 and uint8 and can give the
// Indices output (flat positions in X, row-major or, with storage_order 1,
// column-major within each plane); AveragePool and LpPool compute float32
// and float64 (padding adds nothing to an Lp norm).
type poolOp struct {
	kind            poolKind
	sp              ops.WindowAttrs
	countIncludePad bool
	colMajor        bool    // storage_order 1
	indices         bool    // MaxPool's Indices output is requested
	p               float64 // LpPool's p
}

func buildPool(kind poolKind) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		sp, err := ops.ParseWindow(a, true)
		if err != nil {
			return nil, err
		}
		p := &poolOp{kind: kind, sp: sp}
		switch kind {
		case maxPool:
			order := a.Int("storage_order", 0)
			if order != 0 && order != 1 {
				return nil, fmt.Errorf("attribute \"storage_order\" is %d, want 0 or 1", order)
			}
			p.colMajor = order == 1
			p.indices = len(n.Outputs) > 1 && n.Outputs[1] != ""
		case avgPool:
			p.countIncludePad = a.Int("count_include_pad", 0) != 0
		case lpPool:
			var err error
			if p.p, err = lpExponent(a, opset); err != nil {
				return nil, err
			}
		}
		return p, a.Err()
	}
}

// lpExponent reads LpPool's and GlobalLpPool's p: a float before opset 2,
// an int since, positive, 2 by default.
func lpExponent(a *ops.Attrs, opset int) (float64, error) {
	var p float64
	if opset < 2 {
		p = float64(a.Float("p", 2))
	} else {
		p = float64(a.Int("p", 2))
	}
	if err := a.Err(); err != nil {
		return 0, err
	}
	if !(p > 0) || math.IsInf(p, 0) {
		return 0, fmt.Errorf("attribute \"p\" is %v, must be positive", p)
	}
	return p, nil
}

// checkPoolType checks X's element type for a pool of kind k.
func checkPoolType(k poolKind, t ops.DType) error {
	switch t {
	case onnx.Float, onnx.Double:
		return nil
	case onnx.Int8, onnx.Uint8:
		if k == maxPool {
			return nil
		}
	case onnx.Float16, onnx.BFloat16:
		return fmt.Errorf("input \"X\" has type %s: %w", ops.TypeName(t), ops.ErrUnsupported)
	}
	return fmt.Errorf("input \"X\" has type %s, not allowed for this pool", ops.TypeName(t))
}

// Infer checks X and gives Y's shape (and Indices').
func (p *poolOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if err := checkPoolType(p.kind, x.Type); err != nil {
		return nil, err
	}
	if len(x.Shape) < 3 {
		return nil, fmt.Errorf("input \"X\" has shape %v, want [N, C, spatial...]", x.Shape)
	}
	g, err := p.sp.Resolve3(x.Shape[2:], nil)
	if err != nil {
		return nil, err
	}
	shape := append([]int(nil), x.Shape...)
	copy(shape[2:], g.Out[ops.MaxWindowAxes-len(x.Shape[2:]):])
	outs := []ops.Value{{Type: x.Type, Shape: shape}}
	if p.indices {
		outs = append(outs, ops.Value{Type: onnx.Int64, Shape: shape})
	}
	return outs, nil
}

// Run computes Y (and Indices).
func (p *poolOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error { return ops.RunBound(p, ctx, in, out) }

// Bind resolves the window once and binds the loop over (batch, channel)
// planes to the tensors.
func (p *poolOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	g, err := p.sp.Resolve3(x.Shape[2:], nil)
	if err != nil {
		return nil, err
	}
	planes := x.Shape[0] * x.Shape[1]
	idx := func() []int64 {
		if p.indices {
			return out[1].I64()
		}
		return nil
	}
	switch x.Type {
	case onnx.Double:
		return bindFloatPool(p, ctx.Par, g, planes, func() ([]float64, []float64, []int64) { return in[0].F64(), out[0].F64(), idx() }), nil
	case onnx.Int8:
		job := new(maxPoolJob[int8])
		return ops.BindLoop(ctx.Par, planes, 1, job, func() {
			*job = maxPoolJob[int8]{g, in[0].I8(), out[0].I8(), idx(), p.colMajor}
		}), nil
	case onnx.Uint8:
		job := new(maxPoolJob[uint8])
		return ops.BindLoop(ctx.Par, planes, 1, job, func() {
			*job = maxPoolJob[uint8]{g, in[0].U8(), out[0].U8(), idx(), p.colMajor}
		}), nil
	}
	return bindFloatPool(p, ctx.Par, g, planes, func() ([]float32, []float32, []int64) { return in[0].F32(), out[0].F32(), idx() }), nil
}

// bindFloatPool binds a max or average pool on a floating-point type;
// views gives X, Y and Indices (nil when not computed) as they are now.
func bindFloatPool[T float32 | float64](p *poolOp, par ops.Parallel, g ops.Window3, planes int, views func() ([]T, []T, []int64)) func() error {
	if p.kind == maxPool {
		job := new(maxPoolJob[T])
		return ops.BindLoop(par, planes, 1, job, func() {
			x, y, idx := views()
			*job = maxPoolJob[T]{g, x, y, idx, p.colMajor}
		})
	}
	job := new(sumPoolJob[T])
	return ops.BindLoop(par, planes, 1, job, func() {
		x, y, _ := views()
		*job = sumPoolJob[T]{g, x, y, p.countIncludePad, p.lp()}
	})
}

// lp is the p of an LpPool, 0 for an average.
func (p *poolOp) lp() float64 {
	if p.kind == lpPool {
		return p.p
	}
	return 0
}

// poolElem is the element types a pool computes.
type poolElem interface {
	~float32 | ~float64 | ~int8 | ~uint8
}

// lowest is the smallest value of T (-Inf for floats).
func lowest[T poolElem]() T {
	var z T
	switch any(z).(type) {
	case float32, float64:
		return T(math.Inf(-1))
	case int8:
		m := int8(math.MinInt8)
		return T(m)
	}
	return 0
}

// maxPoolJob computes MaxPool over (batch, channel) planes of x into y,
// and the flat input positions of the maxima into idx when it is not nil.
type maxPoolJob[T poolElem] struct {
	g        ops.Window3
	x, y     []T
	idx      []int64
	colMajor bool
}

func (j maxPoolJob[T]) Run(lo, hi int) {
	g := &j.g
	inSize, outSize, sw := g.InSize(), g.OutSize(), g.Strides[2]
	low := lowest[T]()
	if x, ok := any(j.x).([]float32); ok && j.idx == nil && window3x3(g) {
		y := any(j.y).([]float32)
		if same3x3(g) && inSize <= sameChunk {
			for a := lo; a < hi; {
				b := min(hi, a+sameChunk/inSize)
				sameMax3x3(g, y[a*inSize:b*inSize], x[a*inSize:b*inSize])
				a = b
			}
			return
		}
		for pl := lo; pl < hi; pl++ {
			max3x3Plane(g, y[pl*outSize:][:outSize], x[pl*inSize:][:inSize])
		}
		return
	}
	if j.idx == nil && max3x3S2Fits(g) {
		x, signed, ok := bytesView(j.x)
		y, _, _ := bytesView(j.y)
		if ok {
			var buf [max3x3S2Bytes]byte
			for pl := lo; pl < hi; pl++ {
				max3x3S2Plane(g, y[pl*outSize:][:outSize], x[pl*inSize:][:inSize], &buf, signed)
			}
			return
		}
	}
	for pl := lo; pl < hi; pl++ {
		src := j.x[pl*inSize : (pl+1)*inSize]
		if j.idx != nil {
			j.argmax(src, pl)
			continue
		}
		if separableFits(g) {
			j.separable(src, j.y[pl*outSize:][:outSize])
			continue
		}
		for od := range g.Out[0] {
			for oh := range g.Out[1] {
				row := j.y[pl*outSize+(od*g.Out[1]+oh)*g.Out[2]:][:g.Out[2]]
				for i := range row {
					row[i] = low
				}
				ops.RowTaps(g, src, od, oh, func(_ int, in []T, iw, lo, hi int) {
					for ow := lo; ow < hi; ow++ {
						row[ow] = max(row[ow], in[iw+ow*sw])
					}
				})
			}
		}
	}
}

// same3x3 reports whether g is a 2-D 3x3 window at stride 1 with one
// value of padding on every side: Inception's pooling branch, whose
// output planes are its input planes' size.
func same3x3(g *ops.Window3) bool {
	return g.Out[0] == 1 && g.Kernel == [3]int{1, 3, 3} && g.Strides == [3]int{1, 1, 1} && g.Dilations == [3]int{1, 1, 1} &&
		g.Pad == [3]int{0, 1, 1} && g.PadEnd == [3]int{0, 1, 1} && g.Out == g.In
}

// sameChunk is the floats of input planes sameMax3x3 takes at once,
// through a buffer on the stack.
const sameChunk = 4096

// sameMax3x3 computes a 3x3, stride-1 "same" max pool (same3x3) of the
// whole planes in x (at most sameChunk floats) into y: each value the
// maximum of its row neighbours (in one SIMD pass over all the planes,
// then the first and last value of each row), then of those of the rows
// above and below (three passes per plane). Small planes (Inception's
// 14x14 and 7x7) cost a few calls each, not a few per row.
func sameMax3x3(g *ops.Window3, y, x []float32) {
	var buf [sameChunk]float32
	h, w, n := buf[:len(x)], g.In[2], len(x)
	plane := g.In[1] * w
	if n >= 3 {
		vec.Max3x3S1(h[1:n-1], x, x, x)
	}
	for s := 0; s < n; s += w {
		if w == 1 {
			h[s] = x[s]
			continue
		}
		h[s] = max(x[s], x[s+1])
		h[s+w-1] = max(x[s+w-2], x[s+w-1])
	}
	for p := 0; p < n; p += plane {
		yp, hp := y[p:p+plane], h[p:p+plane]
		copy(yp, hp)
		if plane > w {
			vec.Max(yp[w:], hp[:plane-w])
			vec.Max(yp[:plane-w], hp[w:])
		}
	}
}

// separableWidth is the widest padded input row maxPoolJob.separable takes.
const separableWidth = 1024

// separable pools plane src into dst one output row at a time, in
// passes over whole rows: the input rows the row's windows cover are
// maxed into one row v, laid out with its padding (lowest[T] values) so
// that every window lies inside it; each further tap along the width then
// maxes v with itself shifted by the dilation, after which v[i] is the
// maximum of the window starting at i; the output takes every stride-th.
// Each pass is a contiguous SIMD loop for float32. Rows must need at most
// separableWidth values (see separableFits).
func (j maxPoolJob[T]) separable(src, dst []T) {
	g := &j.g
	var buf [separableWidth]T
	low := lowest[T]()
	sw, dw, pad := g.Strides[2], g.Dilations[2], g.Pad[2]
	span := (g.Out[2]-1)*sw + 1 // the window starts the output keeps
	v := buf[:max(span+(g.Kernel[2]-1)*dw, pad+g.In[2])]
	in := v[pad : pad+g.In[2]]
	for od := range g.Out[0] {
		sd, d0, d1 := g.At(0, od)
		for oh := range g.Out[1] {
			sh, h0, h1 := g.At(1, oh)
			row := dst[(od*g.Out[1]+oh)*g.Out[2]:][:g.Out[2]]
			if d0 == d1 || h0 == h1 { // every window of the row lies in the padding
				ops.Fill(row, low)
				continue
			}
			ops.Fill(v[:pad], low)
			ops.Fill(v[pad+len(in):], low)
			for kd := d0; kd < d1; kd++ {
				id := sd + kd*g.Dilations[0]
				for kh := h0; kh < h1; kh++ {
					r := src[(id*g.In[1]+sh+kh*g.Dilations[1])*g.In[2]:][:len(in)]
					if kd == d0 && kh == h0 {
						copy(in, r)
					} else {
						maxInto(in, r)
					}
				}
			}
			if g.Kernel[2] == 3 && sw == 2 && dw == 1 && max3s2(row, v) {
				continue
			}
			for kw := 1; kw < g.Kernel[2]; kw++ {
				maxInto(v[:span+(g.Kernel[2]-1-kw)*dw], v[dw:])
			}
			for ow := range row {
				row[ow] = v[ow*sw]
			}
		}
	}
}

// separableFits reports whether separable can pool g's rows.
func separableFits(g *ops.Window3) bool {
	return (g.Out[2]-1)*g.Strides[2]+(g.Kernel[2]-1)*g.Dilations[2]+1 <= separableWidth &&
		g.Pad[2]+g.In[2] <= separableWidth
}

// maxInto sets dst[i] = max(dst[i], src[i]), in SIMD for float32, uint8
// and int8; src may overlap dst starting at or after it.
func maxInto[T poolElem](dst, src []T) {
	switch d := any(dst).(type) {
	case []float32:
		vec.Max(d, any(src).([]float32))
		return
	case []uint8:
		qgemm.MaxBytes(d, any(src).([]uint8), false)
		return
	case []int8:
		qgemm.MaxBytes(bytesOf(d), bytesOf(any(src).([]int8)), true)
		return
	}
	src = src[:len(dst)]
	for i, s := range src {
		dst[i] = max(dst[i], s)
	}
}

// max3s2 sets row[i] = max(v[2i], v[2i+1], v[2i+2]) in one SIMD pass
// when T is float32, uint8 or int8 (the common 3-wide stride-2 window),
// and reports whether it did.
func max3s2[T poolElem](row, v []T) bool {
	switch r := any(row).(type) {
	case []float32:
		vec.Max3S2(r, any(v).([]float32))
	case []uint8:
		qgemm.Max3S2Bytes(r, any(v).([]uint8), false)
	case []int8:
		qgemm.Max3S2Bytes(bytesOf(r), bytesOf(any(v).([]int8)), true)
	default:
		return false
	}
	return true
}

// window3x3 reports whether g is a 2-D 3x3 window at stride 1 or 2, which
// max3x3Plane computes.
func window3x3(g *ops.Window3) bool {
	s := g.Strides[2]
	return g.Out[0] == 1 && g.Kernel == [3]int{1, 3, 3} && g.Strides[1] == s && (s == 1 || s == 2) &&
		g.Dilations == [3]int{1, 1, 1}
}

// max3x3Plane max-pools plane x into y with a window3x3 g, one output row
// at a time from its input rows (a row repeated where the window's first
// or last lies in the padding): the windows inside the rows in one SIMD
// pass (vec.Max3x3S1, Max3x3S2), those reaching into the padding over the
// values they cover. At stride 2, the windows inside the plane are one
// call for all its rows (vec.Max3x3S2Rows).
func max3x3Plane(g *ops.Window3, y, x []float32) {
	w, s, pad, ow := g.In[2], g.Strides[2], g.Pad[2], g.Out[2]
	// Outputs [lo, hi) of a row, and output rows [rlo, rhi), have their
	// windows inside the row, and inside the plane.
	lo, hi := inside3(w, pad, s, ow)
	rlo, rhi := inside3(g.In[1], g.Pad[1], s, g.Out[1])
	at := lo*s - pad
	if s == 2 && hi > lo && rhi > rlo {
		vec.Max3x3S2Rows(y[rlo*ow+lo:], ow, x[(rlo*s-g.Pad[1])*w+at:], w, hi-lo, rhi-rlo)
	}
	for oh := range g.Out[1] {
		whole := s == 2 && oh >= rlo && oh < rhi
		if whole && lo == 0 && hi == ow {
			continue // all done by Max3x3S2Rows
		}
		sh, h0, h1 := g.At(1, oh)
		row := y[oh*ow:][:ow]
		if h0 == h1 { // every window of the row lies in the padding
			ops.Fill(row, float32(math.Inf(-1)))
			continue
		}
		r0, r1, r2 := x[(sh+h0)*w:][:w], x[(sh+(h0+h1-1)/2)*w:][:w], x[(sh+h1-1)*w:][:w]
		if hi > lo && !whole {
			if s == 1 {
				vec.Max3x3S1(row[lo:hi], r0[at:], r1[at:], r2[at:])
			} else {
				vec.Max3x3S2(row[lo:hi], r0[at:], r1[at:], r2[at:])
			}
		}
		for i := 0; i < ow; i++ {
			if i == lo {
				if i = hi; i >= ow {
					break
				}
			}
			m := float32(math.Inf(-1))
			for c := max(i*s-pad, 0); c < min(i*s-pad+3, w); c++ {
				m = max(m, r0[c], r1[c], r2[c])
			}
			row[i] = m
		}
	}
}

// inside3 is the range [lo, hi) of the n outputs along an axis of size
// in, padded by pad before, whose 3-wide windows at stride s lie inside
// it.
func inside3(in, pad, s, n int) (lo, hi int) {
	lo = min((pad+s-1)/s, n)
	if in+pad >= 3 {
		hi = min(n, (in-3+pad)/s+1)
	}
	return lo, max(hi, lo)
}

// max3x3S2Bytes is the scratch of max3x3S2Plane: ResNet's stem pool
// (112x112 planes) and SqueezeNet's first (111x111) need 18.2 KB.
const max3x3S2Bytes = 24 << 10

// max3x3S2Fits reports whether max3x3S2Plane can pool g: a 2-D 3x3
// window at stride 2 with at most one value of padding at the top and
// left, every window ending inside the plane, whose passes fit in its
// scratch.
func max3x3S2Fits(g *ops.Window3) bool {
	h, w, oh, ow, pt, pl := g.In[1], g.In[2], g.Out[1], g.Out[2], g.Pad[1], g.Pad[2]
	return window3x3(g) && g.Strides[2] == 2 && g.Pad[0] == 0 && pt <= 1 && pl <= 1 && oh >= 1 && ow >= 1 &&
		2*oh-pt <= h-1 && 2*ow-pl <= w-1 && (2*oh-1)*w+(oh-1)*w+ow <= max3x3S2Bytes
}

// max3x3S2Plane pools plane x of 8-bit values (uint8, or int8 when
// signed) into y with the window of max3x3S2Fits in five passes over
// whole planes and a copy per output row, where separable made about
// seven calls per output row (SqueezeNet's pooled rows hold 13-55
// values): m's row k becomes the maximum of the window's rows for output
// row k/2 (rows k-pt to k-pt+2 of x, the first two alone when k < pt),
// computed for every k, and q the maxima of m's stride-2 triples, which
// for the k of output row r start at q[r·w]. A left pad's first column
// is the maximum of its row's first two values of m.
func max3x3S2Plane(g *ops.Window3, y, x []byte, buf *[max3x3S2Bytes]byte, signed bool) {
	w, oh, ow, pt, pl := g.In[2], g.Out[1], g.Out[2], g.Pad[1], g.Pad[2]
	m := buf[:(2*oh-1)*w]
	if pt == 1 {
		copy(m, x[:w])
		qgemm.MaxBytes(m[:w], x[w:2*w], signed)
	}
	body := m[pt*w:]
	copy(body, x)
	qgemm.MaxBytes(body, x[w:], signed)
	qgemm.MaxBytes(body, x[2*w:], signed)
	q := buf[len(m):][:(oh-1)*w+ow-pl]
	qgemm.Max3S2Bytes(q, m[pl:], signed)
	for r := range oh {
		row := y[r*ow:][:ow]
		copy(row[pl:], q[r*w:])
		if pl == 1 {
			a, b := m[2*r*w], m[2*r*w+1]
			row[0] = max(a, b)
			if signed {
				row[0] = byte(max(int8(a), int8(b)))
			}
		}
	}
}

// bytesView views uint8 or int8 values as bytes, reporting whether s
// holds either and whether it is int8.
func bytesView[T poolElem](s []T) (b []byte, signed, ok bool) {
	switch v := any(s).(type) {
	case []uint8:
		return v, false, true
	case []int8:
		return bytesOf(v), true, true
	}
	return nil, false, false
}

// bytesOf views int8 values as bytes.
func bytesOf(s []int8) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// argmax pools plane pl (src) one output at a time, keeping the position of
// each maximum for Indices.
func (j maxPoolJob[T]) argmax(src []T, pl int) {
	g := &j.g
	o := pl * g.OutSize()
	for od := range g.Out[0] {
		sd, d0, d1 := g.At(0, od)
		for oh := range g.Out[1] {
			sh, h0, h1 := g.At(1, oh)
			for ow := range g.Out[2] {
				sw, w0, w1 := g.At(2, ow)
				best, at := lowest[T](), -1
				for kd := d0; kd < d1; kd++ {
					id := sd + kd*g.Dilations[0]
					for kh := h0; kh < h1; kh++ {
						row := (id*g.In[1]+sh+kh*g.Dilations[1])*g.In[2] + sw
						for kw := w0; kw < w1; kw++ {
							if v := src[row+kw*g.Dilations[2]]; v > best || at < 0 {
								best, at = v, row+kw*g.Dilations[2]
							}
						}
					}
				}
				j.y[o] = best
				j.idx[o] = int64(pl*g.InSize() + storageIndex(g, at, j.colMajor))
				o++
			}
		}
	}
}

// storageIndex converts a row-major position within an input plane to the
// storage order MaxPool's Indices use.
func storageIndex(g *ops.Window3, at int, colMajor bool) int {
	if !colMajor || at < 0 {
		return at
	}
	w := at % g.In[2]
	h := at / g.In[2] % g.In[1]
	d := at / (g.In[2] * g.In[1])
	// Column-major over the spatial axes: the first varies fastest.
	return d + h*g.In[0] + w*g.In[0]*g.In[1]
}

// sumPoolJob computes AveragePool (lp 0) or LpPool over (batch, channel)
// planes of x into y. An average's divisor counts the window's taps
// inside the input, or with includePad inside the padded input (taps past
// the end padding, possible with ceil_mode, never count); an Lp norm sums
// |x|^lp and takes the lp-th root.
type sumPoolJob[T float32 | float64] struct {
	g          ops.Window3
	x, y       []T
	includePad bool
	lp         float64
}

func (j sumPoolJob[T]) Run(lo, hi int) {
	g := &j.g
	inSize, outSize, sw := g.InSize(), g.OutSize(), g.Strides[2]
	for pl := lo; pl < hi; pl++ {
		src := j.x[pl*inSize : (pl+1)*inSize]
		for od := range g.Out[0] {
			sd, d0, d1 := g.At(0, od)
			for oh := range g.Out[1] {
				sh, h0, h1 := g.At(1, oh)
				row := j.y[pl*outSize+(od*g.Out[1]+oh)*g.Out[2]:][:g.Out[2]]
				clear(row)
				ops.RowTaps(g, src, od, oh, func(_ int, in []T, iw, lo, hi int) {
					switch j.lp {
					case 0:
						for ow := lo; ow < hi; ow++ {
							row[ow] += in[iw+ow*sw]
						}
					case 2:
						for ow := lo; ow < hi; ow++ {
							v := in[iw+ow*sw]
							row[ow] += v * v
						}
					default:
						for ow := lo; ow < hi; ow++ {
							row[ow] += T(math.Pow(math.Abs(float64(in[iw+ow*sw])), j.lp))
						}
					}
				})
				if j.lp != 0 {
					lpRoot(row, j.lp)
					continue
				}
				for ow := range row {
					sw, w0, w1 := g.At(2, ow)
					n := (d1 - d0) * (h1 - h0) * (w1 - w0)
					if j.includePad {
						n = paddedTaps(g, 0, sd) * paddedTaps(g, 1, sh) * paddedTaps(g, 2, sw)
					}
					row[ow] /= T(max(n, 1))
				}
			}
		}
	}
}

// lpRoot sets every v of s to v^(1/p).
func lpRoot[T float32 | float64](s []T, p float64) {
	for i, v := range s {
		if p == 2 {
			s[i] = T(math.Sqrt(float64(v)))
		} else {
			s[i] = T(math.Pow(float64(v), 1/p))
		}
	}
}

// paddedTaps is the number of taps of a window starting at input position
// start on axis a that fall inside the padded input.
func paddedTaps(g *ops.Window3, a, start int) int {
	lo, hi := ops.ValidRun(start+g.Pad[a], g.Dilations[a], g.In[a]+g.Pad[a]+g.PadEnd[a], g.Kernel[a])
	return hi - lo
}

// globalPoolOp is GlobalMaxPool, GlobalAveragePool or GlobalLpPool: one
// value per plane of any number of spatial axes.
type globalPoolOp struct {
	kind poolKind
	p    float64 // GlobalLpPool's p
}

func buildGlobalPool(kind poolKind) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		op := globalPoolOp{kind: kind}
		if kind == lpPool {
			var err error
			if op.p, err = lpExponent(ops.AttrsOf(n), opset); err != nil {
				return nil, err
			}
		}
		return op, nil
	}
}

// Infer checks X and gives [N, C, 1, ...].
func (p globalPoolOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if x.Type != onnx.Float && x.Type != onnx.Double {
		return nil, checkPoolType(avgPool, x.Type)
	}
	if len(x.Shape) < 3 {
		return nil, fmt.Errorf("input \"X\" has shape %v, want [N, C, spatial...]", x.Shape)
	}
	shape := append([]int(nil), x.Shape...)
	for i := 2; i < len(shape); i++ {
		shape[i] = 1
	}
	return []ops.Value{{Type: x.Type, Shape: shape}}, nil
}

// Run reduces every plane.
func (p globalPoolOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(p, ctx, in, out)
}

// Bind binds the loop over (batch, channel) planes to the tensors.
func (p globalPoolOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	planes := x.Shape[0] * x.Shape[1]
	size := ops.NumElems(x.Shape[2:])
	grain := max(1, 4096/max(size, 1))
	if x.Type == onnx.Double {
		job := new(globalPoolJob[float64])
		return ops.BindLoop(ctx.Par, planes, grain, job, func() {
			*job = globalPoolJob[float64]{p, size, in[0].F64(), out[0].F64()}
		}), nil
	}
	job := new(globalPoolJob[float32])
	return ops.BindLoop(ctx.Par, planes, grain, job, func() {
		*job = globalPoolJob[float32]{p, size, in[0].F32(), out[0].F32()}
	}), nil
}

// globalPoolJob reduces (batch, channel) planes of size values of x into y.
type globalPoolJob[T float32 | float64] struct {
	op   globalPoolOp
	size int
	x, y []T
}

func (j globalPoolJob[T]) Run(lo, hi int) {
	for pl := lo; pl < hi; pl++ {
		src := j.x[pl*j.size : (pl+1)*j.size]
		switch j.op.kind {
		case maxPool:
			j.y[pl] = planeMax(src)
			continue
		case lpPool:
			var sum float64
			for _, v := range src {
				sum += math.Pow(math.Abs(float64(v)), j.op.p)
			}
			j.y[pl] = T(math.Pow(sum, 1/j.op.p))
			continue
		}
		j.y[pl] = planeSum(src) / T(j.size)
	}
}

// planeSum sums x in eight interleaved partial sums, so that the adds do
// not wait on each other (a single running sum is bound by the add's
// latency: squeeze-excite blocks pool hundreds of planes per run).
func planeSum[T float32 | float64](x []T) T {
	var s [8]T
	i := 0
	for ; i+8 <= len(x); i += 8 {
		v := (*[8]T)(x[i:])
		s[0], s[1], s[2], s[3] = s[0]+v[0], s[1]+v[1], s[2]+v[2], s[3]+v[3]
		s[4], s[5], s[6], s[7] = s[4]+v[4], s[5]+v[5], s[6]+v[6], s[7]+v[7]
	}
	for ; i < len(x); i++ {
		s[i%8] += x[i]
	}
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

// planeMax is the maximum of x (-Inf when empty; NaN when any is, as max
// gives), in four interleaved running maxima.
func planeMax[T float32 | float64](x []T) T {
	inf := T(math.Inf(-1))
	m := [4]T{inf, inf, inf, inf}
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := (*[4]T)(x[i:])
		m[0], m[1], m[2], m[3] = max(m[0], v[0]), max(m[1], v[1]), max(m[2], v[2]), max(m[3], v[3])
	}
	for ; i < len(x); i++ {
		m[0] = max(m[0], x[i])
	}
	return max(max(m[0], m[1]), max(m[2], m[3]))
}
