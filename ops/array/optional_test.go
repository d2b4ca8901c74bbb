package array

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestOptional(t *testing.T) {
	x := opstest.F32s(1, 2)
	for _, c := range []struct {
		in   []*ops.Tensor
		want bool
	}{{[]*ops.Tensor{x}, true}, {[]*ops.Tensor{nil}, false}, {nil, false}} {
		got, err := opstest.Eval(opstest.EwNode("OptionalHasElement", c.in, 1), 18, c.in...)
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, "OptionalHasElement", got[0], opstest.Bools(nil, c.want))
	}
	got, err := opstest.Eval(opstest.Node("OptionalGetElement", opstest.InNames(1), 1), 18, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "OptionalGetElement", got[0], x)
	_, err = opstest.Eval(opstest.EwNode("OptionalGetElement", []*ops.Tensor{nil}, 1), 15, nil)
	opstest.WantErr(t, "OptionalGetElement of nothing", err, "missing")
}

func TestOptionalNodeTests(t *testing.T) {
	// The tests of tensors and of omitted inputs; those of optional and
	// sequence types are skipped as unsupported.
	if got := opstest.AllNodeTests(t, "test_optional*"); got != 5 {
		t.Errorf("%d Optional node tests passed, want 5", got)
	}
}
