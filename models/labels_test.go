package models_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/models"
)

func TestImageNetLabels(t *testing.T) {
	l := models.ImageNetLabels()
	if len(l) != 1000 {
		t.Fatalf("ImageNetLabels: %d labels, want 1000", len(l))
	}
	for i, want := range map[int]string{0: "tench, Tinca tinca", 281: "tabby, tabby cat", 504: "coffee mug",
		999: "toilet tissue, toilet paper, bathroom tissue"} {
		if l[i] != want {
			t.Errorf("label %d = %q, want %q", i, l[i], want)
		}
	}
	for i, s := range l {
		if s == "" || strings.TrimSpace(s) != s {
			t.Errorf("label %d = %q: empty or padded", i, s)
		}
	}
	l[281] = "changed"
	if models.ImageNetLabels()[281] != "tabby, tabby cat" {
		t.Error("ImageNetLabels returned shared storage: a caller's edit leaked")
	}
}

func TestImageNetLabelsWithBackground(t *testing.T) {
	l := models.ImageNetLabelsWithBackground()
	if len(l) != 1001 || l[0] != "background" || l[282] != "tabby, tabby cat" {
		t.Fatalf("with background: len %d, [0] %q, [282] %q; want 1001, background, tabby", len(l), l[0], l[282])
	}
	if !slices.Equal(l[1:], models.ImageNetLabels()) {
		t.Error("labels 1..1000 differ from ImageNetLabels")
	}
}

func TestLabelsForClasses(t *testing.T) {
	for n, want := range map[int]int{1000: 1000, 1001: 1001, 10: 0, 0: 0} {
		if got := len(models.LabelsForClasses(n)); got != want {
			t.Errorf("LabelsForClasses(%d): %d labels, want %d", n, got, want)
		}
	}
	if l := models.LabelsForClasses(1001); l[0] != "background" {
		t.Errorf("LabelsForClasses(1001)[0] = %q, want background", l[0])
	}
}

func TestLoadLabels(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, text string
		want       []string
	}{
		{"lf.txt", "cat\ndog\n", []string{"cat", "dog"}},
		{"crlf.txt", "cat\r\ndog\r\n", []string{"cat", "dog"}},
		{"no-final-newline.txt", "cat\ndog", []string{"cat", "dog"}},
		{"inner-blank.txt", "cat\n\n  bird \n\n\n", []string{"cat", "", "bird"}},
	}
	for _, c := range cases {
		got, err := models.LoadLabels(write(c.name, c.text))
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	if _, err := models.LoadLabels(write("empty.txt", "\n \n")); err == nil {
		t.Error("a file without labels loaded without error")
	}
	if _, err := models.LoadLabels(filepath.Join(dir, "missing.txt")); err == nil {
		t.Error("a missing file loaded without error")
	}
}

func TestCOCOLabels(t *testing.T) {
	l := models.COCOLabels()
	if len(l) != 80 {
		t.Fatalf("COCOLabels: %d labels, want 80", len(l))
	}
	for i, want := range map[int]string{0: "person", 2: "car", 15: "cat", 16: "dog", 41: "cup", 45: "bowl", 62: "tv", 79: "toothbrush"} {
		if l[i] != want {
			t.Errorf("label %d = %q, want %q", i, l[i], want)
		}
	}
	seen := map[string]bool{}
	for i, s := range l {
		if s == "" || strings.TrimSpace(s) != s || seen[s] {
			t.Errorf("label %d = %q: empty, padded or repeated", i, s)
		}
		seen[s] = true
	}
	l[0] = "changed"
	if models.COCOLabels()[0] != "person" {
		t.Error("COCOLabels returned shared storage: a caller's edit leaked")
	}
}
