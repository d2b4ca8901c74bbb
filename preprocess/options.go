package preprocess

import (
	"fmt"
	"strings"
)

// Preset is a normalisation recipe: every 8-bit channel value v (0..255) of
// the cropped image becomes (v/Div - Mean[k]) / Std[k] in float32 arithmetic,
// where k is the output channel. Mean and Std are in output channel order
// (so BGR presets list the blue value first).
type Preset struct {
	Name string     // preset name, as accepted by PresetByName
	BGR  bool       // write channels as blue, green, red instead of red, green, blue
	Div  float32    // divisor applied first (255 maps 0..255 onto 0..1)
	Mean [3]float32 // subtracted after the division, per output channel
	Std  [3]float32 // divides after the subtraction, per output channel
}

// The built-in presets.
var (
	// Torchvision is the PyTorch/torchvision ImageNet recipe: RGB scaled to
	// 0..1, minus mean (0.485, 0.456, 0.406), divided by std (0.229, 0.224, 0.225).
	Torchvision = Preset{Name: "torchvision", Div: 255,
		Mean: [3]float32{0.485, 0.456, 0.406}, Std: [3]float32{0.229, 0.224, 0.225}}
	// Caffe is the Caffe/Caffe2 recipe: BGR in 0..255 minus (104, 117, 123).
	Caffe = Preset{Name: "caffe", BGR: true, Div: 1,
		Mean: [3]float32{104, 117, 123}, Std: [3]float32{1, 1, 1}}
	// Raw255 is RGB in 0..255, unnormalised.
	Raw255 = Preset{Name: "raw255", Div: 1, Std: [3]float32{1, 1, 1}}
	// Unit is RGB scaled to 0..1.
	Unit = Preset{Name: "unit", Div: 255, Std: [3]float32{1, 1, 1}}
	// Inception is the TensorFlow/Keras "inception" recipe: RGB mapped to -1..1 (x/127.5 - 1).
	Inception = Preset{Name: "inception", Div: 127.5,
		Mean: [3]float32{1, 1, 1}, Std: [3]float32{1, 1, 1}}
)

// PresetNames lists the names PresetByName accepts.
func PresetNames() []string {
	return []string{Torchvision.Name, Caffe.Name, Raw255.Name, Unit.Name, Inception.Name}
}

