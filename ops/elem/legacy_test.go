package elem

import (
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestImageScaler(t *testing.T) {
	x := opstest.Typed(opstest.Sh(2, 2, 1, 3), float32(1), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	got, err := opstest.EwEval(t, "ImageScaler", 1, 1, []*onnx.Attribute{opstest.AttrF("scale", 2), attrFs("bias", 10, -10)}, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "scale and bias", got[0], opstest.Typed(opstest.Sh(2, 2, 1, 3), float32(12), 14, 16, -2, 0, 2, 24, 26, 28, 10, 12, 14))
	got, err = opstest.EwEval(t, "ImageScaler", 1, 1, []*onnx.Attribute{attrFs("bias", 0.5)}, opstest.Typed(opstest.Sh(1, 1, 1, 2), 1.5, -2))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "default scale, float64", got[0], opstest.Typed(opstest.Sh(1, 1, 1, 2), 2.0, -1.5))
	got, err = opstest.EwEval(t, "ImageScaler", 1, 1, []*onnx.Attribute{attrFs("bias", 1, 2)}, opstest.Typed[float32](opstest.Sh(0, 2, 3, 1)))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "empty batch", got[0], opstest.Typed[float32](opstest.Sh(0, 2, 3, 1)))
	for _, c := range []struct {
		name  string
		attrs []*onnx.Attribute
		in    *ops.Tensor
		frag  string
	}{
		{"bias length", []*onnx.Attribute{attrFs("bias", 1, 2, 3)}, x, "has 3 values, the input has 2 channels"},
		{"rank", []*onnx.Attribute{attrFs("bias", 1)}, opstest.Typed(opstest.Sh(1, 1, 2), float32(1), 2), "want [N, C, H, W]"},
		{"int", []*onnx.Attribute{attrFs("bias", 1)}, opstest.Typed(opstest.Sh(1, 1, 1, 1), int32(1)), "has type int32, want float"},
		{"no bias", nil, x, "attribute \"bias\" is required"},
	} {
		_, err := opstest.EwEval(t, "ImageScaler", 1, 1, c.attrs, c.in)
		opstest.WantErr(t, c.name, err, c.frag)
	}
}

// attrFs is a FLOATS attribute.
func attrFs(name string, v ...float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloats, Floats: v}
}

// TestORTGoldens runs the experimental operators on tests whose expected
// outputs ONNX Runtime computed (testdata/ort, made with the reference
// kit's mktest.mjs): ImageScaler, Affine, ScaledTanh, ParametricSoftplus,
// Scale and ThresholdedRelu-1.
func TestORTGoldens(t *testing.T) {
	dirs, err := filepath.Glob("testdata/ort/test_*")
	if err != nil || len(dirs) != 9 {
		t.Fatalf("found %d golden tests (%v), want 9", len(dirs), err)
	}
	for _, d := range dirs {
		if err := opstest.RunNodeTest(d); err != nil {
			t.Errorf("%s: %v", filepath.Base(d), err)
		}
	}
}
