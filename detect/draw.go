package detect

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// palette colours boxes by class.
var palette = []color.RGBA{
	{255, 56, 56, 255}, {255, 157, 151, 255}, {255, 112, 31, 255}, {255, 178, 29, 255}, {207, 210, 49, 255},
	{72, 249, 10, 255}, {146, 204, 23, 255}, {61, 219, 134, 255}, {26, 147, 52, 255}, {0, 212, 187, 255},
	{44, 153, 168, 255}, {0, 194, 255, 255}, {52, 69, 147, 255}, {100, 115, 255, 255}, {0, 24, 236, 255},
	{132, 56, 255, 255}, {82, 0, 133, 255}, {203, 56, 255, 255}, {255, 149, 200, 255}, {255, 55, 199, 255},
}

// Annotate draws boxes on img in place: each box's outline in its class's
// colour, a label "name 0.87" in a filled tab above it (inside it when
// there is no room above) in a 7x13 bitmap font, and its landmarks as
// small squares. The line width grows with the image (1 pixel up to 500
// pixels across, then 1 more per 500).
func Annotate(img draw.Image, boxes []Box) {
	b := img.Bounds()
	lw := 1 + max(b.Dx(), b.Dy())/500
	face := basicfont.Face7x13
	for i := len(boxes) - 1; i >= 0; i-- { // the best box drawn last, on top
		bx := boxes[i]
		c := palette[(bx.Class%len(palette)+len(palette))%len(palette)]
		r := image.Rect(int(bx.X1), int(bx.Y1), int(bx.X2+0.5), int(bx.Y2+0.5)).Add(b.Min)
		for k := range lw {
			outline(img, r.Inset(k), c)
		}
		for _, p := range bx.Landmarks {
			x, y := b.Min.X+int(p.X), b.Min.Y+int(p.Y)
			draw.Draw(img, image.Rect(x-lw-1, y-lw-1, x+lw+2, y+lw+2).Intersect(b), image.NewUniform(c), image.Point{}, draw.Src)
		}
		text := fmt.Sprintf("%s %.2f", bx.Label, bx.Score)
		tw := font.MeasureString(face, text).Ceil() + 4
		th := face.Metrics().Height.Ceil() + 2
		tab := image.Rect(r.Min.X, r.Min.Y-th, r.Min.X+tw, r.Min.Y)
		if tab.Min.Y < b.Min.Y {
			tab = tab.Add(image.Pt(0, th))
		}
		draw.Draw(img, tab.Intersect(b), image.NewUniform(c), image.Point{}, draw.Src)
		d := font.Drawer{Dst: img, Src: image.NewUniform(textColour(c)), Face: face,
			Dot: fixed.P(tab.Min.X+2, tab.Max.Y-face.Metrics().Descent.Ceil()-1)}
		d.DrawString(text)
	}
}

// outline draws r's one-pixel border.
func outline(img draw.Image, r image.Rectangle, c color.RGBA) {
	if r.Empty() {
		return
	}
	u := image.NewUniform(c)
	b := img.Bounds()
	for _, e := range []image.Rectangle{
		{r.Min, image.Pt(r.Max.X, r.Min.Y+1)}, {image.Pt(r.Min.X, r.Max.Y-1), r.Max},
		{r.Min, image.Pt(r.Min.X+1, r.Max.Y)}, {image.Pt(r.Max.X-1, r.Min.Y), r.Max},
	} {
		draw.Draw(img, e.Intersect(b), u, image.Point{}, draw.Src)
	}
}

// textColour is black on light tabs, white on dark ones.
func textColour(c color.RGBA) color.Color {
	if 299*int(c.R)+587*int(c.G)+114*int(c.B) > 140000 {
		return color.Black
	}
	return color.White
}