// PresetByName returns the built-in preset called name (case-insensitive).
func PresetByName(name string) (Preset, error) {
	for _, p := range []Preset{Torchvision, Caffe, Raw255, Unit, Inception} {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Preset{}, fmt.Errorf("preprocess: unknown preset %q (want one of %s)", name, strings.Join(PresetNames(), ", "))
}

// Layout is the axis order of the output tensor.
type Layout int

// The supported layouts.
const (
	NCHW Layout = iota // [1, C, H, W]: planar, the ONNX convention
	NHWC               // [1, H, W, C]: interleaved, the TensorFlow convention
)

// String returns "NCHW" or "NHWC".
func (l Layout) String() string {
	switch l {
	case NCHW:
		return "NCHW"
	case NHWC:
		return "NHWC"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// ParseLayout parses "NCHW" or "NHWC" (case-insensitive).
func ParseLayout(s string) (Layout, error) {
	for _, l := range []Layout{NCHW, NHWC} {
		if strings.EqualFold(s, l.String()) {
			return l, nil
		}
	}
	return 0, fmt.Errorf("preprocess: unknown layout %q (want NCHW or NHWC)", s)
}

// Defaults used for zero-valued Options fields.
const (
	DefaultSize      = 224         // output width and height
	DefaultCropRatio = 224.0 / 256 // the ImageNet "resize 256, crop 224" ratio
	DefaultMaxPixels = 64_000_000  // 64 megapixels
	// DefaultMaxFileBytes is the largest image file read by default.
	DefaultMaxFileBytes = 256 << 20
)

// Options configure decoding and the image-to-tensor conversion. The zero
// value means a 224x224 RGB NCHW tensor with the torchvision preset.
type Options struct {
	Width, Height int    // output size in pixels; 0 means DefaultSize
	Channels      int    // 3 (colour) or 1 (luma, normalised with the preset's averaged mean and std); 0 means 3
	Layout        Layout // output axis order
	Preset        Preset // normalisation; a Preset with an empty Name means Torchvision
	// Gray converts the image to luma (ITU-R 601-2, as PIL's convert("L"))
	// before resizing. It is implied by Channels == 1; with Channels == 3 the
	// luma is written to all three channels, each normalised with its own
	// mean and std (what the reference prep.py --gray does).
	Gray bool
	// CropRatio (with Fit Crop) is the fraction of the resized image the centre crop keeps:
	// the shorter side is resized to round(size / CropRatio), then a
	// Width x Height centre crop is taken. 0 means DefaultCropRatio (resize
	// 256, crop 224); 1 resizes the shorter side straight to the output size.
	CropRatio float64
	// MaxPixels rejects images whose header claims more than this many
	// pixels, before decoding. 0 means DefaultMaxPixels; negative disables.
	MaxPixels int64
	// MaxFileBytes rejects image files (or streams) longer than this many
	// bytes, before reading them whole. 0 means DefaultMaxFileBytes;
	// negative disables.
	MaxFileBytes int64
	// Threads bounds the goroutines used; 0 means GOMAXPROCS, 1 runs serially.
	Threads int
	// Fit is how the image is fitted to Width x Height: Crop (the zero
	// value, the ImageNet recipe above), Stretch or Letterbox.
	Fit Fit
	// Pad is the colour (R, G, B, before normalisation) of the bars
	// Letterbox adds; a grey output gets its luma.
	Pad [3]uint8
	// Corner places a letterboxed image at the top-left corner, with all
	// the padding right and below, instead of centring it.
	Corner bool
	// Align, with Letterbox, makes Width and Height bounds rather than
	// the output size: the output is the resized image's size rounded up
	// to a multiple of Align (at most 1024), so an image of another aspect
	// ratio gets a narrower tensor instead of wide bars. 0 keeps the
	// output at Width x Height.
	Align int
}

// resolved returns o with defaults filled in, or an error for invalid fields.
func (o Options) resolved() (Options, error) {
	if o.Width == 0 {
		o.Width = DefaultSize
	}
	if o.Height == 0 {
		o.Height = DefaultSize
	}
	if o.Channels == 0 {
		o.Channels = 3
	}
	if o.Preset.Name == "" {
		o.Preset = Torchvision
	}
	if o.CropRatio == 0 {
		o.CropRatio = DefaultCropRatio
	}
	if o.MaxPixels == 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.MaxFileBytes == 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	switch {
	case o.Width < 0 || o.Height < 0 || o.Width > 1<<15 || o.Height > 1<<15:
		return o, fmt.Errorf("preprocess: output size %dx%d out of range 1..32768", o.Width, o.Height)
	case o.Channels != 1 && o.Channels != 3:
		return o, fmt.Errorf("preprocess: channels %d: want 1 or 3", o.Channels)
	case o.Layout != NCHW && o.Layout != NHWC:
		return o, fmt.Errorf("preprocess: unknown layout %v", o.Layout)
	case !(o.CropRatio > 0 && o.CropRatio <= 1):
		return o, fmt.Errorf("preprocess: crop ratio %g: want 0 < ratio <= 1", o.CropRatio)
	case o.Fit != Crop && o.Fit != Stretch && o.Fit != Letterbox:
		return o, fmt.Errorf("preprocess: unknown fit %v", o.Fit)
	case o.Align < 0 || o.Align > 1024:
		return o, fmt.Errorf("preprocess: align %d out of range 0..1024", o.Align)
	case o.Preset.Div == 0:
		return o, fmt.Errorf("preprocess: preset %q: divisor is zero", o.Preset.Name)
	}
	for k, s := range o.Preset.Std {
		if s == 0 {
			return o, fmt.Errorf("preprocess: preset %q: std[%d] is zero", o.Preset.Name, k)
		}
	}
	if o.Channels == 1 {
		o.Gray = true
	}
	return o, nil
}

// Auto picks Options for a model input of the given shape and the model's
// producer name (ModelProto.producer_name). shape is [N, C, H, W],
// [N, H, W, C], [C, H, W] or [H, W, C]; dims <= 0 are unknown (symbolic).
// The channel axis is the one of size 1 or 3 (axis 1 of a rank-4 shape is
// preferred, so an all-unknown shape is NCHW with 3 channels); unknown H or
// W become DefaultSize. The batch size is not checked: the returned Options
// always produce a batch of one, and a rank-3 shape holds the same elements.
// The preset comes from the producer: names containing "caffe" get Caffe,
// "pytorch"/"torch" Torchvision, "tf"/"tensorflow"/"keras" Inception, and
// anything else Torchvision. Callers override fields of the result freely.
func Auto(shape []int64, producer string) (Options, error) {
	var o Options
	if len(shape) != 3 && len(shape) != 4 {
		return o, fmt.Errorf("preprocess: input shape %v: want rank 3 or 4 for an image", shape)
	}
	first, last := len(shape)-3, len(shape)-1
	isCh := func(d int64) bool { return d == 1 || d == 3 }
	var hw []int64
	switch {
	case isCh(shape[first]):
		o.Layout, o.Channels, hw = NCHW, int(shape[first]), shape[first+1:]
	case isCh(shape[last]):
		o.Layout, o.Channels, hw = NHWC, int(shape[last]), shape[first:last]
	case shape[first] <= 0:
		o.Layout, o.Channels, hw = NCHW, 3, shape[first+1:]
	case shape[last] <= 0:
		o.Layout, o.Channels, hw = NHWC, 3, shape[first:last]
	default:
		return o, fmt.Errorf("preprocess: input shape %v: no channel axis of size 1 or 3", shape)
	}
	o.Height, o.Width = DefaultSize, DefaultSize
	if hw[0] > 0 {
		o.Height = int(hw[0])
	}
	if hw[1] > 0 {
		o.Width = int(hw[1])
	}
	p := strings.ToLower(producer)
	switch {
	case strings.Contains(p, "caffe"):
		o.Preset = Caffe
	case strings.Contains(p, "torch"):
		o.Preset = Torchvision
	case strings.Contains(p, "tf") || strings.Contains(p, "tensorflow") || strings.Contains(p, "keras"):
		o.Preset = Inception
	default:
		o.Preset = Torchvision
	}
	if _, err := o.resolved(); err != nil {
		return Options{}, fmt.Errorf("%w (model input shape %v)", err, shape)
	}
	return o, nil
}
