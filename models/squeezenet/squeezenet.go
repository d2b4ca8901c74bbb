// Package squeezenet embeds a real ImageNet classifier: SqueezeNet 1.0 from
// the ONNX model zoo (squeezenet1.0-7, a Caffe2 export; Apache-2.0, see
// MODEL-CARD.md beside this file), with its weights stored as float16.
//
// The zoo's file holds float32 weights that were rounded to float16 before
// export, so storing them as float16 is lossless: the runtime widens them back
// to the very same float32 values at load. The embedded file is 2.5 MB instead
// of 4.9 MB and gives the zoo file's outputs bit for bit.
//
// Its input is data_0, float32[1, 3, 224, 224], Caffe-style (BGR, 0..255
// minus the mean 104, 117, 123: preprocess.Caffe, which preprocess.Auto picks
// from the producer name); its output softmaxout_1, float32[1, 1000, 1, 1],
// holds the probabilities of the 1000 ImageNet-1k classes in the order of
// models.ImageNetLabels. Top-1 accuracy on ImageNet is about 57%: it names a
// cat a cat, not every breed right.
//
// Importing this package adds the model's 2.5 MB to a binary; programs that
// bring their own model should not import it.
package squeezenet

import (
	_ "embed"

	"github.com/edgeinfer/edgeinfer/onnx"
)

//go:generate go test -run TestGenerate -update .

// Name identifies the embedded model in results and messages.
const Name = "squeezenet1.0 (built-in, fp16 weights)"

// FileName is the name of the embedded ONNX file in this package's folder.
const FileName = "squeezenet1.0-fp16.onnx"

//go:embed squeezenet1.0-fp16.onnx
var model []byte

//go:embed MODEL-CARD.md
var card string

// Bytes returns the embedded ONNX file. The slice is shared: do not modify it.
func Bytes() []byte { return model }

// Model decodes the embedded ONNX file. Its tensors alias the embedded bytes.
func Model() (*onnx.Model, error) { return onnx.Decode(model) }

// Card returns the model card (origin, license, accuracy) of the embedded model.
func Card() string { return card }
