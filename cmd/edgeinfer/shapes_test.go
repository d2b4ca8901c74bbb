package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// writeModel writes m into a temporary folder and returns its path.
func writeModel(t *testing.T, m *onnx.Model) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(path, marshal(t, m), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// floatInfo declares a float tensor; dims are ints (dim_value) or strings
// (dim_param).
func floatInfo(name string, dims ...any) *onnx.ValueInfo {
	ti := onnx.TypeInfo{Kind: onnx.KindTensor, Elem: onnx.Float, HasShape: true, Shape: []onnx.Dim{}}
	for _, d := range dims {
		switch d := d.(type) {
		case int:
			ti.Shape = append(ti.Shape, onnx.Dim{Value: int64(d), Known: true})
		case string:
			ti.Shape = append(ti.Shape, onnx.Dim{Param: d, Known: true})
		}
	}
	return &onnx.ValueInfo{Name: name, Type: ti}
}

// paddleStyle is a Paddle-like export: an input of unknown batch
// (dim_value -1), height "h" and width "?", and a convolution whose weights
// are held in a Constant node. 4x3x3x3 weights: 108 parameters.
func paddleStyle() *onnx.Model {
	w := tensorProto("", rand.New(rand.NewPCG(3, 4)), 4, 3, 3, 3)
	return &onnx.Model{
		IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: 11}},
		Graph: &onnx.Graph{
			Nodes: []*onnx.Node{
				{OpType: "Constant", Outputs: []string{"w"}, Attrs: []*onnx.Attribute{{Name: "value", Type: onnx.AttrTensor, T: w}}},
				{OpType: "Conv", Inputs: []string{"x", "w"}, Outputs: []string{"c"}, Attrs: []*onnx.Attribute{ints("pads", 1, 1, 1, 1)}},
				{OpType: "GlobalAveragePool", Inputs: []string{"c"}, Outputs: []string{"g"}},
				{OpType: "Flatten", Inputs: []string{"g"}, Outputs: []string{"y"}},
			},
			Inputs:  []*onnx.ValueInfo{floatInfo("x", -1, 3, "h", "?")},
			Outputs: []*onnx.ValueInfo{floatInfo("y", -1, 4)},
		},
	}
}

// inspectJSON runs inspect -json with args and decodes its output.
func inspectJSON(t *testing.T, args ...string) inspection {
	t.Helper()
	code, out, errs := cli(t, append([]string{"inspect", "-json"}, args...)...)
	if code != 0 {
		t.Fatalf("inspect %q: exit %d: %s", args, code, errs)
	}
	var in inspection
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatalf("inspect %q: %v: %s", args, err, out)
	}
	return in
}

