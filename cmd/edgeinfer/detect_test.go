package main

import (
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDetectCommand(t *testing.T) {
	shared := sharedDir(t)
	model := filepath.Join(shared, "models", "wild", "yolox-nano", "model.onnx")
	coffee := filepath.Join(shared, "images", "coffee.png")
	out := filepath.Join(t.TempDir(), "coffee.jpg")
	code, stdout, stderr := cli(t, "detect", "-json", "-o", out, model, coffee)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs := jsonLines(t, stdout)
	if len(recs) != 1 {
		t.Fatalf("%d JSON lines, want 1", len(recs))
	}
	r := recs[0]
	if got := keys(r); !slices.Equal(got, []string{"boxes", "family", "image", "model", "ms"}) {
		t.Errorf("keys %v", got)
	}
	boxes := r["boxes"].([]any)
	if r["family"] != "yolox" || len(boxes) == 0 {
		t.Fatalf("family %v, boxes %v", r["family"], boxes)
	}
	b := boxes[0].(map[string]any)
	if got := keys(b); !slices.Equal(got, []string{"class", "label", "score", "x1", "x2", "y1", "y2"}) {
		t.Errorf("box keys %v", got)
	}
	if b["label"] != "cup" || b["class"].(float64) != 41 {
		t.Errorf("best box %v, want the cup (class 41)", b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil || img.Bounds().Dx() != 600 || img.Bounds().Dy() != 400 {
		t.Fatalf("-o wrote %v, %v; want a 600x400 JPEG", img.Bounds(), err)
	}

	// faces, with landmarks, in the table form, two images and a folder for -o
	dir := t.TempDir()
	code, stdout, stderr = cli(t, "detect", "-o", dir, filepath.Join(shared, "models", "wild", "blazeface-pt", "model.onnx"),
		filepath.Join(shared, "images", "astronaut.png"), coffee)
	if code != 0 || !strings.Contains(stdout, "blazeface; 1 boxes") || !strings.Contains(stdout, "face ") {
		t.Errorf("blazeface: exit %d, %q, %q", code, stdout, stderr)
	}
	for _, name := range []string{"astronaut.jpg", "coffee.jpg"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestDetectBadInput(t *testing.T) {
	shared := sharedDir(t)
	model := filepath.Join(shared, "models", "wild", "ultraface-rfb-320", "model.onnx")
	img := filepath.Join(shared, "images", "astronaut.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"detect", model}, "a model and at least one image"},
		{[]string{"detect", "-family", "detr", model, img}, "unknown family"},
		{[]string{"detect", "-family", "yolov8", model, img}, "not yolov8's"},
		{[]string{"detect", "-conf", "2", model, img}, "confidence threshold 2"},
		{[]string{"detect", "-order", "gbr", model, img}, "-order"},
		{[]string{"detect", "-o", filepath.Join(t.TempDir(), "x.jpg"), model, img, img}, "existing folder"},
		{[]string{"detect", filepath.Join(shared, "models", "squeezenet1.0", "model.onnx"), img}, "not a detector"},
		{[]string{"detect", model, filepath.Join(shared, "README.md")}, "unknown image format"},
	} {
		code, _, stderr := cli(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want exit 2 and one line containing %q", c.args[1:], code, stderr, c.want)
		}
	}
	// one bad image among good ones: reported, the others run, exit 1
	code, stdout, stderr := cli(t, "detect", "-json", model, img, filepath.Join(shared, "README.md"))
	if code != 1 || len(jsonLines(t, stdout)) != 2 || !strings.Contains(stderr, "1 of 2 images failed") {
		t.Errorf("one bad image of two: exit %d, %q, %q", code, stdout, stderr)
	}
}
