package models_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
)

// value is what inferShapes knows of a tensor: its shape and, for the small
// int64 and float tensors that shape computations use (Constant, Shape,
// Gather, Unsqueeze, Concat), its values.
type value struct {
	shape  []int64
	ints   []int64
	floats []float32
}

// attrInts returns the named ints attribute (nil if absent).
func attrInts(n *onnx.Node, name string) []int64 {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a.Ints
		}
	}
	return nil
}

// attrInt returns the named int attribute, or def if absent.
func attrInt(n *onnx.Node, name string, def int64) int64 {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a.I
		}
	}
	return def
}

// window applies a kernel/stride/pad window (with ceil_mode) to an NCHW
// shape, giving cout channels.
func window(n *onnx.Node, in []int64, cout int64) ([]int64, error) {
	k, s, p := attrInts(n, "kernel_shape"), attrInts(n, "strides"), attrInts(n, "pads")
	if len(k) != 2 || len(s) != 2 || len(p) != 4 {
		return nil, fmt.Errorf("kernel_shape %v, strides %v, pads %v: want 2, 2 and 4 values", k, s, p)
	}
	out := []int64{in[0], cout, 0, 0}
	for i := range 2 {
		span := in[2+i] + p[i] + p[2+i] - k[i]
		out[2+i] = span/s[i] + 1
		if attrInt(n, "ceil_mode", 0) == 1 && span%s[i] != 0 {
			out[2+i]++
		}
	}
	return out, nil
}

// broadcast returns the numpy-style broadcast of shapes a and b.
func broadcast(a, b []int64) ([]int64, error) {
	out := make([]int64, max(len(a), len(b)))
	for i := range out {
		da, db := int64(1), int64(1)
		if j := len(a) - len(out) + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - len(out) + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
	}
	return out, nil
}

// constantValue reads a Constant node's int64 or float tensor.
func constantValue(n *onnx.Node) (value, error) {
	if len(n.Attrs) != 1 || n.Attrs[0].Name != "value" || n.Attrs[0].T == nil {
		return value{}, fmt.Errorf("want one tensor attribute, value")
	}
	t := n.Attrs[0].T
	v := value{shape: t.Dims}
	switch {
	case t.DataType == onnx.Int64 && len(t.RawData) == 8*int(numel(t.Dims)):
		for i := range numel(t.Dims) {
			v.ints = append(v.ints, int64(binary.LittleEndian.Uint64(t.RawData[8*i:])))
		}
	case t.DataType == onnx.Float && len(t.RawData) == 4*int(numel(t.Dims)):
		for i := range numel(t.Dims) {
			v.floats = append(v.floats, math.Float32frombits(binary.LittleEndian.Uint32(t.RawData[4*i:])))
		}
	default:
		return value{}, fmt.Errorf("tensor of type %v, dims %v with %d raw bytes", t.DataType, t.Dims, len(t.RawData))
	}
	return v, nil
}

// inferShapes walks the graph in node order for the given input shape,
// checking that every input is defined before use and that operand shapes
// agree, and returns every value's shape. It is an independent reading of the ONNX
// shape rules for the ops the builders emit, tracking the values of the
// small tensors a Reshape's, Split's, Slice's or Resize's sizes come from.
func inferShapes(m *onnx.Model, input []int64) (map[string][]int64, error) {
	// "" is an omitted optional input (Resize's roi).
	vals := map[string]value{models.InputName: {shape: input}, "": {}}
	for _, x := range m.Graph.Initializer {
		vals[x.Name] = value{shape: x.Dims}
	}
	for _, n := range m.Graph.Nodes {
		ins := make([]value, len(n.Inputs))
		for i, name := range n.Inputs {
			v, ok := vals[name]
			if !ok {
				return nil, fmt.Errorf("node %s: input %q used before it is defined", n.Name, name)
			}
			ins[i] = v
		}
		outs, err := inferNode(n, ins)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.Name, err)
		}
		if len(outs) != len(n.Outputs) {
			return nil, fmt.Errorf("node %s: %d outputs, want %d", n.Name, len(n.Outputs), len(outs))
		}
		for i, o := range n.Outputs {
			if _, dup := vals[o]; dup {
				return nil, fmt.Errorf("node %s: output %q defined twice", n.Name, o)
			}
			vals[o] = outs[i]
		}
	}
	shapes := map[string][]int64{}
	for name, v := range vals {
		shapes[name] = v.shape
	}
	return shapes, nil
}

