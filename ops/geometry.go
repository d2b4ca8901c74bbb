package ops

import (
	"fmt"
	"slices"
)

// WindowAttrs is the sliding-window geometry shared by Conv, QLinearConv and
// the pools: the kernel_shape, strides, dilations, pads, auto_pad and
// ceil_mode attributes, checked but not yet tied to an input. Nil slices mean
// the attribute was absent (strides and dilations default to 1, pads to 0,
// and Conv takes the kernel from its weight). Fields are exported so every
// op file of the package can read them; the struct never changes after
// parseSpatial.
type WindowAttrs struct {
	Kernel    []int  // kernel_shape
	Strides   []int  // strides
	Dilations []int  // dilations
	Pads      []int  // pads: [x1_begin, x2_begin, ..., x1_end, x2_end, ...]
	AutoPad   string // NOTSET, SAME_UPPER, SAME_LOWER or VALID
	CeilMode  bool   // ceil_mode (pools only)
}

// Window is spatialAttrs resolved for one input: every slice has one
// entry per spatial axis, pads are explicit whatever auto_pad said, and Out
// is the output's spatial shape.
type Window struct {
	In, Kernel, Out    []int
	Strides, Dilations []int
	PadBegin, PadEnd   []int
}

// PositiveInts converts an INTS attribute whose entries must all be > 0.
func PositiveInts(name string, v []int64) ([]int, error) {
	if v == nil {
		return nil, nil
	}
	out := make([]int, len(v))
	for i, x := range v {
		if x <= 0 {
			return nil, fmt.Errorf("attribute %q: entry %d is %d, must be positive", name, i, x)
		}
		d, err := ToDim(x, fmt.Sprintf("attribute %q entry %d", name, i))
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// ParseWindow reads the window attributes of n. needKernel makes
// kernel_shape required (pools); Conv passes false and gives the kernel to
// resolve from its weight.
func ParseWindow(a *Attrs, needKernel bool) (WindowAttrs, error) {
	var s WindowAttrs
	var err error
	if s.Kernel, err = PositiveInts("kernel_shape", a.Ints("kernel_shape")); err != nil {
		return s, err
	}
	if s.Strides, err = PositiveInts("strides", a.Ints("strides")); err != nil {
		return s, err
	}
	if s.Dilations, err = PositiveInts("dilations", a.Ints("dilations")); err != nil {
		return s, err
	}
	s.AutoPad = a.String("auto_pad", "NOTSET")
	s.CeilMode = a.Int("ceil_mode", 0) != 0
	pads := a.Ints("pads")
	if err := a.Err(); err != nil {
		return s, err
	}
	if needKernel && s.Kernel == nil {
		return s, fmt.Errorf("attribute \"kernel_shape\" is required")
	}
	switch s.AutoPad {
	case "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID":
	default:
		return s, fmt.Errorf("attribute \"auto_pad\" is %q, want NOTSET, SAME_UPPER, SAME_LOWER or VALID", s.AutoPad)
	}
	if pads != nil {
		if len(pads)%2 != 0 {
			return s, fmt.Errorf("attribute \"pads\" has %d entries, want 2 per spatial axis", len(pads))
		}
		s.Pads = make([]int, len(pads))
		nonzero := false
		for i, p := range pads {
			if p < 0 {
				return s, fmt.Errorf("attribute \"pads\": entry %d is %d, must not be negative", i, p)
			}
			d, err := ToDim(p, fmt.Sprintf("attribute \"pads\" entry %d", i))
			if err != nil {
				return s, err
			}
			s.Pads[i] = d
			nonzero = nonzero || p != 0
		}
		if nonzero && s.AutoPad != "NOTSET" {
			return s, fmt.Errorf("attribute \"pads\" cannot be combined with auto_pad %s", s.AutoPad)
		}
	}
	return s, nil
}

// Resolve ties the attributes to an input whose spatial dims are in. kernel
// is the kernel's spatial shape when the op knows it from a weight (Conv);
// nil means kernel_shape. It checks every attribute has one entry per axis
// and that the dilated kernel fits the padded input.
func (s *WindowAttrs) Resolve(in, kernel []int) (Window, error) {
	kernel, err := s.checkAxes(len(in), kernel)
	if err != nil {
		return Window{}, err
	}
	nd := len(in)
	g := Window{
		In: slices.Clone(in), Kernel: slices.Clone(kernel), Out: make([]int, nd),
		Strides: ones(nd, s.Strides), Dilations: ones(nd, s.Dilations),
		PadBegin: make([]int, nd), PadEnd: make([]int, nd),
	}
	for i := range nd {
		if g.Out[i], g.PadBegin[i], g.PadEnd[i], err = s.axis(i, nd, in[i], kernel[i]); err != nil {
			return Window{}, err
		}
	}
	return g, nil
}

// Resolve3 is resolve for at most three spatial axes straight into a geom3,
// without allocating, for use in Run.
func (s *WindowAttrs) Resolve3(in, kernel []int) (Window3, error) {
	var r Window3
	kernel, err := s.checkAxes(len(in), kernel)
	if err != nil {
		return r, err
	}
	nd := len(in)
	if nd > MaxWindowAxes {
		return r, fmt.Errorf("%d spatial axes: %w (at most %d)", nd, ErrUnsupported, MaxWindowAxes)
	}
	off := MaxWindowAxes - nd
	for i := range MaxWindowAxes {
		r.In[i], r.Kernel[i], r.Out[i], r.Strides[i], r.Dilations[i] = 1, 1, 1, 1, 1
		j := i - off
		if j < 0 {
			continue
		}
		r.In[i], r.Kernel[i] = in[j], kernel[j]
		if s.Strides != nil {
			r.Strides[i] = s.Strides[j]
		}
		if s.Dilations != nil {
			r.Dilations[i] = s.Dilations[j]
		}
		if r.Out[i], r.Pad[i], r.PadEnd[i], err = s.axis(j, nd, in[j], kernel[j]); err != nil {
			return r, err
		}
	}
	return r, nil
}

// checkAxes checks every attribute has one entry per spatial axis for nd
// axes and returns the kernel's spatial shape (kernel, else kernel_shape).
func (s *WindowAttrs) checkAxes(nd int, kernel []int) ([]int, error) {
	if kernel == nil {
		kernel = s.Kernel
	} else if s.Kernel != nil && !slices.Equal(s.Kernel, kernel) {
		return nil, fmt.Errorf("attribute \"kernel_shape\" %v does not match the weight's spatial shape %v", s.Kernel, kernel)
	}
	if nd == 0 {
		return nil, fmt.Errorf("input has no spatial axes")
	}
	if kernel == nil {
		return nil, fmt.Errorf("attribute \"kernel_shape\" is required")
	}
	for _, a := range [...]struct {
		name string
		v    []int
		want int
	}{{"kernel_shape", kernel, nd}, {"strides", s.Strides, nd}, {"dilations", s.Dilations, nd}, {"pads", s.Pads, 2 * nd}} {
		if a.v != nil && len(a.v) != a.want {
			return nil, fmt.Errorf("attribute %q has %d entries, want %d for %d spatial axes", a.name, len(a.v), a.want, nd)
		}
	}
	return kernel, nil
}

// axis resolves spatial axis i of nd for an input of size in and a kernel of
// size k: the output size and the padding at both ends.
func (s *WindowAttrs) axis(i, nd, in, k int) (out, padBegin, padEnd int, err error) {
	if in <= 0 {
		return 0, 0, 0, fmt.Errorf("spatial axis %d of the input has size %d", i, in)
	}
	st, dil := 1, 1
	if s.Strides != nil {
		st = s.Strides[i]
	}
	if s.Dilations != nil {
		dil = s.Dilations[i]
	}
	ext := (k-1)*dil + 1
	switch s.AutoPad {
	case "SAME_UPPER", "SAME_LOWER":
		out = (in + st - 1) / st
		total := max(0, (out-1)*st+ext-in)
		small, big := total/2, total-total/2
		if s.AutoPad == "SAME_UPPER" {
			return out, small, big, nil
		}
		return out, big, small, nil
	case "NOTSET":
		if s.Pads != nil {
			padBegin, padEnd = s.Pads[i], s.Pads[nd+i]
		}
	}
	span := in + padBegin + padEnd - ext
	if span < 0 {
		return 0, 0, 0, fmt.Errorf("kernel extent %d (kernel %d, dilation %d) exceeds padded input size %d on spatial axis %d",
			ext, k, dil, in+padBegin+padEnd, i)
	}
	if !s.CeilMode {
		return span/st + 1, padBegin, padEnd, nil
	}
	out = (span+st-1)/st + 1
	// A window may not start in the end padding.
	if (out-1)*st >= in+padBegin {
		out--
	}
	return out, padBegin, padEnd, nil
}

// ones is v, or n ones when v is nil.
func ones(n int, v []int) []int {
	if v != nil {
		return slices.Clone(v)
	}
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// Size is the number of output positions of one spatial plane.
func (g *Window) Size() int { return NumElems(g.Out) }

// InSize is the number of input positions of one spatial plane.
func (g *Window) InSize() int { return NumElems(g.In) }

// KernelSize is the number of taps of the kernel.
func (g *Window) KernelSize() int { return NumElems(g.Kernel) }

// Unit reports whether the window is a 1x1 kernel with unit strides and no
// padding, so output position p reads input position p alone.
func (g *Window) Unit() bool {
	for i := range g.Kernel {
		if g.Kernel[i] != 1 || g.Strides[i] != 1 || g.PadBegin[i] != 0 || g.PadEnd[i] != 0 {
			return false
		}
	}
	return true
}

// Window3 is a window of at most three spatial axes resolved as exactly three
// (depth, height, width) with leading axes of size 1, so that one kernel
// loop serves 1-D, 2-D and 3-D windows.
type Window3 struct {
	In, Kernel, Out, Strides, Dilations [3]int
	Pad, PadEnd                         [3]int // padding at the start and end of each axis
}

// InSize is the number of positions of one input plane.
func (g *Window3) InSize() int { return g.In[0] * g.In[1] * g.In[2] }

// OutSize is the number of positions of one output plane.
func (g *Window3) OutSize() int { return g.Out[0] * g.Out[1] * g.Out[2] }

// Taps is the number of kernel positions.
func (g *Window3) Taps() int { return g.Kernel[0] * g.Kernel[1] * g.Kernel[2] }

// At returns, for output position o on axis a, the input position of
// the At's first tap and the range [lo, hi) of its taps inside the input.
func (g *Window3) At(a, o int) (start, lo, hi int) {
	start = o*g.Strides[a] - g.Pad[a]
	if k := g.Kernel[a]; start >= 0 && start+(k-1)*g.Dilations[a] < g.In[a] {
		return start, 0, k // inside: no division
	}
	lo, hi = ValidRun(start, g.Dilations[a], g.In[a], g.Kernel[a])
	return start, lo, hi
}

// Unit reports whether output position p reads input position p alone: a
// 1x1 kernel with Unit strides and no padding.
func (g *Window3) Unit() bool {
	return g.Taps() == 1 && g.Strides == [3]int{1, 1, 1} && g.Pad == [3]int{} && g.Out == g.In
}

// MaxWindowAxes is the number of spatial axes resolve3 handles.
const MaxWindowAxes = 3

// ValidRun is the range [lo, hi) of j in [0, n) for which start + j*stride
// lies in [0, size).
func ValidRun(start, stride, size, n int) (lo, hi int) {
	if start < 0 {
		lo = (-start + stride - 1) / stride
	}
	if start >= size {
		return min(lo, n), min(lo, n)
	}
	hi = (size-1-start)/stride + 1
	lo, hi = min(lo, n), min(hi, n)
	return lo, max(lo, hi)
}

// RowTaps calls fn for each kernel tap t = (kd*Kh+kh)*Kw+kw that reads
// inside plane src for output row (od, oh): in is the input row the tap
// reads, and output positions [lo, hi) of the row read in[iw+ow*stride],
// the others falling in the padding. Walking taps outermost lets a kernel
// update a whole output row per tap, with no dependency between positions.
func RowTaps[T any](g *Window3, src []T, od, oh int, fn func(t int, in []T, iw, lo, hi int)) {
	sd, d0, d1 := g.At(0, od)
	sh, h0, h1 := g.At(1, oh)
	for kd := d0; kd < d1; kd++ {
		id := sd + kd*g.Dilations[0]
		for kh := h0; kh < h1; kh++ {
			in := src[(id*g.In[1]+sh+kh*g.Dilations[1])*g.In[2]:][:g.In[2]]
			for kw := range g.Kernel[2] {
				iw := kw*g.Dilations[2] - g.Pad[2]
				lo, hi := ValidRun(iw, g.Strides[2], g.In[2], g.Out[2])
				if lo < hi { // a tap reading only padding contributes nothing
					fn((kd*g.Kernel[1]+kh)*g.Kernel[2]+kw, in, iw, lo, hi)
				}
			}
		}
	}
}
