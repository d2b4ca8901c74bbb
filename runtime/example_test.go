package runtime_test

import (
	"context"
	"fmt"
	"log"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// argmax returns the index of the largest score.
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// Load a model, look at its inputs and outputs, and run it once. Run
// returns outputs the caller owns, and is safe from many goroutines.
func ExampleLoad() {
	m, err := runtime.Load(modelFile, runtime.WithThreads(2))
	if err != nil {
		log.Fatal(err) // lists every unsupported operator at once
	}
	defer m.Close()
	in, out := m.Inputs()[0], m.Outputs()[0]
	fmt.Println("in: ", in.Name, in)
	fmt.Println("out:", out.Name, out)

	// A Caffe2 export: BGR, 0..255 minus the ImageNet mean.
	data, shape, err := preprocess.Load("../classify/testdata/chelsea.png", preprocess.Options{Preset: preprocess.Caffe})
	if err != nil {
		log.Fatal(err)
	}
	outs, err := m.Run(context.Background(), []*ops.Tensor{ops.FromF32(data, shape...)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("class:", argmax(outs[0].F32()), outs[0].Shape)
	// Output:
	// in:  data_0 float32[1 3 224 224]
	// out: softmaxout_1 float32[1 1000 1 1]
	// class: 285 [1 1000 1 1]
}

// A Session reuses its buffers: after the first run of an input shape it
// allocates nothing per run. Its outputs live in its own memory and are
// valid until its next run: copy what you keep.
func ExampleModel_NewSession() {
	m, err := runtime.Load(modelFile)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	s := m.NewSession()

	data, shape, err := preprocess.Load("../classify/testdata/chelsea.png", preprocess.Options{Preset: preprocess.Caffe})
	if err != nil {
		log.Fatal(err)
	}
	in := []*ops.Tensor{ops.FromF32(data, shape...)}
	for range 2 {
		out, err := s.Run(context.Background(), in)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(argmax(out[0].F32()))
	}
	// Output:
	// 285
	// 285
}
