package imagecodec

import (
	"bytes"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decoders are the package's own decoders, called without Decode's panic
// guard so that the tests below see any panic.
var decoders = map[string]func([]byte, int64) (image.Image, error){
	"jpeg": DecodeJPEG,
	"webp": DecodeWebP,
	"pnm":  DecodePNM,
	"jp2":  DecodeJPEG2000,
}

// seeds returns the test files of one format (a testdata subfolder).
func seeds(t testing.TB, format string) [][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", format, "*"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no %s test files: %v", format, err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// checkImage checks that a decoded image is self-consistent.
func checkImage(t *testing.T, img image.Image) {
	t.Helper()
	b := img.Bounds()
	if b.Empty() {
		t.Fatalf("decoded an empty %T", img)
	}
	for _, c := range []int{1, 3} {
		read, row := RowReader(img, c), make([]uint8, b.Dx()*c)
		for y := range b.Dy() {
			read(y, row)
		}
	}
}

// fuzzDecoder is the body of each format's fuzz target.
func fuzzDecoder(f *testing.F, format string) {
	for _, s := range seeds(f, format) {
		f.Add(s)
	}
	dec := decoders[format]
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := dec(data, 1<<20)
		if err != nil {
			return
		}
		checkImage(t, img)
	})
}

// The fuzz targets: `go test` runs their seeds (the test files);
// `go test -fuzz FuzzJPEG ./internal/imagecodec` explores.
func FuzzJPEG(f *testing.F)     { fuzzDecoder(f, "jpeg") }
func FuzzWebP(f *testing.F)     { fuzzDecoder(f, "webp") }
func FuzzPNM(f *testing.F)      { fuzzDecoder(f, "pnm") }
func FuzzJPEG2000(f *testing.F) { fuzzDecoder(f, "jp2") }

// TestHostile truncates test files of every format at many offsets and
// flips random bits in them: each damaged file decodes to a consistent
// image or fails with an error, and never panics.
func TestHostile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	flips := 20
	if testing.Short() {
		flips = 4
	}
	for format, dec := range decoders {
		files := seeds(t, format)
		for i, data := range files {
			if i%3 != 0 { // a third of the files is plenty
				continue
			}
			for n := 0; n < len(data); n += max(1, len(data)/60) {
				if img, err := dec(data[:n], 1<<20); err == nil {
					checkImage(t, img)
				}
			}
			for range flips {
				b := bytes.Clone(data)
				for range 1 + rng.IntN(4) {
					b[rng.IntN(len(b))] ^= 1 << rng.IntN(8)
				}
				if img, err := dec(b, 1<<20); err == nil {
					checkImage(t, img)
				}
			}
		}
	}
}

// TestLimits checks that oversized headers are refused before decoding
// and that Decode reports a panicking decoder as an error.
func TestLimits(t *testing.T) {
	jpg := seeds(t, "jpeg")[0]
	sof := bytes.Index(jpg, []byte{0xFF, 0xC0})
	big := bytes.Clone(jpg)
	big[sof+5], big[sof+6], big[sof+7], big[sof+8] = 0xFF, 0xFF, 0xFF, 0xFF // 65535x65535
	cases := map[string][]byte{
		"jpeg": big,
		"pnm":  []byte("P6 100000 100000 255\n"),
	}
	for name, data := range cases {
		if _, _, err := Decode(data, 1<<20); err == nil || !strings.Contains(err.Error(), "limit") {
			t.Errorf("%s: huge image: err = %v", name, err)
		}
		if _, err := decoders[name](data, 1<<20); err == nil {
			t.Errorf("%s: huge image decoded", name)
		}
	}
	if _, err := DecodePNM([]byte("P6 1000 1000 255\n"), 0); err == nil {
		t.Error("PNM with no pixel data decoded")
	}
	_, err := guard(func() (int, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("guard: err = %v", err)
	}
}
