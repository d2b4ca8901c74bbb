package classify_test

import (
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/models/squeezenet"
)

// modelFile is the built-in SqueezeNet 1.0 (float16 weights) written out
// as an ONNX file by TestMain: the model file the examples load.
var modelFile string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "classify-examples")
	if err != nil {
		log.Fatal(err)
	}
	file, err := squeezenet.Bytes()
	if err != nil {
		log.Fatal(err)
	}
	modelFile = filepath.Join(dir, squeezenet.FileName)
	if err := os.WriteFile(modelFile, file, 0o644); err != nil {
		log.Fatal(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
