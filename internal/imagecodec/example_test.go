package imagecodec_test

import (
	"fmt"
	"os"

	"github.com/edgeinfer/edgeinfer/internal/imagecodec"
)

// Decode a file of any supported format, refusing images over 64
// megapixels before decoding, and read its pixels as PIL's convert("RGB")
// and convert("L") give them (the values shown are PIL's).
func ExampleDecode() {
	data, err := os.ReadFile("testdata/jpeg/pil_7x13_422_q50.jpg")
	if err != nil {
		fmt.Println(err)
		return
	}
	img, format, err := imagecodec.Decode(data, 64_000_000)
	if err != nil {
		fmt.Println(err)
		return
	}
	w := img.Bounds().Dx()
	rgb, luma := make([]uint8, 3*w), make([]uint8, w)
	imagecodec.RowReader(img, 3)(0, rgb)
	imagecodec.RowReader(img, 1)(0, luma)
	fmt.Println(format, img.Bounds().Size(), rgb[:3], luma[:1])
	// Output:
	// jpeg (7,13) [57 0 20] [19]
}
