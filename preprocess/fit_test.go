package preprocess

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// gradient returns a w x h RGB image whose pixels all differ.
func gradient(w, h int) *Pixels {
	p := &Pixels{Width: w, Height: h, Channels: 3, Pix: make([]uint8, w*h*3)}
	for i := range p.Pix {
		p.Pix[i] = uint8(i * 7 % 251)
	}
	return p
}

// planeRows returns rows y0..y1-1 of channel k of an NCHW tensor of width w.
func planeRows(data []float32, w, h, k, y0, y1 int) []float32 {
	return data[k*w*h+y0*w : k*w*h+y1*w]
}

func TestLetterboxBarsAndContent(t *testing.T) {
	p := gradient(10, 3)
	cases := []struct {
		name            string
		opt             Options
		outW, outH, top int
		nw, nh          int
	}{
		// scale min(32/10, 32/3) = 3.2: 32 x round(9.6) = 32 x 10, bars of 11 above and below
		{name: "centred", opt: Options{Width: 32, Height: 32}, outW: 32, outH: 32, top: 11, nw: 32, nh: 10},
		{name: "corner", opt: Options{Width: 32, Height: 32, Corner: true}, outW: 32, outH: 32, top: 0, nw: 32, nh: 10},
		// Align 8: the height 10 rounds up to 16, bars of 3 above and below
		{name: "aligned", opt: Options{Width: 32, Height: 32, Align: 8}, outW: 32, outH: 16, top: 3, nw: 32, nh: 10},
	}
	for _, c := range cases {
		o := c.opt
		o.Fit, o.Pad, o.Preset, o.Threads = Letterbox, [3]uint8{114, 115, 116}, Raw255, 1
		data, shape, err := p.Tensor(o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(shape, []int{1, 3, c.outH, c.outW}) {
			t.Fatalf("%s: shape %v, want [1 3 %d %d]", c.name, shape, c.outH, c.outW)
		}
		inner, _, err := p.Tensor(Options{Width: c.nw, Height: c.nh, Fit: Stretch, Preset: Raw255, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		for k := range 3 {
			pad := float32(114 + k)
			for y := range c.outH {
				row := planeRows(data, c.outW, c.outH, k, y, y+1)
				if y < c.top || y >= c.top+c.nh {
					for x, v := range row {
						if v != pad {
							t.Fatalf("%s: channel %d bar pixel (%d, %d) = %g, want %g", c.name, k, x, y, v, pad)
						}
					}
					continue
				}
				want := planeRows(inner, c.nw, c.nh, k, y-c.top, y-c.top+1)
				if !slices.Equal(row, want) {
					t.Fatalf("%s: channel %d row %d = %v, want the stretched image's %v", c.name, k, y, row, want)
				}
			}
		}
		pl, err := o.Place(p.Width, p.Height)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Width != c.outW || pl.Height != c.outH || pl.Top != c.top || pl.Left != 0 ||
			pl.ScaleX != 3.2 || pl.ScaleY != 3.2 {
			t.Errorf("%s: Place = %+v", c.name, pl)
		}
	}
}

// TestPlaceFindsAMarker converts an image with one bright square under
// every fit and checks that Place maps the square's centre to where the
// tensor's brightest pixels are.
func TestPlaceFindsAMarker(t *testing.T) {
	const w, h = 60, 30
	p := &Pixels{Width: w, Height: h, Channels: 1, Pix: make([]uint8, w*h)}
	for y := 16; y < 20; y++ {
		for x := 40; x < 44; x++ {
			p.Pix[y*w+x] = 255
		}
	}
	for _, o := range []Options{
		{Width: 24, Height: 24, Fit: Crop},
		{Width: 24, Height: 24, Fit: Crop, CropRatio: 1},
		{Width: 24, Height: 20, Fit: Stretch},
		{Width: 24, Height: 24, Fit: Letterbox},
		{Width: 24, Height: 24, Fit: Letterbox, Corner: true},
		{Width: 48, Height: 48, Fit: Letterbox, Align: 16},
	} {
		o.Preset, o.Channels, o.Threads = Unit, 1, 1
		data, shape, err := p.Tensor(o)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := o.Place(w, h)
		if err != nil {
			t.Fatal(err)
		}
		if shape[2] != pl.Height || shape[3] != pl.Width {
			t.Fatalf("%v: tensor %v, Place says %dx%d", o.Fit, shape, pl.Width, pl.Height)
		}
		var sx, sy, sum float64
		for i, v := range data {
			sx += float64(i%pl.Width) * float64(v)
			sy += float64(i/pl.Width) * float64(v)
			sum += float64(v)
		}
		gx, gy := sx/sum+0.5, sy/sum+0.5 // pixel centres are at +0.5
		ix, iy := pl.ToImage(gx, gy)
		if math.Abs(ix-42) > 0.6 || math.Abs(iy-18) > 0.6 {
			t.Errorf("%v (corner %v, align %d): marker's centre maps back to (%.2f, %.2f), want (42, 18)", o.Fit, o.Corner, o.Align, ix, iy)
		}
	}
}

func TestFitOptions(t *testing.T) {
	for _, f := range []Fit{Crop, Stretch, Letterbox} {
		if g, err := ParseFit(strings.ToUpper(f.String())); err != nil || g != f {
			t.Errorf("ParseFit(%q) = %v, %v", f, g, err)
		}
	}
	if _, err := ParseFit("zoom"); err == nil || !strings.Contains(err.Error(), "zoom") {
		t.Errorf("ParseFit(zoom): %v", err)
	}
	for _, o := range []Options{{Fit: 7}, {Fit: Letterbox, Align: -1}, {Fit: Letterbox, Align: 4096}} {
		if _, err := o.Place(10, 10); err == nil {
			t.Errorf("Place with %+v: no error", o)
		}
	}
	if _, err := (Options{}).Place(0, 10); err == nil {
		t.Error("Place of an empty image: no error")
	}
	// an extreme aspect ratio keeps at least one row
	pl, err := Options{Width: 64, Height: 64, Fit: Letterbox}.Place(100000, 1)
	if err != nil || pl.ScaleX != 64.0/100000 || pl.Top != 31 {
		t.Errorf("Place(100000, 1) = %+v, %v", pl, err)
	}
}

func TestPixelsRGBA(t *testing.T) {
	p := gradient(5, 3)
	img := p.RGBA()
	for y := range 3 {
		for x := range 5 {
			i := 3 * (y*5 + x)
			if c := img.RGBAAt(x, y); c.R != p.Pix[i] || c.G != p.Pix[i+1] || c.B != p.Pix[i+2] || c.A != 255 {
				t.Fatalf("pixel (%d, %d) = %v, want %v", x, y, c, p.Pix[i:i+3])
			}
		}
	}
	g := &Pixels{Width: 2, Height: 1, Channels: 1, Pix: []uint8{7, 200}}
	if c := g.RGBA().RGBAAt(1, 0); c.R != 200 || c.G != 200 || c.B != 200 {
		t.Errorf("grey pixel = %v, want 200 in each channel", c)
	}
}
