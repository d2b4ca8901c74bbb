//go:build !nobuiltin

package main

import (
	_ "embed"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/onnx"
)

// samplePhoto is chelsea.jpg: scikit-image's chelsea.png (a tabby cat;
// public domain; ../shared/images) saved by Go's image/jpeg at quality 85,
// 28 KB instead of the PNG's 240 KB. It still shows an Egyptian cat first.
//
//go:embed sample/chelsea.jpg
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

// builtInModel decodes the embedded SqueezeNet 1.0 and gives its size.
func builtInModel() (*onnx.Model, int64, error) {
	b, err := squeezenet.Bytes()
	if err != nil {
		return nil, 0, err
	}
	m, err := squeezenet.Model()
	return m, int64(len(b)), err
}
