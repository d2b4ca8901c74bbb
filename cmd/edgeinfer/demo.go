package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	goruntime "runtime"
	"time"

	"github.com/edgeinfer/edgeinfer/classify"
)

// cmdDemo classifies the embedded photo with the embedded SqueezeNet 1.0.
func cmdDemo(args []string, w io.Writer) error {
	fs := newFlags("demo")
	threads := fs.Int("threads", goruntime.NumCPU(), "worker threads")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *threads < 1 {
		return fmt.Errorf("demo: takes no arguments, and -threads at least 1")
	}
	t0 := time.Now()
	c, err := builtInClassifier(*threads)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(w, "loaded the built-in SqueezeNet 1.0 (ImageNet, 1000 classes; %.0f ms)\n\n", ms(time.Since(t0)))
	var res classify.Result
	if err := c.ClassifyReader(context.Background(), bytes.NewReader(samplePhoto), "chelsea.jpg (built-in photo)", &res); err != nil {
		return err
	}
	printResult(w, &res)
	top := res.Top[0]
	if top.Index >= 281 && top.Index <= 285 { // ImageNet's domestic and wild cats
		fmt.Fprintf(w, "\nA cat: %.0f%% of the probability is on ImageNet's cat classes (281-285).\n", 100*catShare(res.Top))
	} else {
		fmt.Fprintf(w, "\nThe model's best guess: %q.\n", top.Label)
	}
	fmt.Fprint(w, `
Real weights (the ONNX model zoo's squeezenet1.0-7, 1.2 M parameters, about
57% top-1 on ImageNet), embedded in this binary. Next:

    edgeinfer photo.jpg                         # your photos, with the built-in model
    edgeinfer -json resnet50-v1-7.onnx photos/  # your own ONNX classifier on a folder
`)
	return nil
}

// catShare is the summed score of the cat classes (281-285) among top.
func catShare(top []classify.Class) float64 {
	s := 0.0
	for _, c := range top {
		if c.Index >= 281 && c.Index <= 285 {
			s += c.Score
		}
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
