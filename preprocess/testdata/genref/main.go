// Command genref regenerates the reference data in preprocess/testdata:
// small image fixtures made with PIL (photo.jpg, quad.webp, quad_cmyk.jpg,
// quad_progressive.jpg, photo.jp2, quad.j2k...) and pil_ref.json, compact summaries (per-channel
// means and values at fixed sampled indices) of what the PIL reference
// shared/reference/prep.py produces for the shared photos and the JPEG
// fixture. It needs python3 with PIL and numpy; the tests that use its
// output do not. Run it from the preprocess directory:
//
//	go generate ./preprocess   (runs go run ./testdata/genref)
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// fixtures is the PIL script that writes the image fixtures; argv[1] is shared/.
const fixtures = `
import sys
from PIL import Image
src = Image.open(sys.argv[1] + '/images/chelsea.png').convert('RGB')
src.crop((150, 40, 246, 104)).save('testdata/photo.jpg', quality=90, subsampling=2)
q = Image.new('RGB', (16, 12))
for y in range(12):
    for x in range(16):
        q.putpixel((x, y), [[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (255, 255, 255)]][y >= 6][x >= 8])
q.save('testdata/quad.webp', lossless=True)
q.convert('CMYK').save('testdata/quad_cmyk.jpg', quality=95)
q.save('testdata/quad_progressive.jpg', quality=95, progressive=True)
cof = Image.open(sys.argv[1] + '/images/coffee.png').convert('RGB').crop((200, 150, 271, 203))
cof.save('testdata/photo_422_progressive.jpg', quality=85, subsampling=1, progressive=True)
cof.save('testdata/photo.webp', quality=80)
cof.convert('L').save('testdata/photo_gray.jpg', quality=75)
cof.save('testdata/photo.jp2', irreversible=True, quality_mode='rates', quality_layers=[12])
q.save('testdata/quad.j2k')
`

// refCase is one prep.py run, summarised.
type refCase struct {
	Image  string    `json:"image"`  // "shared:images/NAME" or "testdata/NAME"
	Args   []string  `json:"args"`   // prep.py flags
	Preset string    `json:"preset"` // preset name
	Size   int       `json:"size"`   // output width and height
	Gray   bool      `json:"gray"`   // --gray
	Shape  []int     `json:"shape"`  // [1, C, size, size] (NCHW)
	Mean   []float64 `json:"mean"`   // per-channel mean of the whole tensor
	Index  []int     `json:"index"`  // sampled flat indices
	Value  []float32 `json:"value"`  // the tensor at those indices
	SHA256 string    `json:"sha256"` // of the whole tensor, float32 little-endian
}

func main() {
	shared := flag.String("shared", "../../shared", "the shared data folder")
	python := flag.String("python", "/usr/bin/python3", "python3 with PIL and numpy")
	samples := flag.Int("samples", 200, "sampled values per case")
	flag.Parse()

	run := func(args ...string) {
		cmd := exec.Command(*python, args...)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatalf("genref: python %v: %v", args, err)
		}
	}
	run("-c", fixtures, *shared)

	var cases []refCase
	for _, img := range []string{"chelsea.png", "coffee.png", "astronaut.png"} {
		for _, p := range []string{"torchvision", "caffe", "raw255"} {
			cases = append(cases, refCase{Image: "shared:images/" + img, Preset: p, Size: 224})
		}
	}
	cases = append(cases,
		refCase{Image: "shared:images/chelsea.png", Preset: "raw255", Size: 224, Gray: true},
		refCase{Image: "shared:images/coffee.png", Preset: "torchvision", Size: 224, Gray: true},
		refCase{Image: "shared:images/astronaut.png", Preset: "caffe", Size: 227},
		refCase{Image: "testdata/photo.jpg", Preset: "raw255", Size: 64},
		refCase{Image: "testdata/photo.jpg", Preset: "raw255", Size: 64, Gray: true},
		refCase{Image: "testdata/photo.jpg", Preset: "torchvision", Size: 32},
		refCase{Image: "testdata/photo_422_progressive.jpg", Preset: "caffe", Size: 48},
		refCase{Image: "testdata/photo_422_progressive.jpg", Preset: "raw255", Size: 40, Gray: true},
		refCase{Image: "testdata/photo_gray.jpg", Preset: "raw255", Size: 48},
		refCase{Image: "testdata/photo.webp", Preset: "torchvision", Size: 48},
		refCase{Image: "testdata/photo.jp2", Preset: "torchvision", Size: 48},
		refCase{Image: "testdata/quad_cmyk.jpg", Preset: "raw255", Size: 12},
		refCase{Image: "testdata/quad_progressive.jpg", Preset: "raw255", Size: 12},
	)
	tmp, err := os.MkdirTemp("", "genref")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	out := []byte("[\n")
	for i := range cases {
		c := &cases[i]
		c.Args = []string{"--preset", c.Preset, "--size", strconv.Itoa(c.Size)}
		if c.Gray {
			c.Args = append(c.Args, "--gray")
		}
		path, f32 := c.Image, filepath.Join(tmp, "out.f32")
		if rest, ok := strings.CutPrefix(path, "shared:"); ok {
			path = filepath.Join(*shared, rest)
		}
		run(append([]string{filepath.Join(*shared, "reference", "prep.py"), path, f32}, c.Args...)...)
		raw, err := os.ReadFile(f32)
		if err != nil {
			log.Fatal(err)
		}
		data := make([]float32, len(raw)/4)
		for j := range data {
			data[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
		sum := sha256.Sum256(raw)
		c.SHA256 = hex.EncodeToString(sum[:])
		plane := c.Size * c.Size
		ch := len(data) / plane
		c.Shape = []int{1, ch, c.Size, c.Size}
		for k := range ch {
			s := 0.0
			for _, v := range data[k*plane : (k+1)*plane] {
				s += float64(v)
			}
			c.Mean = append(c.Mean, s/float64(plane))
		}
		x := uint64(i + 1) // a fixed xorshift sequence of sample positions
		for range *samples {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			j := int(x % uint64(len(data)))
			c.Index = append(c.Index, j)
			c.Value = append(c.Value, data[j])
		}
		b, err := json.Marshal(c)
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, b...)
		if i < len(cases)-1 {
			out = append(out, ',')
		}
		out = append(out, '\n')
	}
	out = append(out, "]\n"...)
	if err := os.WriteFile("testdata/pil_ref.json", out, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("genref: wrote testdata/pil_ref.json (%d cases) and the image fixtures\n", len(cases))
}
