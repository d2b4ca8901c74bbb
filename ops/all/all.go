// Package all registers every operator family of edgeinfer with the ops
// registry. The runtime imports it, so a program that loads models gets
// every operator; a program that only needs some families may import
// those packages alone, the way image/png registers a decoder with image.
package all

import (
	_ "github.com/edgeinfer/edgeinfer/ops/array"  // shapes, indexing, copies
	_ "github.com/edgeinfer/edgeinfer/ops/elem"   // element-wise math, logic, activations, Cast
	_ "github.com/edgeinfer/edgeinfer/ops/nn"     // convolution, matrix products, pooling, normalization
	_ "github.com/edgeinfer/edgeinfer/ops/quant"  // quantization and integer kernels
	_ "github.com/edgeinfer/edgeinfer/ops/reduce" // reductions and softmax
)
