package preprocess

import (
	"strings"
	"testing"
)

func TestAuto(t *testing.T) {
	cases := []struct {
		shape    []int64
		producer string
		layout   Layout
		c, h, w  int
		preset   string
	}{
		{[]int64{1, 3, 224, 224}, "pytorch", NCHW, 3, 224, 224, "torchvision"},
		{[]int64{1, 3, 227, 227}, "onnx-caffe2", NCHW, 3, 227, 227, "caffe"},
		{[]int64{1, 1, 28, 28}, "CNTK", NCHW, 1, 28, 28, "torchvision"},
		{[]int64{1, 299, 299, 3}, "tf2onnx", NHWC, 3, 299, 299, "inception"},
		{[]int64{1, 128, 96, 1}, "keras2onnx", NHWC, 1, 128, 96, "inception"},
		{[]int64{-1, 3, -1, -1}, "", NCHW, 3, 224, 224, "torchvision"},
		{[]int64{0, 0, 0, 0}, "Caffe", NCHW, 3, 224, 224, "caffe"},
		{[]int64{1, 224, 224, -1}, "", NHWC, 3, 224, 224, "torchvision"},
		{[]int64{1, -1, 160, 3}, "", NHWC, 3, 224, 160, "torchvision"},
		{[]int64{3, 32, 48}, "", NCHW, 3, 32, 48, "torchvision"},
		{[]int64{28, 28, 1}, "", NHWC, 1, 28, 28, "torchvision"},
	}
	for _, c := range cases {
		o, err := Auto(c.shape, c.producer)
		if err != nil {
			t.Errorf("Auto(%v, %q): %v", c.shape, c.producer, err)
			continue
		}
		if o.Layout != c.layout || o.Channels != c.c || o.Height != c.h || o.Width != c.w || o.Preset.Name != c.preset {
			t.Errorf("Auto(%v, %q) = %v %d channels %dx%d %s; want %v %d channels %dx%d %s", c.shape, c.producer,
				o.Layout, o.Channels, o.Width, o.Height, o.Preset.Name, c.layout, c.c, c.w, c.h, c.preset)
		}
	}
	for _, bad := range [][]int64{{1, 4, 224, 224}, {224, 224}, {1, 3, 224, 224, 1}, {1, 3, 100000, 224}} {
		if _, err := Auto(bad, ""); err == nil {
			t.Errorf("Auto(%v) accepted", bad)
		}
	}
}

func TestNames(t *testing.T) {
	for _, n := range PresetNames() {
		p, err := PresetByName(strings.ToUpper(n))
		if err != nil || p.Name != n {
			t.Errorf("PresetByName(%q) = %v, %v", n, p.Name, err)
		}
	}
	if _, err := PresetByName("imagenet"); err == nil || !strings.Contains(err.Error(), "torchvision") {
		t.Errorf("unknown preset: err = %v", err)
	}
	for _, l := range []Layout{NCHW, NHWC} {
		if got, err := ParseLayout(strings.ToLower(l.String())); err != nil || got != l {
			t.Errorf("ParseLayout(%q) = %v, %v", l, got, err)
		}
	}
	if _, err := ParseLayout("CHW"); err == nil {
		t.Error("ParseLayout(CHW) accepted")
	}
}
