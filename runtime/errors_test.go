package runtime

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// TestTypedErrors checks that each kind of failure is told apart with
// errors.Is and errors.As, with the details its type carries.
func TestTypedErrors(t *testing.T) {
	dir := t.TempDir()

	if _, err := Load(filepath.Join(dir, "missing.onnx")); !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrInvalidModel) {
		t.Errorf("missing file: %v, want fs.ErrNotExist only", err)
	}

	corrupt := filepath.Join(dir, "corrupt.onnx")
	if err := os.WriteFile(corrupt, []byte{0x0a, 0xff, 0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(corrupt); !errors.Is(err, ErrInvalidModel) {
		t.Errorf("corrupt file: %v, want ErrInvalidModel", err)
	}

	dangling := newBuilder(13).input("x", onnx.Float, 2).node("Add", s("x", "ghost"), s("y")).output("y", onnx.Float, 2).m
	if _, err := LoadModel(dangling); !errors.Is(err, ErrInvalidModel) {
		t.Errorf("dangling input: %v, want ErrInvalidModel", err)
	}

	missing := newBuilder(13).input("x", onnx.Float, 2).node("NoSuchOp", s("x"), s("y")).node("NoSuchOp", s("y"), s("z")).output("z", onnx.Float, 2).m
	_, err := LoadModel(missing)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || len(ue.Ops) != 1 || ue.Ops[0].OpType != "NoSuchOp" || len(ue.Ops[0].Nodes) != 2 {
		t.Errorf("unsupported operator: %v, want an UnsupportedError listing NoSuchOp at 2 nodes", err)
	}
	if errors.Is(err, ops.ErrUnsupported) || errors.Is(err, ErrInvalidModel) {
		t.Errorf("a missing default-domain operator is neither beyond scope nor invalid: %v", err)
	}
	ml := newBuilder(13).input("x", onnx.Float, 2).node("Binarizer", s("x"), s("y")).output("y", onnx.Float, 2).m
	ml.Graph.Nodes[0].Domain = "ai.onnx.ml"
	ml.OpsetImports = append(ml.OpsetImports, onnx.OpsetID{Domain: "ai.onnx.ml", Version: 1})
	if _, err := LoadModel(ml); !errors.As(err, &ue) || !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("ai.onnx.ml operator: %v, want an UnsupportedError wrapping ops.ErrUnsupported", err)
	}

	m := load(t, chainModel(), WithLimits(Limits{MaxTensorBytes: 1 << 10}))
	_, err = m.Run(context.Background(), []*ops.Tensor{ops.New(onnx.Float, 64, 3, 8)})
	var le *LimitError
	if !errors.As(err, &le) || le.Limit != "MaxTensorBytes" || le.Bound != 1<<10 || le.Value <= le.Bound {
		t.Errorf("tensor over the limit: %v, want a LimitError on MaxTensorBytes", err)
	}

	_, err = m.Run(context.Background(), []*ops.Tensor{ops.New(onnx.Float, 1, 4, 8)})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Name != "x" || ie.Want != "float32[N 3 8]" || ie.Got != "float32[1 4 8]" {
		t.Errorf("wrong input shape: %v (%+v), want an InputError naming x", err, ie)
	}
	_, err = m.Run(context.Background(), nil)
	if !errors.As(err, &ie) || ie.Name != "" || ie.Want != "1" || ie.Got != "0" {
		t.Errorf("no inputs: %v, want an InputError on the count", err)
	}
}
