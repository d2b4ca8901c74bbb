package models

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

//go:embed imagenet-classes.txt
var imageNetText string

//go:embed coco-classes.txt
var cocoText string

// imageNetClasses is the number of ImageNet-1k classes.
const imageNetClasses = 1000

// imageNet holds the parsed embedded label list; it is never handed out
// directly, so callers cannot modify it.
var imageNet = mustParseEmbedded("imagenet-classes.txt", imageNetText, imageNetClasses)

// cocoClasses is the number of COCO object detection classes.
const cocoClasses = 80

var coco = mustParseEmbedded("coco-classes.txt", cocoText, cocoClasses)

func mustParseEmbedded(name, text string, n int) []string {
	l, err := ParseLabels(strings.NewReader(text))
	if err != nil || len(l) != n {
		panic(fmt.Sprintf("models: embedded %s: %d labels, err %v", name, len(l), err))
	}
	return l
}

// COCOLabels returns the 80 COCO object classes in the order detectors
// trained on COCO (the YOLO families, YOLOX, NanoDet) number them: index 0
// is "person", 15 "cat", 41 "cup". The slice is a fresh copy.
func COCOLabels() []string {
	return append([]string(nil), coco...)
}

// ImageNetLabels returns the 1000 ImageNet-1k class names in index order
// (index 281 is "tabby, tabby cat"), as used by torchvision and most ONNX
// model-zoo classifiers. The slice is a fresh copy.
func ImageNetLabels() []string {
	return append([]string(nil), imageNet...)
}

// ImageNetLabelsWithBackground returns 1001 labels for classifiers with an
// extra background class at index 0 (TF-slim and many TFLite conversions):
// index 0 is "background" and index i+1 is ImageNetLabels()[i].
func ImageNetLabelsWithBackground() []string {
	return append([]string{"background"}, imageNet...)
}

// LabelsForClasses returns the built-in label set matching a classifier with
// n output classes: ImageNetLabels for 1000, ImageNetLabelsWithBackground for
// 1001, and nil when no built-in set fits.
func LabelsForClasses(n int) []string {
	switch n {
	case imageNetClasses:
		return ImageNetLabels()
	case imageNetClasses + 1:
		return ImageNetLabelsWithBackground()
	}
	return nil
}

// LoadLabels reads a label file: one class name per line, line k (counted from
// 0) naming class k. See ParseLabels for the accepted format.
func LoadLabels(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load labels: %w", err)
	}
	defer f.Close()
	l, err := ParseLabels(f)
	if err != nil {
		return nil, fmt.Errorf("load labels %s: %w", path, err)
	}
	return l, nil
}

// ParseLabels reads one class name per line. Surrounding white space
// (including a CR of CRLF line ends) is trimmed; empty lines inside the list
// are kept as "" so that line numbers stay class indices, while empty lines at
// the end are dropped. A list with no labels is an error.
func ParseLabels(r io.Reader) ([]string, error) {
	var labels []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		labels = append(labels, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for len(labels) > 0 && labels[len(labels)-1] == "" {
		labels = labels[:len(labels)-1]
	}
	if len(labels) == 0 {
		return nil, errors.New("no labels: the file is empty")
	}
	return labels, nil
}