// inferNode returns the outputs of node n given its inputs.
func inferNode(n *onnx.Node, in []value) ([]value, error) {
	shape := func(s []int64, err error) ([]value, error) { return []value{{shape: s}}, err }
	var x []int64
	if len(in) > 0 {
		x = in[0].shape
	}
	switch n.OpType {
	case "Constant":
		v, err := constantValue(n)
		return []value{v}, err
	case "Conv":
		w, g := in[1].shape, attrInt(n, "group", 1)
		if len(x) != 4 || x[1] != w[1]*g || w[0]%g != 0 || !slices.Equal(attrInts(n, "kernel_shape"), w[2:]) {
			return nil, fmt.Errorf("input %v does not fit weight %v in %d groups", x, w, g)
		}
		if len(in) == 3 && !slices.Equal(in[2].shape, w[:1]) {
			return nil, fmt.Errorf("bias %v for %d output channels", in[2].shape, w[0])
		}
		return shape(window(n, x, w[0]))
	case "MaxPool", "AveragePool":
		return shape(window(n, x, x[1]))
	case "Relu", "Clip", "HardSwish", "HardSigmoid", "Sigmoid", "Softmax":
		return shape(x, nil)
	case "BatchNormalization":
		for _, p := range in[1:] {
			if !slices.Equal(p.shape, x[1:2]) {
				return nil, fmt.Errorf("parameter %v for %d channels", p.shape, x[1])
			}
		}
		return shape(x, nil)
	case "Add", "Sub", "Mul", "Div":
		return shape(broadcast(x, in[1].shape))
	case "GlobalAveragePool":
		return shape([]int64{x[0], x[1], 1, 1}, nil)
	case "ReduceMean":
		if axes := attrInts(n, "axes"); !slices.Equal(axes, []int64{2, 3}) || attrInt(n, "keepdims", 1) != 0 || len(x) != 4 {
			return nil, fmt.Errorf("axes %v over %v: want the spatial mean without kept dims", axes, x)
		}
		return shape(x[:2], nil)
	case "Flatten":
		return shape([]int64{x[0], numel(x[1:])}, nil)
	case "Gemm":
		w := in[1].shape
		if len(x) != 2 || x[1] != w[1] || !slices.Equal(in[2].shape, w[:1]) {
			return nil, fmt.Errorf("x %v, W %v, b %v do not fit transB=1", x, w, in[2].shape)
		}
		return shape([]int64{x[0], w[0]}, nil)
	case "Concat":
		return concatValues(attrInt(n, "axis", -1), in)
	case "Split":
		axis, sizes := attrInt(n, "axis", 0), in[1].ints
		if sumInts(sizes) != x[axis] {
			return nil, fmt.Errorf("sizes %v split %d", sizes, x[axis])
		}
		var outs []value
		for _, s := range sizes {
			o := slices.Clone(x)
			o[axis] = s
			outs = append(outs, value{shape: o})
		}
		return outs, nil
	case "Shape":
		return []value{{shape: []int64{int64(len(x))}, ints: x}}, nil
	case "Gather":
		if len(x) != 1 || in[0].ints == nil || len(in[1].shape) != 0 || len(in[1].ints) != 1 || attrInt(n, "axis", 0) != 0 {
			return nil, fmt.Errorf("gathers %v from %v: want a scalar index into a known vector", in[1], in[0])
		}
		return []value{{shape: []int64{}, ints: in[0].ints[in[1].ints[0] : in[1].ints[0]+1]}}, nil
	case "Unsqueeze":
		if !slices.Equal(in[1].ints, []int64{0}) || len(x) != 0 {
			return nil, fmt.Errorf("unsqueezes %v at %v: want a scalar at axis 0", x, in[1].ints)
		}
		return []value{{shape: []int64{1}, ints: in[0].ints}}, nil
	case "Reshape":
		return shape(reshape(x, in[1].ints))
	case "Transpose":
		perm := attrInts(n, "perm")
		o := make([]int64, len(perm))
		for i, p := range perm {
			o[i] = x[p]
		}
		return shape(o, nil)
	case "Slice":
		starts, ends, axes := in[1].ints, in[2].ints, in[3].ints
		if len(starts) != 1 || len(ends) != 1 || len(axes) != 1 || ends[0] > x[axes[0]] || starts[0] >= ends[0] {
			return nil, fmt.Errorf("slices [%v, %v) of axes %v from %v", starts, ends, axes, x)
		}
		o := slices.Clone(x)
		o[axes[0]] = ends[0] - starts[0]
		return shape(o, nil)
	case "Resize":
		scales := in[2].floats
		if len(scales) != len(x) || in[1].shape != nil {
			return nil, fmt.Errorf("scales %v for %v, roi %v", scales, x, in[1].shape)
		}
		o := make([]int64, len(x))
		for i, d := range x {
			o[i] = int64(math.Floor(float64(d) * float64(scales[i])))
		}
		return shape(o, nil)
	}
	return nil, fmt.Errorf("unexpected op %s", n.OpType)
}

func sumInts(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}

// concatValues concatenates shapes along axis (and known values).
func concatValues(axis int64, in []value) ([]value, error) {
	out := value{shape: slices.Clone(in[0].shape)}
	if axis < 0 || int(axis) >= len(out.shape) {
		return nil, fmt.Errorf("axis %d of %v", axis, out.shape)
	}
	out.shape[axis] = 0
	known := true
	for _, v := range in {
		if len(v.shape) != len(out.shape) {
			return nil, fmt.Errorf("concatenates %v and %v", in[0].shape, v.shape)
		}
		for i := range v.shape {
			if i != int(axis) && v.shape[i] != in[0].shape[i] {
				return nil, fmt.Errorf("concatenates %v and %v on axis %d", in[0].shape, v.shape, axis)
			}
		}
		out.shape[axis] += v.shape[axis]
		known = known && v.ints != nil
		out.ints = append(out.ints, v.ints...)
	}
	if !known {
		out.ints = nil
	}
	return []value{out}, nil
}

// reshape applies a Reshape's target sizes (one may be -1) to shape x.
func reshape(x, target []int64) ([]int64, error) {
	if target == nil {
		return nil, fmt.Errorf("target shape unknown")
	}
	o, free, known := slices.Clone(target), -1, int64(1)
	for i, d := range o {
		switch {
		case d == -1 && free < 0:
			free = i
		case d > 0:
			known *= d
		default:
			return nil, fmt.Errorf("target %v", target)
		}
	}
	if free >= 0 && known > 0 && numel(x)%known == 0 {
		o[free] = numel(x) / known
	}
	if numel(o) != numel(x) {
		return nil, fmt.Errorf("reshapes %v to %v", x, target)
	}
	return o, nil
}
