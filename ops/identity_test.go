package ops

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func TestIdentity(t *testing.T) {
	for _, x := range []*Tensor{
		ewT(sh(2, 2), float32(1), -2, 3, 4),
		ewT(sh(3), int64(-1), 1<<40, 7),
		ewBools(sh(2), true, false),
		ewT(sh(0, 3), []uint16{}...),
	} {
		got, err := ewEval(t, "Identity", 21, 1, nil, x)
		if err != nil {
			t.Fatal(err)
		}
		ewCheck(t, "identity "+x.String(), got[0], x)
	}
}

func TestDropout(t *testing.T) {
	x := ewT(sh(2, 2), float32(1), -2, 3, 4)
	ones := ewBools(sh(2, 2), true, true, true, true)
	cases := []struct {
		name     string
		opset    int
		attrs    []*onnx.Attribute
		in       []*Tensor
		wantMask *Tensor
	}{
		{"opset 6 is_test 0", 6, []*onnx.Attribute{attrI("is_test", 0), attrF("ratio", 0.3)}, []*Tensor{x},
			ewT(sh(2, 2), float32(1), 1, 1, 1)},
		{"opset 7 float64 mask", 7, nil, []*Tensor{ewT(sh(2), float64(5), 6)}, ewT(sh(2), float64(1), 1)},
		{"opset 10 bool mask", 10, []*onnx.Attribute{attrF("ratio", 0.9)}, []*Tensor{x}, ones},
		{"opset 12 ratio", 12, nil, []*Tensor{x, ewT(sh(), float32(0.5))}, ones},
		{"opset 13 training false", 13, nil, []*Tensor{x, ewT(sh(), float32(0.5)), ewBools(sh(), false)}, ones},
		{"opset 22 training with ratio 0", 22, nil, []*Tensor{x, ewT(sh(), float64(0)), ewBools(sh(), true)}, ones},
	}
	for _, c := range cases {
		got, err := ewEval(t, "Dropout", c.opset, 2, c.attrs, c.in...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		ewCheck(t, c.name+" output", got[0], c.in[0])
		ewCheck(t, c.name+" mask", got[1], c.wantMask)
	}
	got, err := ewEval(t, "Dropout", 13, 1, nil, x)
	if err != nil || len(got) != 1 {
		t.Fatalf("without mask: %d outputs, %v", len(got), err)
	}
	ewCheck(t, "without mask", got[0], x)
}

func TestDropoutTrainingMode(t *testing.T) {
	x := ewT(sh(2), float32(1), 2)
	for _, in := range [][]*Tensor{
		{x, nil, ewBools(sh(), true)},
		{x, ewT(sh(), float32(0.1)), ewBools(sh(), true)},
	} {
		if _, err := ewEval(t, "Dropout", 13, 1, nil, in...); err == nil || !strings.Contains(err.Error(), "training mode unsupported") {
			t.Errorf("constant training_mode true: error %v", err)
		}
	}
	// A training_mode known only at run time fails in Run.
	o, err := Build(ewNode("Dropout", []*Tensor{x, x, x}, 1), 13)
	if err != nil {
		t.Fatal(err)
	}
	vals := []Value{{Type: onnx.Float, Shape: sh(2)}, {Type: onnx.Float, Shape: sh()}, {Type: onnx.Bool, Shape: sh()}}
	if _, err := o.Infer(vals); err != nil {
		t.Fatal(err)
	}
	y := New(onnx.Float, 2)
	for _, c := range []struct {
		ratio float32
		train bool
		fail  bool
	}{{0.5, false, false}, {0, true, false}, {0.5, true, true}} {
		err := o.Run(&Ctx{Par: Serial{}}, []*Tensor{x, ewT(sh(), c.ratio), ewBools(sh(), c.train)}, []*Tensor{y})
		if c.fail != errors.Is(err, errDropoutTraining) || !c.fail && err != nil {
			t.Errorf("ratio %g training %v: error %v", c.ratio, c.train, err)
		}
	}
	if _, err := ewEval(t, "Dropout", 13, 1, nil, ewT(sh(1), int32(1))); err == nil {
		t.Error("Dropout accepted int32 data")
	}
	if _, err := Build(ewNode("Dropout", []*Tensor{x}, 3), 13); err == nil {
		t.Error("Dropout accepted 3 outputs")
	}
}

func TestIdentityDropoutNodeTests(t *testing.T) {
	// test_identity passes; test_identity_opt and test_identity_sequence use
	// non-tensor types and are skipped. All 6 Dropout tests pass.
	if n := nodeTests(t, "test_identity*", "test_dropout*"); n != 7 {
		t.Errorf("%d identity and dropout node tests passed, want 7", n)
	}
}
