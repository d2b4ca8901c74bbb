package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	goruntime "runtime"
	"time"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// samplePhoto is chelsea.png (a tabby cat; public domain, from scikit-image's data).
//
//go:embed sample/chelsea.png
var samplePhoto []byte

// cmdDemo builds a synthetic ResNet-50 in memory and classifies the embedded photo end to end.
func cmdDemo(args []string, w io.Writer) error {
	fs := newFlags("demo")
	threads := fs.Int("threads", goruntime.NumCPU(), "worker threads")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	t0 := time.Now()
	p, err := models.Build("resnet50", 1)
	if err != nil {
		return err
	}
	m, err := runtime.LoadModel(p, runtime.WithThreads(*threads))
	if err != nil {
		return err
	}
	defer m.Close()
	fmt.Fprintf(w, "built a torchvision-shaped ResNet-50 in memory in %.0f ms\n", ms(time.Since(t0)))
	c, err := newClassifier("resnet50 (synthetic)", m, "auto", "", 5)
	if err != nil {
		return err
	}
	res := imageResult{Image: "sample/chelsea.png (embedded)", Model: "resnet50 (synthetic weights, seed 1)"}
	t1 := time.Now()
	px, err := preprocess.DecodeReader(bytes.NewReader(samplePhoto), "chelsea.png", c.opt)
	if err != nil {
		return err
	}
	res.MS.Decode = ms(time.Since(t1))
	if err := c.classify(px, &res); err != nil {
		return err
	}
	printResult(w, &res, false)
	fmt.Fprint(w, `
The weights are synthetic (seeded random), so these labels mean nothing: the
demo shows the whole path (decode, preprocess, ResNet-50 in pure Go, top-5) on
any machine. To classify for real, give edgeinfer a pretrained ONNX model:

    edgeinfer resnet50-v1-7.onnx photo.jpg          # e.g. from the ONNX model zoo
    edgeinfer -json squeezenet1.0-7.onnx a.jpg b.png
`)
	return nil
}
