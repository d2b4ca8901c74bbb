package detect

import (
	"image"
	"image/color"
	"testing"
)

func TestAnnotate(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 120))
	boxes := []Box{
		{X1: 50, Y1: 40, X2: 150, Y2: 110, Score: 0.87, Class: 15, Label: "cat", Landmarks: []Point{{100, 80}}},
		{X1: 0, Y1: 0, X2: 30, Y2: 30, Score: 0.5, Class: -1, Label: "unknown"}, // at the top: label inside
	}
	Annotate(img, boxes)
	cat := palette[15]
	for _, p := range []image.Point{{50, 70}, {149, 70}, {100, 109}, {100, 80}} {
		if got := img.RGBAAt(p.X, p.Y); got != cat {
			t.Errorf("pixel %v = %v, want the box colour %v", p, got, cat)
		}
	}
	if got := img.RGBAAt(100, 60); got != (color.RGBA{}) {
		t.Errorf("inside the box (100, 60) = %v, want untouched", got)
	}
	// the label tab sits above the box, with text in it
	tab, text := 0, 0
	for y := 40 - 15; y < 40; y++ {
		for x := 50; x < 110; x++ {
			switch img.RGBAAt(x, y) {
			case cat:
				tab++
			case color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}:
				text++
			}
		}
	}
	if tab < 200 || text < 20 {
		t.Errorf("label tab above the box: %d tab pixels, %d text pixels", tab, text)
	}
	if img.RGBAAt(2, 5) == (color.RGBA{}) {
		t.Error("the top box's label is not drawn inside it")
	}
}
