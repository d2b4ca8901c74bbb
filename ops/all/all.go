// Package all registers every operator family of edgeinfer with the ops
// registry. The runtime imports it, so a program that loads models gets
// every operator; a program that only needs some families may import
// those packages alone, the way image/png registers a decoder with image.
package all

import (
	_ "github.com/edgeinfer/edgeinfer/ops/array"     // shapes, indexing, copies
	_ "github.com/edgeinfer/edgeinfer/ops/attention" // transformer blocks
	_ "github.com/edgeinfer/edgeinfer/ops/control"   // If, Loop, Scan
	_ "github.com/edgeinfer/edgeinfer/ops/elem"      // element-wise math, logic, activations, Cast
	_ "github.com/edgeinfer/edgeinfer/ops/linalg"    // Einsum, Det
	_ "github.com/edgeinfer/edgeinfer/ops/loss"      // loss functions
	_ "github.com/edgeinfer/edgeinfer/ops/nn"        // convolution, matrix products, pooling, normalization
	_ "github.com/edgeinfer/edgeinfer/ops/quant"     // quantization and integer kernels
	_ "github.com/edgeinfer/edgeinfer/ops/random"    // random generators
	_ "github.com/edgeinfer/edgeinfer/ops/rec"       // RNN, GRU, LSTM
	_ "github.com/edgeinfer/edgeinfer/ops/reduce"    // reductions and softmax
	_ "github.com/edgeinfer/edgeinfer/ops/signal"    // DFT, STFT, windows
	_ "github.com/edgeinfer/edgeinfer/ops/text"      // TfIdfVectorizer
	_ "github.com/edgeinfer/edgeinfer/ops/vision"    // Resize, GridSample, RoiAlign, NMS...
)