func TestShapeFlag(t *testing.T) {
	path := writeModel(t, paddleStyle())
	symbolic := []string{"x[0]=?", "x[2]=h", "x[3]=?"}

	in := inspectJSON(t, path)
	if !reflect.DeepEqual(in.Symbolic, symbolic) || in.Params != 108 || in.PlanError != "" ||
		!reflect.DeepEqual(in.PlanShapes, map[string][]int{"x": {1, 3, 1, 1}}) || in.MACs != 1*4*1*1*27 {
		t.Errorf("inspect without -shape: %+v", in)
	}
	for _, shape := range []string{"x:2x3x5x6", "2x3x5x6"} {
		in = inspectJSON(t, "-shape", shape, path)
		if !reflect.DeepEqual(in.Symbolic, symbolic) || !reflect.DeepEqual(in.PlanShapes, map[string][]int{"x": {2, 3, 5, 6}}) || in.MACs != 2*4*5*6*27 {
			t.Errorf("inspect -shape %s: %+v", shape, in)
		}
	}
	code, out, _ := cli(t, "inspect", path)
	for _, want := range []string{
		"symbolic    x[0]=?, x[2]=h, x[3]=?\n",
		"parameters  108 (432 B)\n",
		"shapes      x:1x3x1x1 (x[0]=?, x[2]=h, x[3]=? set to 1: size them with -shape x:?x3x?x?)\n",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("inspect: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	code, out, _ = cli(t, "inspect", "-shape", "2x3x5x6", path)
	if code != 0 || !strings.Contains(out, "shapes      x:2x3x5x6\n") {
		t.Errorf("inspect -shape: exit %d, output:\n%s", code, out)
	}

	code, _, errs := cliOutcome(t, "bench without -shape", false, "bench", "-runs", "1", "-warmup", "0", path)
	if want := "symbolic dims have no size (x[0]=?, x[2]=h, x[3]=?): give them with -shape x:?x3x?x?"; code != 2 || !strings.Contains(errs, want) {
		t.Errorf("bench without -shape: exit %d, %q: want 2 and %q", code, errs, want)
	}
	code, out, errs = cli(t, "bench", "-runs", "1", "-warmup", "0", "-json", "-shape", "2x3x5x6", path)
	var r benchResult
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || !reflect.DeepEqual(r.Shapes, map[string][]int{"x": {2, 3, 5, 6}}) || r.ArenaBytes == 0 {
		t.Errorf("bench -shape: exit %d, out %q, err %q", code, out, errs)
	}
}

// twoInputs adds a [N 3] and b [N 3].
func twoInputs() *onnx.Model {
	return &onnx.Model{
		IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: 13}},
		Graph: &onnx.Graph{
			Nodes:   []*onnx.Node{{OpType: "Add", Inputs: []string{"a", "b"}, Outputs: []string{"y"}}},
			Inputs:  []*onnx.ValueInfo{floatInfo("a", "N", 3), floatInfo("b", "N", 3)},
			Outputs: []*onnx.ValueInfo{floatInfo("y", "N", 3)},
		},
	}
}

func TestShapeFlagErrors(t *testing.T) {
	path := writeModel(t, twoInputs())
	in := inspectJSON(t, "-shape", "a:2x3", path)
	if !reflect.DeepEqual(in.PlanShapes, map[string][]int{"a": {2, 3}, "b": {1, 3}}) || in.PlanError != "" {
		t.Errorf("inspect -shape a:2x3: %+v", in)
	}
	code, _, errs := cli(t, "bench", "-runs", "1", "-warmup", "0", "-shape", "a:2x3", "-shape", "b:2x3", path)
	if code != 0 {
		t.Errorf("bench with both shapes: exit %d, %q", code, errs)
	}
	for _, c := range []struct {
		shapes []string
		want   string
	}{
		{nil, "symbolic dims have no size (a[0]=N, b[0]=N): give them with -shape a:?x3 -shape b:?x3, a size for each ?"},
		{[]string{"a:2x3"}, "symbolic dims have no size (b[0]=N): give them with -shape b:?x3"},
		{[]string{"2x3"}, `-shape 2x3: the model has 2 inputs ("a", "b"): give each as NAME:DIMS`},
		{[]string{"c:2x3"}, `-shape c:2x3: the model has no input "c" (its inputs: "a", "b")`},
		{[]string{"a:2x3", "a:2x3"}, `-shape: input "a" is given twice`},
		{[]string{"a:1x2x3", "b:2x3"}, `input "a": got float32[1 2 3], want rank 2 [N 3]`},
		{[]string{"a:2x4", "b:2x4"}, `input "a": got float32[2 4], want [N 3]`},
		{[]string{"a:2x"}, `invalid value "a:2x" for flag -shape: "" is not a dimension size`},
		{[]string{"a:2x-1"}, `"-1" is not a dimension size`},
		{[]string{":2x3"}, "no input name before the colon"},
		{[]string{"a:1073741824x3", "b:1x3"}, `input "a": float32[1073741824 3] needs more than`},
	} {
		args := []string{"bench", "-runs", "1", "-warmup", "0"}
		for _, s := range c.shapes {
			args = append(args, "-shape", s)
		}
		code, _, errs := cliOutcome(t, strings.Join(c.shapes, " "), false, append(args, path)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("bench -shape %q: exit %d, %q: want 2 and %q", c.shapes, code, errs, c.want)
		}
	}
}
