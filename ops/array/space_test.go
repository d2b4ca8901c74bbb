package array

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestDepthToSpaceAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for _, c := range []struct {
		shape []int
		b     int
	}{{[]int{1, 8, 2, 3}, 2}, {[]int{2, 9, 3, 2}, 3}, {[]int{1, 4, 1, 1}, 2}, {[]int{3, 5, 4, 7}, 1}, {[]int{1, 32, 9, 11}, 4}, {[]int{0, 4, 2, 2}, 2}} {
		for _, mode := range []string{"DCR", "CRD"} {
			x := opstest.RandomBytes(rng, onnx.Uint16, c.shape...)
			label := fmt.Sprintf("DepthToSpace %s %v blocksize %d", mode, c.shape, c.b)
			got, err := opstest.EwEval(t, "DepthToSpace", 13, 1, []*onnx.Attribute{opstest.AttrI("blocksize", int64(c.b)), opstest.AttrS("mode", mode)}, x)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			n, ch, h, w, b := c.shape[0], c.shape[1], c.shape[2], c.shape[3], c.b
			oc := ch / (b * b)
			want := ops.New(onnx.Uint16, n, oc, h*b, w*b)
			for e := range want.Len() {
				m := multiIndex(e, want.Shape)
				i, j := m[2]%b, m[3]%b
				src := (i*b+j)*oc + m[1]
				if mode == "CRD" {
					src = m[1]*b*b + i*b + j
				}
				want.U16()[e] = x.U16()[flatIndex([]int{m[0], src, m[2] / b, m[3] / b}, c.shape)]
			}
			opstest.WantTensor(t, label, got[0], want)
			// SpaceToDepth undoes DCR.
			if mode == "DCR" {
				back, err := opstest.EwEval(t, "SpaceToDepth", 13, 1, []*onnx.Attribute{opstest.AttrI("blocksize", int64(c.b))}, got[0])
				if err != nil {
					t.Errorf("%s back: %v", label, err)
					continue
				}
				opstest.WantTensor(t, label+" and back", back[0], x)
			}
		}
	}
	// DepthToSpace-1 has no mode: always DCR.
	x := opstest.Iota32(1, 8, 1, 1)
	got, err := opstest.Eval(opstest.Node("DepthToSpace", opstest.InNames(1), 1, opstest.AttrI("blocksize", 2), opstest.AttrS("mode", "CRD")), 1, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "DepthToSpace-1", got[0], opstest.WithShape(opstest.F32s(0, 2, 4, 6, 1, 3, 5, 7), 1, 2, 2, 2))
}

func TestSpaceErrors(t *testing.T) {
	for _, c := range []struct {
		name, op string
		attrs    []*onnx.Attribute
		shape    []int
		err      string
	}{
		{"channels", "DepthToSpace", []*onnx.Attribute{opstest.AttrI("blocksize", 2)}, []int{1, 6, 2, 2}, "multiple of blocksize 2 squared"},
		{"spatial", "SpaceToDepth", []*onnx.Attribute{opstest.AttrI("blocksize", 2)}, []int{1, 1, 3, 2}, "multiples of blocksize 2"},
		{"rank", "SpaceToDepth", []*onnx.Attribute{opstest.AttrI("blocksize", 2)}, []int{1, 2, 2}, "want 4-D"},
	} {
		_, err := opstest.Eval(opstest.Node(c.op, opstest.InNames(1), 1, c.attrs...), 13, ops.New(onnx.Float, c.shape...))
		opstest.WantErr(t, c.name, err, c.err)
	}
	_, err := ops.Build(opstest.Node("DepthToSpace", opstest.InNames(1), 1), 13)
	opstest.WantErr(t, "no blocksize", err, "\"blocksize\" is required")
	_, err = ops.Build(opstest.Node("SpaceToDepth", opstest.InNames(1), 1, opstest.AttrI("blocksize", 0)), 13)
	opstest.WantErr(t, "zero blocksize", err, "want a positive size")
	_, err = ops.Build(opstest.Node("DepthToSpace", opstest.InNames(1), 1, opstest.AttrI("blocksize", 2), opstest.AttrS("mode", "RDC")), 13)
	opstest.WantErr(t, "mode", err, "want DCR or CRD")
}

func TestSpaceNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_depthtospace*", "test_spacetodepth*"); got != 4 {
		t.Errorf("%d DepthToSpace/SpaceToDepth node tests passed, want 4", got)
	}
}
