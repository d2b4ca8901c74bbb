//go:build nobuiltin

package main

import (
	"errors"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/onnx"
)

// A build with the nobuiltin tag leaves out the built-in model and photo
// (2.2 MB), for boards where every megabyte of flash counts.
var samplePhoto []byte

var errNoBuiltIn = errors.New("this edgeinfer was built without the built-in model (-tags nobuiltin): give a MODEL.onnx as the first argument")

func builtInClassifier(int, ...classify.Option) (*classify.Classifier, error) {
	return nil, errNoBuiltIn
}

func builtInModel() (*onnx.Model, int64, error) { return nil, 0, errNoBuiltIn }
