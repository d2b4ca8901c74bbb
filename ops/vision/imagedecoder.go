package vision

import (
	"errors"
	"fmt"

	"github.com/edgeinfer/edgeinfer/internal/imagecodec"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// MaxDecodedPixels is the largest image ImageDecoder decodes.
const MaxDecodedPixels = 64_000_000

// ImageDecoder (opset 20): an encoded image file held in a uint8 tensor
// becomes a uint8 tensor of shape (height, width, channels).
//
// Pixels are those PIL gives, which is what the ONNX reference
// implementation uses: JPEG, WebP, JPEG 2000 and PNM through
// internal/imagecodec (libjpeg-turbo's, libwebp's and openjpeg's exact
// output), PNG, BMP, TIFF and GIF through the standard decoders. "RGB" and
// "BGR" convert as PIL's convert("RGB") (alpha dropped, grey replicated,
// CMYK converted), "Grayscale" as its convert("L").
//
// The output shape depends on the encoded bytes: when they are not known
// while planning, the node runs when they are (ops.ErrNotConstant). As the
// operator's specification says, a stream that cannot be decoded gives an
// empty (0, 0, channels) image, not an error; an image of more than
// MaxDecodedPixels pixels is an error.
func init() {
	ops.Register("", "ImageDecoder", 20, buildImageDecoder)
}

// imageDecoder is a built ImageDecoder node.
type imageDecoder struct {
	channels int  // 3 or 1
	bgr      bool // reverse RGB
}

func buildImageDecoder(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	f := a.String("pixel_format", "RGB")
	if err := a.Err(); err != nil {
		return nil, err
	}
	switch f {
	case "RGB":
		return &imageDecoder{channels: 3}, nil
	case "BGR":
		return &imageDecoder{channels: 3, bgr: true}, nil
	case "Grayscale":
		return &imageDecoder{channels: 1}, nil
	}
	return nil, fmt.Errorf("pixel_format %q: want RGB, BGR or Grayscale", f)
}

// Infer decodes the constant input to learn the output shape.
func (d *imageDecoder) Infer(in []ops.Value) ([]ops.Value, error) {
	if len(in) != 1 || in[0].Type != onnx.Uint8 {
		return nil, fmt.Errorf("ImageDecoder takes one uint8 tensor")
	}
	if in[0].Const == nil {
		return nil, fmt.Errorf("the output shape depends on the encoded image: %w", ops.ErrNotConstant)
	}
	_, shape, err := d.decode(in[0].Const.U8())
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: onnx.Uint8, Shape: shape}}, nil
}

// Run decodes the input into the output, whose shape Infer gave.
func (d *imageDecoder) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	pix, shape, err := d.decode(in[0].U8())
	if err != nil {
		return err
	}
	if !ops.SameShape(shape, out[0].Shape) {
		return fmt.Errorf("ImageDecoder: decoded image of shape %v, planned for %v", shape, out[0].Shape)
	}
	copy(out[0].U8(), pix)
	return nil
}

// decode returns the image's pixels, height x width x channels, and their
// shape: empty for data that does not decode.
func (d *imageDecoder) decode(data []byte) ([]uint8, []int, error) {
	img, _, err := imagecodec.Decode(data, MaxDecodedPixels)
	switch {
	case errors.Is(err, imagecodec.ErrTooLarge):
		return nil, nil, fmt.Errorf("ImageDecoder: %w", err)
	case err != nil:
		return nil, []int{0, 0, d.channels}, nil
	}
	b := img.Bounds()
	w, h, c := b.Dx(), b.Dy(), d.channels
	pix := make([]uint8, w*h*c)
	read := imagecodec.RowReader(img, c)
	for y := range h {
		row := pix[y*w*c : (y+1)*w*c]
		read(y, row)
		if d.bgr {
			for x := 0; x < len(row); x += 3 {
				row[x], row[x+2] = row[x+2], row[x]
			}
		}
	}
	return pix, []int{h, w, c}, nil
}
