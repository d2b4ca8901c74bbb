package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// errorRecord is the -json line of an image that could not be classified.
type errorRecord struct {
	Image string `json:"image"`
	Error string `json:"error"`
}

// failedResult is the -json line of an image whose scores came out but
// are not finite: the result (null scores) and the error.
type failedResult struct {
	*classify.Result
	Error string `json:"error"`
}

// cmdClassify is `edgeinfer [flags] [MODEL.onnx] IMAGE|DIR|-...`.
func cmdClassify(args []string, stdin io.Reader, w, stderr io.Writer) error {
	fs := newFlags("edgeinfer")
	k := fs.Int("k", classify.DefaultK, "how many classes to show per image")
	labels := fs.String("labels", "", "label file, one class name per line (default: built-in ImageNet labels)")
	preset := fs.String("preset", "auto", "preprocessing: auto (from the model) or "+strings.Join(preprocess.PresetNames(), ", "))
	threads := fs.Int("threads", goruntime.NumCPU(), "worker threads")
	precision := precisionFlag(fs)
	asJSON := fs.Bool("json", false, "one JSON object per image per line")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *k < 1 || *threads < 1 {
		return errors.New("-k and -threads must be at least 1")
	}
	prec, err := parsePrecision(*precision)
	if err != nil {
		return err
	}
	warnPrecision(stderr, prec)
	opts := []classify.Option{classify.WithTopK(*k), classify.WithThreads(*threads), classify.WithRuntimeOptions(runtime.WithPrecision(prec))}
	if *preset != "auto" {
		p, err := preprocess.PresetByName(*preset)
		if err != nil {
			return fmt.Errorf("-preset: %w", err)
		}
		opts = append(opts, classify.WithPreset(p))
	}
	if *labels != "" {
		opts = append(opts, classify.WithLabelsFile(*labels))
	}
	model := ""
	if len(pos) > 0 && strings.EqualFold(filepath.Ext(pos[0]), ".onnx") {
		model, pos = pos[0], pos[1:]
	}
	if len(pos) == 0 {
		return errors.New("no image given (usage: edgeinfer [flags] [MODEL.onnx] IMAGE|DIR|-...; edgeinfer -h for more)")
	}
	var c *classify.Classifier
	if model != "" {
		c, err = classify.Load(model, opts...)
	} else {
		c, err = builtInClassifier(*threads, opts...)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	images, err := expandImages(pos)
	if err != nil {
		return err
	}
	warnK := func() {
		if n := c.Classes(); n > 0 && *k > n {
			fmt.Fprintf(stderr, "edgeinfer: -k %d is more than the model's %d classes: showing %d\n", *k, n, n)
			*k = 0 // warned
		}
	}
	warnK()
	var res classify.Result
	failed := 0
	for _, img := range images {
		err := img.err
		if err == nil {
			err = classifyOne(c, img.path, stdin, &res)
		}
		notFinite := errors.Is(err, classify.ErrNotFinite)
		if err == nil || notFinite {
			warnK() // the class count may be known only now
		}
		if err == nil {
			if *asJSON {
				printJSON(w, &res)
			} else {
				printResult(w, &res)
			}
			continue
		}
		failed++
		switch {
		case *asJSON && notFinite:
			printJSON(w, failedResult{&res, message(err)})
		case *asJSON:
			printJSON(w, errorRecord{Image: img.path, Error: message(err)})
		case notFinite:
			printResult(w, &res)
		}
		if len(images) == 1 {
			return err // one line on stderr, exit 2, as for any bad input
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

// classifyOne classifies the image at path ("-": standard input).
func classifyOne(c *classify.Classifier, path string, stdin io.Reader, res *classify.Result) error {
	if path == "-" {
		return c.ClassifyReader(context.Background(), stdin, "-", res)
	}
	return c.ClassifyFile(context.Background(), path, res)
}

// imageArg is one image to classify, or the error that stands in for it.
type imageArg struct {
	path string
	err  error
}

// expandImages replaces each folder argument by its images, sorted by
// name (not recursive); a folder without images is an error in its place.
// "-" (standard input) may appear once.
func expandImages(args []string) ([]imageArg, error) {
	var out []imageArg
	stdin := false
	for _, a := range args {
		if a == "-" {
			if stdin {
				return nil, errors.New("- (standard input) given twice: it holds one image")
			}
			stdin = true
			out = append(out, imageArg{path: a})
			continue
		}
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			out = append(out, imageArg{path: a}) // the decoder names what is wrong
			continue
		}
		found, err := preprocess.ImageFiles(a)
		if err != nil {
			out = append(out, imageArg{path: a, err: err})
			continue
		}
		if len(found) == 0 {
			out = append(out, imageArg{path: a, err: fmt.Errorf("%s: a folder with no images (%s)", a, preprocess.ImageExtensions())})
			continue
		}
		for _, f := range found {
			out = append(out, imageArg{path: f})
		}
	}
	return out, nil
}

func printJSON(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil { // cannot happen for these types; never print an empty line
		b, _ = json.Marshal(errorRecord{Error: err.Error()})
	}
	fmt.Fprintf(w, "%s\n", b)
}

func printResult(w io.Writer, res *classify.Result) {
	fmt.Fprintf(w, "%s  (preset %s; decode %.1f ms, preprocess %.1f ms, infer %.1f ms)\n",
		res.Image, res.Preset, res.MS.Decode, res.MS.Preprocess, res.MS.Infer)
	for r, s := range res.Top {
		fmt.Fprintf(w, "  %d  %4d  %-40s %7.4f\n", r+1, s.Index, s.Label, s.Score)
	}
}
