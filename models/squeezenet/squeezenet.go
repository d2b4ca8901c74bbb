// Package squeezenet embeds a real ImageNet classifier: SqueezeNet 1.0 from
// the ONNX model zoo (squeezenet1.0-7, a Caffe2 export; Apache-2.0, see
// MODEL-CARD.md beside this file), with its weights stored as float16.
//
// The zoo's file holds float32 weights that were rounded to float16 before
// export, so storing them as float16 is lossless: the runtime widens them back
// to the very same float32 values at load. The ONNX file is 2.5 MB instead
// of 4.9 MB and gives the zoo file's outputs bit for bit.
//
// Its input is data_0, float32[1, 3, 224, 224], Caffe-style (BGR, 0..255
// minus the mean 104, 117, 123: preprocess.Caffe, which preprocess.Auto picks
// from the producer name); its output softmaxout_1, float32[1, 1000, 1, 1],
// holds the probabilities of the 1000 ImageNet-1k classes in the order of
// models.ImageNetLabels. Top-1 accuracy on ImageNet is about 57%: it names a
// cat a cat, not every breed right.
//
// The file is embedded packed (see FilePacked), 2.1 MB; importing this
// package adds those to a binary, and the first call of Bytes or Model
// unpacks the 2.5 MB ONNX file onto the heap, where it stays. Programs that
// bring their own model should not import it.
package squeezenet

import (
	"bytes"
	"compress/flate"
	_ "embed"
	"fmt"
	"io"
	"sync"

	"github.com/edgeinfer/edgeinfer/onnx"
)

//go:generate go test -run TestGenerate -update .

// Name identifies the embedded model in results and messages.
const Name = "squeezenet1.0 (built-in, fp16 weights)"

// FileName is the name of the ONNX file that Bytes returns.
const FileName = "squeezenet1.0-fp16.onnx"

// FilePacked is the name of the embedded file in this package's folder: the
// ONNX file's bytes at even offsets followed by those at odd offsets, the
// whole compressed with DEFLATE (RFC 1951). Splitting the bytes so puts the
// float16 weights' high bytes (sign, exponent and top mantissa bits, which
// repeat a lot) together, away from their low bytes (which are noise):
// DEFLATE then saves 14% of the file, where it saves 8% of the file as is.
const FilePacked = FileName + ".packed"

// maxFileBytes bounds the unpacked file (it is 2.5 MB).
const maxFileBytes = 8 << 20

//go:embed squeezenet1.0-fp16.onnx.packed
var packed []byte

// file is the unpacked ONNX file, made at the first call.
var file = sync.OnceValues(func() ([]byte, error) { return unpack(packed) })

// unpack undoes the packing FilePacked describes.
func unpack(p []byte) ([]byte, error) {
	planes, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(p)), maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("squeezenet: unpacking %s: %w", FilePacked, err)
	}
	if len(planes) > maxFileBytes {
		return nil, fmt.Errorf("squeezenet: unpacking %s: more than %d bytes", FilePacked, maxFileBytes)
	}
	out := make([]byte, len(planes))
	even := (len(out) + 1) / 2
	for i, b := range planes[:even] {
		out[2*i] = b
	}
	for i, b := range planes[even:] {
		out[2*i+1] = b
	}
	return out, nil
}

//go:embed MODEL-CARD.md
var card string

// Bytes returns the ONNX file, unpacked at the first call. The slice is
// shared: do not modify it.
func Bytes() ([]byte, error) { return file() }

// Model decodes the ONNX file. Its tensors alias the bytes Bytes returns.
func Model() (*onnx.Model, error) {
	b, err := file()
	if err != nil {
		return nil, err
	}
	return onnx.Decode(b)
}

// Card returns the model card (origin, license, accuracy) of the embedded model.
func Card() string { return card }
