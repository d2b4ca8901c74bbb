package main

import (
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/detect"
	"github.com/edgeinfer/edgeinfer/preprocess"
)

// cmdDetect is `edgeinfer detect [flags] MODEL.onnx IMAGE|DIR|-...`.
func cmdDetect(args []string, stdin io.Reader, w, stderr io.Writer) error {
	fs := newFlags("detect")
	conf := fs.Float64("conf", 0, "confidence threshold (default: the family's: 0.25 for objects, 0.5 for faces, 0.75 for BlazeFace)")
	iou := fs.Float64("iou", 0, "IoU threshold of the suppression (default: the family's: 0.45 for objects, 0.4 for faces, 0.3 for BlazeFace)")
	maxDet := fs.Int("max-det", 300, "at most this many boxes per image")
	agnostic := fs.Bool("agnostic", false, "suppress overlapping boxes across classes")
	labels := fs.String("labels", "", "label file, one class name per line (default: the model's names, COCO-80, or face)")
	family := fs.String("family", "auto", "detector family: "+strings.Join(detect.FamilyNames(), ", "))
	preset := fs.String("preset", "auto", "normalisation: auto (the family's) or "+strings.Join(preprocess.PresetNames(), ", "))
	order := fs.String("order", "auto", "channel order: auto (the family's), rgb or bgr")
	fit := fs.String("fit", "auto", "fitting the photo to the input: auto (the family's), letterbox, corner (letterbox in the top-left corner) or stretch")
	size := fs.Int("size", detect.DefaultSize, "longest input side for a model whose input size is symbolic")
	threads := fs.Int("threads", goruntime.NumCPU(), "worker threads")
	out := fs.String("o", "", "write the photo with its boxes drawn: a .jpg or .png file, or a folder for several images")
	asJSON := fs.Bool("json", false, "one JSON object per image per line")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *threads < 1 || *maxDet < 1 {
		return errors.New("detect: -threads and -max-det must be at least 1")
	}
	if len(pos) < 2 {
		return errors.New("detect: a model and at least one image are needed (usage: edgeinfer detect [flags] MODEL.onnx IMAGE|DIR|-...; edgeinfer detect -h for more)")
	}
	opts := []detect.Option{detect.WithThreads(*threads), detect.WithSize(*size),
		detect.WithThresholds(detect.Thresholds{Conf: *conf, IoU: *iou, MaxDet: *maxDet, Agnostic: *agnostic})}
	f, err := detect.ParseFamily(*family)
	if err != nil {
		return fmt.Errorf("-family: %w", err)
	}
	opts = append(opts, detect.WithFamily(f))
	if *preset != "auto" {
		p, err := preprocess.PresetByName(*preset)
		if err != nil {
			return fmt.Errorf("-preset: %w", err)
		}
		opts = append(opts, detect.WithPreset(p))
	}
	switch *order {
	case "auto":
	case "rgb", "bgr":
		opts = append(opts, detect.WithChannelOrder(*order))
	default:
		return fmt.Errorf("-order %q: want auto, rgb or bgr", *order)
	}
	switch *fit {
	case "auto":
	case "letterbox", "corner":
		opts = append(opts, detect.WithFit(preprocess.Letterbox, [3]uint8{114, 114, 114}, *fit == "corner"))
	case "stretch":
		opts = append(opts, detect.WithFit(preprocess.Stretch, [3]uint8{}, false))
	default:
		return fmt.Errorf("-fit %q: want auto, letterbox, corner or stretch", *fit)
	}
	if *labels != "" {
		opts = append(opts, detect.WithLabelsFile(*labels))
	}
	d, err := detect.Load(pos[0], opts...)
	if err != nil {
		return err
	}
	defer d.Close()
	images, err := expandImages(pos[1:])
	if err != nil {
		return err
	}
	outDir := false
	if *out != "" {
		st, err := os.Stat(*out)
		outDir = err == nil && st.IsDir()
		if len(images) > 1 && !outDir {
			return fmt.Errorf("detect: -o %s: with several images -o names an existing folder", *out)
		}
	}
	var res detect.Result
	failed := 0
	for _, img := range images {
		err := img.err
		if err == nil {
			err = detectOne(d, img.path, stdin, *out, outDir, &res)
		}
		if err == nil {
			if *asJSON {
				printJSON(w, &res)
			} else {
				printDetections(w, &res)
			}
			continue
		}
		failed++
		if *asJSON {
			printJSON(w, errorRecord{Image: img.path, Error: message(err)})
		}
		if len(images) == 1 {
			return err
		}
		if !*asJSON {
			fmt.Fprintf(stderr, "edgeinfer: %s\n", message(err))
		}
	}
	if failed > 0 {
		return &exitError{1, fmt.Errorf("%d of %d images failed", failed, len(images))}
	}
	return nil
}

// detectOne detects in the image at path ("-": standard input) and, when
// out is set, writes it annotated to out (a file, or a folder).
func detectOne(d *detect.Detector, path string, stdin io.Reader, out string, outDir bool, res *detect.Result) error {
	var px *preprocess.Pixels
	var err error
	t0 := time.Now()
	if path == "-" {
		px, err = preprocess.DecodeReader(stdin, "-", d.Preprocess())
	} else {
		px, err = preprocess.Decode(path, d.Preprocess())
	}
	if err != nil {
		return err
	}
	decode := time.Since(t0)
	if err := d.DetectPixels(context.Background(), px, path, res); err != nil {
		return err
	}
	res.MS.Decode = math.Round(float64(decode.Microseconds())) / 1000
	if out == "" {
		return nil
	}
	if outDir {
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if path == "-" {
			base = "stdin"
		}
		out = filepath.Join(out, base+".jpg")
	}
	img := px.RGBA()
	detect.Annotate(img, res.Boxes)
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("-o: %w", err)
	}
	if strings.EqualFold(filepath.Ext(out), ".png") {
		err = png.Encode(f, img)
	} else {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 90})
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("-o %s: %w", out, err)
	}
	return nil
}

func printDetections(w io.Writer, res *detect.Result) {
	fmt.Fprintf(w, "%s  (%s; %d boxes; decode %.1f ms, preprocess %.1f ms, infer %.1f ms, postprocess %.1f ms)\n",
		res.Image, res.Family, len(res.Boxes), res.MS.Decode, res.MS.Preprocess, res.MS.Infer, res.MS.Postprocess)
	for _, b := range res.Boxes {
		fmt.Fprintf(w, "  %-20s %6.4f  %7.1f %7.1f %7.1f %7.1f", b.Label, b.Score, b.X1, b.Y1, b.X2, b.Y2)
		for _, p := range b.Landmarks {
			fmt.Fprintf(w, "  (%.1f, %.1f)", p.X, p.Y)
		}
		fmt.Fprintln(w)
	}
}
