package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// shapeArg is one -shape value: an input's name ("" when given bare) and
// its dimensions.
type shapeArg struct {
	name string
	dims []int
}

// shapeFlags collects the -shape flags of inspect and bench, each
// NAME:DIMS, or DIMS alone for a model with one input, with DIMS sizes
// joined by x (1x3x480x640). The name is what precedes the last colon, so
// names holding colons (TensorFlow's "input:0") work.
type shapeFlags []shapeArg

func (s *shapeFlags) String() string {
	if s == nil {
		return ""
	}
	var parts []string
	for _, a := range *s {
		parts = append(parts, formatShape(a.name, a.dims))
	}
	return strings.Join(parts, " ")
}

// Set parses one -shape value.
func (s *shapeFlags) Set(v string) error {
	name, dims := "", v
	if i := strings.LastIndex(v, ":"); i >= 0 {
		name, dims = v[:i], v[i+1:]
		if name == "" {
			return errors.New("no input name before the colon: want NAME:DIMS, e.g. x:1x3x224x224, or DIMS alone")
		}
	}
	var shape []int
	for _, f := range strings.Split(dims, "x") {
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a dimension size: want sizes joined by x, e.g. 1x3x224x224", f)
		}
		shape = append(shape, d)
	}
	*s = append(*s, shapeArg{name, shape})
	return nil
}

// formatShape is the -shape form of an input's shape, e.g. x:1x3x224x224
// (the dimensions alone when name is "").
func formatShape(name string, dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = strconv.Itoa(d)
	}
	if name == "" {
		return strings.Join(parts, "x")
	}
	return name + ":" + strings.Join(parts, "x")
}

// unsized describes the dimensions of ins that declare no size, as
// "x[0]=N" ("x[2]=?" for one without a symbolic name).
func unsized(ins []runtime.IOInfo) []string {
	var out []string
	for _, io := range ins {
		for d, v := range io.Dims {
			if v >= 0 {
				continue
			}
			name := io.Params[d]
			if name == "" {
				name = "?"
			}
			out = append(out, fmt.Sprintf("%s[%d]=%s", io.Name, d, name))
		}
	}
	return out
}

// plannedShapes are the input shapes for a plan, from -shape flags and the
// declared shapes.
type plannedShapes struct {
	// shapes has one shape per input: the one given, or the declared one
	// with 1 for each dimension of unknown size.
	shapes [][]int
	// unsized lists those dimensions set to 1, as unsized does.
	unsized []string
	// hint is the -shape flags that would size them, with a ? for each
	// size to fill in, e.g. "-shape x:?x3x?x?".
	hint string
}

// inputShapes matches the -shape flags to the model inputs ins. A name
// that is not an input, an input given twice, a bare shape for a model
// without exactly one input and an input declared without a shape and not
// given are errors; whether the shapes fit the declarations is for
// runtime.Model.Plan to check.
func inputShapes(ins []runtime.IOInfo, given shapeFlags) (*plannedShapes, error) {
	names := make([]string, len(ins))
	index := map[string]int{}
	for i, io := range ins {
		names[i] = fmt.Sprintf("%q", io.Name)
		index[io.Name] = i
	}
	byInput := make([][]int, len(ins))
	for _, a := range given {
		i, ok := index[a.name]
		switch {
		case a.name == "" && len(ins) != 1:
			return nil, fmt.Errorf("-shape %s: the model has %d inputs (%s): give each as NAME:DIMS", formatShape("", a.dims), len(ins), strings.Join(names, ", "))
		case a.name == "":
			i = 0
		case !ok:
			return nil, fmt.Errorf("-shape %s: the model has no input %q (its inputs: %s)", formatShape(a.name, a.dims), a.name, strings.Join(names, ", "))
		}
		if byInput[i] != nil {
			return nil, fmt.Errorf("-shape: input %q is given twice", ins[i].Name)
		}
		byInput[i] = a.dims
	}
	ps := &plannedShapes{shapes: byInput}
	var hints []string
	for i, io := range ins {
		switch {
		case byInput[i] != nil:
			continue
		case io.Dims == nil:
			return nil, fmt.Errorf("input %q declares no shape: give it with -shape %s:DIMS", io.Name, io.Name)
		}
		shape := make([]int, len(io.Dims))
		sizes := make([]string, len(io.Dims))
		for d, v := range io.Dims {
			shape[d], sizes[d] = int(v), strconv.FormatInt(v, 10)
			if v < 0 {
				shape[d], sizes[d] = 1, "?"
			}
		}
		ps.shapes[i] = shape
		if u := unsized(ins[i : i+1]); len(u) > 0 {
			ps.unsized = append(ps.unsized, u...)
			hints = append(hints, "-shape "+io.Name+":"+strings.Join(sizes, "x"))
		}
	}
	ps.hint = strings.Join(hints, " ")
	return ps, nil
}

// byName maps each input's name to its planned shape.
func (ps *plannedShapes) byName(ins []runtime.IOInfo) map[string][]int {
	m := make(map[string][]int, len(ins))
	for i, io := range ins {
		m[io.Name] = ps.shapes[i]
	}
	return m
}

// formatted lists the planned shapes in -shape form, in input order.
func (ps *plannedShapes) formatted(ins []runtime.IOInfo) []string {
	out := make([]string, len(ins))
	for i, io := range ins {
		out[i] = formatShape(io.Name, ps.shapes[i])
	}
	return out
}
