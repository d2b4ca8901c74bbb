//go:build !nobuiltin

package main

import (
	_ "embed"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// samplePhoto is chelsea.png (a tabby cat; public domain, from scikit-image's data).
//
//go:embed sample/chelsea.png
var samplePhoto []byte

// builtInClassifier loads the embedded SqueezeNet 1.0.
func builtInClassifier(threads int, opts ...classify.Option) (*classify.Classifier, error) {
	p, err := squeezenet.Model()
	if err != nil {
		return nil, err
	}
	opts = append([]classify.Option{classify.WithName(squeezenet.Name), classify.WithThreads(threads)}, opts...)
	return classify.LoadModel(p, opts...)
}

// builtInModel loads the embedded SqueezeNet 1.0 for the runtime alone.
func builtInModel(opts ...runtime.Option) (*runtime.Model, error) {
	p, err := squeezenet.Model()
	if err != nil {
		return nil, err
	}
	return runtime.LoadModel(p, opts...)
}
