package vision

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestImageDecoderNodeTests(t *testing.T) {
	names := []string{"bmp", "jpeg2k", "jpeg_bgr", "jpeg_grayscale", "jpeg_rgb", "png", "pnm", "tiff", "webp"}
	var patterns []string
	for _, n := range names {
		patterns = append(patterns, "test_image_decoder_decode_"+n+"*")
	}
	if got := opstest.AllNodeTests(t, patterns...); got != len(names) {
		t.Errorf("%d ImageDecoder node tests passed, want %d", got, len(names))
	}
}

// build0 builds an ImageDecoder node with the given pixel_format ("" for the default).
func buildDecoder(t *testing.T, format string) ops.Op {
	t.Helper()
	n := &onnx.Node{OpType: "ImageDecoder", Inputs: []string{"x"}, Outputs: []string{"y"}}
	if format != "" {
		n.Attrs = []*onnx.Attribute{{Name: "pixel_format", Type: onnx.AttrString, S: []byte(format)}}
	}
	op, err := ops.Build(n, 20)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// run infers and runs op on the encoded bytes.
func decodeWith(t *testing.T, op ops.Op, data []byte) *ops.Tensor {
	t.Helper()
	in := ops.New(onnx.Uint8, len(data))
	copy(in.U8(), data)
	vals, err := op.Infer([]ops.Value{{Type: onnx.Uint8, Shape: in.Shape, Const: in}})
	if err != nil {
		t.Fatal(err)
	}
	out := ops.New(vals[0].Type, vals[0].Shape...)
	if err := op.Run(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{in}, []*ops.Tensor{out}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImageDecoderFormats(t *testing.T) {
	ppm := []byte("P6 2 1 255\n\x01\x02\x03\x04\x05\x06")
	if got := decodeWith(t, buildDecoder(t, ""), ppm); !ops.SameShape(got.Shape, []int{1, 2, 3}) || !bytes.Equal(got.U8(), ppm[11:]) {
		t.Errorf("RGB: %v %v", got.Shape, got.U8())
	}
	if got := decodeWith(t, buildDecoder(t, "BGR"), ppm); !bytes.Equal(got.U8(), []byte{3, 2, 1, 6, 5, 4}) {
		t.Errorf("BGR: %v", got.U8())
	}
	gray := decodeWith(t, buildDecoder(t, "Grayscale"), ppm)
	if !ops.SameShape(gray.Shape, []int{1, 2, 1}) || gray.U8()[0] != 2 || gray.U8()[1] != 5 {
		t.Errorf("Grayscale: %v %v", gray.Shape, gray.U8())
	}
	pgm := []byte("P5 2 1 255\n\x07\x09")
	if got := decodeWith(t, buildDecoder(t, "RGB"), pgm); !bytes.Equal(got.U8(), []byte{7, 7, 7, 9, 9, 9}) {
		t.Errorf("grey as RGB: %v", got.U8())
	}
}

// TestUndecodable checks the specification's rule: a stream that does
// not decode gives an empty image.
func TestImageDecoderUndecodable(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("not an image"), []byte("\xff\xd8\xff\xdb"), []byte("P6 2 1 255\n\x01")} {
		if got := decodeWith(t, buildDecoder(t, "Grayscale"), data); !ops.SameShape(got.Shape, []int{0, 0, 1}) {
			t.Errorf("%q: shape %v, want [0 0 1]", data, got.Shape)
		}
	}
}

func TestImageDecoderErrors(t *testing.T) {
	n := &onnx.Node{OpType: "ImageDecoder", Attrs: []*onnx.Attribute{{Name: "pixel_format", Type: onnx.AttrString, S: []byte("YUV")}}}
	if _, err := ops.Build(n, 20); err == nil || !strings.Contains(err.Error(), "YUV") {
		t.Errorf("pixel_format YUV: err = %v", err)
	}
	op := buildDecoder(t, "")
	if _, err := op.Infer([]ops.Value{{Type: onnx.Uint8, Shape: []int{10}}}); err == nil || !errors.Is(err, ops.ErrNotConstant) {
		t.Errorf("non-constant input: err = %v", err)
	}
	huge := ops.New(onnx.Uint8, 20)
	copy(huge.U8(), "P5 90000 90000 255\n")
	if _, err := op.Infer([]ops.Value{{Type: onnx.Uint8, Shape: huge.Shape, Const: huge}}); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("90000x90000 image: err = %v", err)
	}
}
