package preprocess

import (
	"slices"
	"testing"
)

// TestResizeHandComputed checks PIL's bilinear resampling on one row,
// worked by hand from Resample.c and confirmed with PIL 9.4:
//
//	[0 100 200 50] -> 2 wide: scale 2, support 2; output 0 is centred at 1.0
//	and weighs inputs 0..2 by 0.75, 0.75, 0.25 (/1.75): 125/1.75 = 71.4 -> 71;
//	output 1 (centre 3.0) weighs inputs 1..3 by 0.25, 0.75, 0.75: 212.5/1.75 -> 121.
//	[0 100] -> 4 wide: scale 0.5, support 1; centres 0.25, 0.75, 1.25, 1.75
//	give 0, 0.75*0+0.25*100 = 25, 75 and 100.
func TestResizeHandComputed(t *testing.T) {
	cases := []struct {
		in           []uint8
		nw, left, cw int
		want         []uint8
	}{
		{[]uint8{0, 100, 200, 50}, 2, 0, 2, []uint8{71, 121}},
		{[]uint8{0, 100}, 4, 0, 4, []uint8{0, 25, 75, 100}},
		{[]uint8{0, 100}, 4, 1, 2, []uint8{25, 75}}, // a window of the same resize
		{[]uint8{7, 9, 11}, 3, 0, 3, []uint8{7, 9, 11}},
	}
	for _, c := range cases {
		p := &Pixels{Width: len(c.in), Height: 1, Channels: 1, Pix: c.in}
		if got := resizeCrop(p, c.nw, 1, c.left, 0, c.cw, 1, 1); !slices.Equal(got, c.want) {
			t.Errorf("%v -> %d wide, window %d+%d: %v, want %v", c.in, c.nw, c.left, c.cw, got, c.want)
		}
	}
	// The vertical pass is the same filter: a column resizes like a row,
	// and three channels resize independently.
	col := &Pixels{Width: 1, Height: 4, Channels: 3, Pix: []uint8{0, 1, 2, 100, 1, 2, 200, 1, 2, 50, 1, 2}}
	if got := resizeCrop(col, 1, 2, 0, 0, 1, 2, 1); !slices.Equal(got, []uint8{71, 1, 2, 121, 1, 2}) {
		t.Errorf("column resize: %v, want [71 1 2 121 1 2]", got)
	}
}

func TestGeometry(t *testing.T) {
	cases := []struct {
		w, h, ow, oh      int
		ratio             float64
		nw, nh, left, top int
	}{
		{451, 300, 224, 224, DefaultCropRatio, 385, 256, 80, 16}, // 451*256/300 = 384.85
		{300, 451, 224, 224, DefaultCropRatio, 256, 385, 16, 80},
		{512, 512, 224, 224, DefaultCropRatio, 256, 256, 16, 16},
		{3, 2, 227, 227, DefaultCropRatio, 388, 259, 80, 16},  // 388.5 rounds half to even, like Python
		{5, 2, 227, 227, DefaultCropRatio, 648, 259, 210, 16}, // 647.5 -> 648
		{640, 480, 320, 160, 1, 320, 240, 0, 40},              // non-square output: width decides
		{100, 1000, 28, 28, 1, 28, 280, 0, 126},
	}
	for _, c := range cases {
		nw, nh, l, tp := geometry(c.w, c.h, c.ow, c.oh, c.ratio)
		if nw != c.nw || nh != c.nh || l != c.left || tp != c.top {
			t.Errorf("geometry(%d, %d, %d, %d, %g) = %d, %d, %d, %d; want %d, %d, %d, %d",
				c.w, c.h, c.ow, c.oh, c.ratio, nw, nh, l, tp, c.nw, c.nh, c.left, c.top)
		}
	}
}

func BenchmarkLoadPhoto(b *testing.B) {
	img := noise(1600, 1200, 9)
	p := newPixels(img, 1, false, 0)
	b.Run("pixels", func(b *testing.B) {
		for b.Loop() {
			newPixels(img, 1, false, 0)
		}
	})
	b.Run("tensor", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := p.Tensor(Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
