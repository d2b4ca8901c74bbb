package preprocess

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
)

// sharedDir is ../shared beside the repository; the test skips when its images are absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	return filepath.Dir(onnxtest.Shared(t, "images"))
}

// refCase mirrors one entry of testdata/pil_ref.json (see testdata/genref).
type refCase struct {
	Image  string    `json:"image"`
	Preset string    `json:"preset"`
	Size   int       `json:"size"`
	Gray   bool      `json:"gray"`
	Shape  []int     `json:"shape"`
	Mean   []float64 `json:"mean"`
	Index  []int     `json:"index"`
	Value  []float32 `json:"value"`
	SHA256 string    `json:"sha256"`
}

// TestMatchesPIL compares Load with the PIL reference prep.py, summarised in
// testdata/pil_ref.json: the whole tensor must equal PIL's bit for bit (its
// SHA-256 must match), for PNG, JPEG (baseline, progressive, 4:2:0, 4:2:2,
// grey, CMYK), WebP and JPEG 2000 input. On a mismatch the sampled values
// and channel means say by how much.
func TestMatchesPIL(t *testing.T) {
	raw, err := os.ReadFile("testdata/pil_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []refCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 22 {
		t.Fatalf("pil_ref.json holds %d cases, want 22", len(cases))
	}
	for _, c := range cases {
		name := strings.TrimPrefix(c.Image, "shared:images/") + "/" + c.Preset
		if c.Gray {
			name += "/gray"
		}
		t.Run(name, func(t *testing.T) {
			path := c.Image
			if rest, ok := strings.CutPrefix(path, "shared:"); ok {
				path = filepath.Join(sharedDir(t), rest)
			}
			preset, err := PresetByName(c.Preset)
			if err != nil {
				t.Fatal(err)
			}
			opt := Options{Width: c.Size, Height: c.Size, Channels: c.Shape[1], Gray: c.Gray, Preset: preset}
			data, shape, err := Load(path, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(shape, c.Shape) {
				t.Fatalf("shape %v, want %v", shape, c.Shape)
			}
			var raw []byte
			for _, v := range data {
				raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
			}
			sum := sha256.Sum256(raw)
			if hex.EncodeToString(sum[:]) == c.SHA256 {
				return
			}
			plane := c.Size * c.Size
			unit := func(k int) float64 { // pixel units per tensor unit in channel k
				if c.Shape[1] == 1 {
					return float64(preset.Div) * float64(preset.Std[0]+preset.Std[1]+preset.Std[2]) / 3
				}
				return float64(preset.Div * preset.Std[k])
			}
			maxDiff := 0.0
			for i, idx := range c.Index {
				maxDiff = max(maxDiff, math.Abs(float64(data[idx]-c.Value[i]))*unit(idx/plane))
			}
			means := ""
			for k, want := range c.Mean {
				got := 0.0
				for _, v := range data[k*plane : (k+1)*plane] {
					got += float64(v)
				}
				means += fmt.Sprintf(" %.6g (PIL %.6g)", got/float64(plane), want)
			}
			t.Errorf("tensor differs from PIL's: sampled values differ by up to %.3g in 0..255 units; channel means%s", maxDiff, means)
		})
	}
}

// noise returns a w x h NRGBA image of seeded random opaque colours.
func noise(w, h int, seed uint64) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

func TestThreadsAgree(t *testing.T) {
	img := noise(640, 480, 1)
	serial, _, err := FromImage(img, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	par, _, err := FromImage(img, Options{Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(serial, par) {
		t.Error("4 threads and 1 thread give different tensors")
	}
}

// TestNormalize checks every preset and both layouts against the formula
// applied to the raw 0..255 RGB tensor.
func TestNormalize(t *testing.T) {
	img := noise(40, 30, 2)
	base := Options{Width: 16, Height: 12, CropRatio: 1}
	rawOpt := base
	rawOpt.Preset = Raw255
	raw, _, err := FromImage(img, rawOpt)
	if err != nil {
		t.Fatal(err)
	}
	const hw = 16 * 12
	for _, p := range []Preset{Torchvision, Caffe, Raw255, Unit, Inception} {
		for _, l := range []Layout{NCHW, NHWC} {
			o := base
			o.Preset, o.Layout = p, l
			data, shape, err := FromImage(img, o)
			if err != nil {
				t.Fatal(err)
			}
			want := []int{1, 3, 12, 16}
			if l == NHWC {
				want = []int{1, 12, 16, 3}
			}
			if !slices.Equal(shape, want) {
				t.Fatalf("%s %v: shape %v, want %v", p.Name, l, shape, want)
			}
			for k := range 3 {
				src := k // RGB channel feeding output channel k
				if p.BGR {
					src = 2 - k
				}
				for i := range hw {
					v := float64(raw[src*hw+i])
					var w float64
					switch p.Name {
					case "torchvision":
						w = (v/255 - []float64{0.485, 0.456, 0.406}[k]) / []float64{0.229, 0.224, 0.225}[k]
					case "caffe":
						w = v - []float64{104, 117, 123}[k]
					case "raw255":
						w = v
					case "unit":
						w = v / 255
					case "inception":
						w = v/127.5 - 1
					}
					got := data[k*hw+i]
					if l == NHWC {
						got = data[i*3+k]
					}
					if math.Abs(float64(got)-w) > 1e-5*max(1, math.Abs(w)) {
						t.Fatalf("%s %v: channel %d pixel %d = %g, want %g", p.Name, l, k, i, got, w)
					}
				}
			}
		}
	}
}

// TestGrayChannels checks the grey paths: one channel uses the averaged
// preset, and luma pixels give the same tensor as equal-RGB pixels.
func TestGrayChannels(t *testing.T) {
	rgb := noise(50, 40, 3)
	gray := image.NewGray(rgb.Bounds())
	for i := range gray.Pix {
		v := rgb.Pix[4*i]
		gray.Pix[i] = v
		rgb.Pix[4*i+1], rgb.Pix[4*i+2] = v, v
	}
	o := Options{Width: 20, Height: 20}
	a, _, err := FromImage(gray, o)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := FromImage(rgb, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Error("grey image and its equal-RGB copy give different tensors")
	}
	o.Channels = 1
	one, shape, err := FromImage(rgb, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shape, []int{1, 1, 20, 20}) {
		t.Fatalf("shape %v", shape)
	}
	o.Channels, o.Preset = 1, Raw255
	rawOne, _, err := FromImage(rgb, o)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range rawOne {
		want := (v/255 - (0.485+0.456+0.406)/3) / ((0.229 + 0.224 + 0.225) / 3)
		if math.Abs(float64(one[i]-want)) > 1e-5 {
			t.Fatalf("grey torchvision value %d = %g, want %g", i, one[i], want)
		}
	}
}

func TestFromImageErrors(t *testing.T) {
	if _, _, err := FromImage(image.NewRGBA(image.Rect(0, 0, 0, 5)), Options{}); err == nil || !strings.Contains(err.Error(), "empty image") {
		t.Errorf("empty image: err = %v", err)
	}
	bad := []Options{{Channels: 2}, {CropRatio: 1.5}, {Width: -1}, {Layout: 7}, {Preset: Preset{Name: "x"}}}
	for _, o := range bad {
		if _, _, err := FromImage(image.NewGray(image.Rect(0, 0, 4, 4)), o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	p := &Pixels{Width: 4, Height: 4, Channels: 3, Pix: make([]uint8, 10)}
	if _, _, err := p.Tensor(Options{}); err == nil {
		t.Error("Tensor accepted pixels with a short Pix")
	}
}

// TestSubImages checks that every pixel reader honours a non-zero Bounds().Min.
func TestSubImages(t *testing.T) {
	src := noise(9, 7, 4)
	pal := color.Palette{color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 9, 200, 255}, color.NRGBA{1, 2, 3, 255}}
	paletted := image.NewPaletted(src.Bounds(), pal)
	rgba := image.NewRGBA(src.Bounds())
	gray := image.NewGray(src.Bounds())
	deep := image.NewRGBA64(src.Bounds()) // read by the generic path
	for y := range 7 {
		for x := range 9 {
			paletted.SetColorIndex(x, y, uint8((x+y)%3))
			rgba.Set(x, y, src.At(x, y))
			gray.Set(x, y, src.At(x, y))
			deep.Set(x, y, src.At(x, y))
		}
	}
	r := image.Rect(2, 3, 8, 6)
	type sub interface {
		SubImage(image.Rectangle) image.Image
	}
	for _, img := range []image.Image{src, paletted, rgba, gray, deep} {
		whole := newPixels(img, 1, false, 1)
		part := newPixels(img.(sub).SubImage(r), 1, false, 1)
		c := whole.Channels
		for y := range r.Dy() {
			for x := range r.Dx() {
				i, j := ((r.Min.Y+y)*whole.Width+r.Min.X+x)*c, (y*part.Width+x)*c
				if !slices.Equal(whole.Pix[i:i+c], part.Pix[j:j+c]) {
					t.Fatalf("%T: sub-image pixel (%d,%d) = %v, want %v", img, x, y, part.Pix[j:j+c], whole.Pix[i:i+c])
				}
			}
		}
	}
}
