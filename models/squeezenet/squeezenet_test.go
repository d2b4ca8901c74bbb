package squeezenet

import (
	"bytes"
	"compress/flate"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/conformance"
)

var update = flag.Bool("update", false, "rewrite "+FilePacked+" from ../shared/models/squeezenet1.0/model.onnx")

// convert returns the zoo model with its float32 initializers stored as
// FLOAT16, or an error naming the first value float16 cannot hold exactly.
func convert(src []byte) ([]byte, error) {
	m, err := onnx.Decode(src)
	if err != nil {
		return nil, err
	}
	half := map[string]bool{}
	for i, init := range m.Graph.Initializer {
		if init.DataType != onnx.Float {
			continue
		}
		t, err := ops.FromProto(init, "")
		if err != nil {
			return nil, err
		}
		for j, v := range t.F32()[:t.Len()] {
			if back := onnx.F16ToF32(onnx.F32ToF16(v)); back != v && !(math.IsNaN(float64(v)) && math.IsNaN(float64(back))) {
				return nil, fmt.Errorf("initializer %q element %d: %g is not exact in float16 (%g)", init.Name, j, v, back)
			}
		}
		m.Graph.Initializer[i] = ops.ToProto(t, init.Name, onnx.Float16)
		half[init.Name] = true
	}
	for _, in := range m.Graph.Inputs {
		if half[in.Name] {
			in.Type.Elem = onnx.Float16
		}
	}
	m.Metadata = append(m.Metadata, onnx.StringEntry{Key: "edgeinfer.converted",
		Value: "squeezenet1.0-7 of the ONNX model zoo with its float32 weights stored as float16 (exact: they were rounded to float16 before export)"})
	return onnx.Marshal(m)
}

// pack packs an ONNX file as FilePacked describes.
func pack(file []byte) ([]byte, error) {
	planes := make([]byte, 0, len(file))
	for i := 0; i < len(file); i += 2 {
		planes = append(planes, file[i])
	}
	for i := 1; i < len(file); i += 2 {
		planes = append(planes, file[i])
	}
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(planes); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TestGenerate checks that the embedded file unpacks to what convert makes
// of the zoo's model (with -update it rewrites the file).
func TestGenerate(t *testing.T) {
	src, err := os.ReadFile(onnxtest.Shared(t, "models", "squeezenet1.0", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := convert(src)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		p, err := pack(want)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(FilePacked, p, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d bytes, unpacking to %d (from %d)", FilePacked, len(p), len(want), len(src))
		return
	}
	got, err := Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s unpacks to %d bytes that are not what the generator writes (%d bytes): run go test -run TestGenerate -update", FilePacked, len(got), len(want))
	}
}

// TestPacking: unpack inverts pack for files of odd and even lengths, and
// refuses data that is not DEFLATE.
func TestPacking(t *testing.T) {
	for _, file := range [][]byte{nil, {1}, {1, 2}, []byte("an ONNX file of odd length"), bytes.Repeat([]byte{0, 60, 1, 188}, 5000)} {
		p, err := pack(file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := unpack(p)
		if err != nil || !bytes.Equal(got, file) {
			t.Errorf("unpack(pack(%d bytes)) = %d bytes, %v", len(file), len(got), err)
		}
	}
	if _, err := unpack([]byte("not deflate at all")); err == nil || !strings.Contains(err.Error(), FilePacked) {
		t.Errorf("corrupt data: %v, want an error naming %s", err, FilePacked)
	}
}

// TestEmbedded checks the embedded file on its own: its size (it is most
// of what the model adds to the binary), its float16 weights and its I/O.
func TestEmbedded(t *testing.T) {
	file, err := Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(file); n < 2<<20 || n > 3<<20 {
		t.Errorf("%s is %d bytes: want about 2.5 MB", FileName, n)
	}
	if n := len(packed); n > len(file)*88/100 {
		t.Errorf("%s is %d bytes, more than 88%% of the %d it unpacks to", FilePacked, n, len(file))
	}
	m, err := Model()
	if err != nil {
		t.Fatal(err)
	}
	var half, params int64
	for _, init := range m.Graph.Initializer {
		n, _ := init.NumElems()
		params += n
		if init.DataType == onnx.Float16 {
			half += n
		}
	}
	if params != 1235496 || half != params {
		t.Errorf("%d parameters, %d of them float16: want 1235496, all float16", params, half)
	}
	if m.ProducerName != "onnx-caffe2" {
		t.Errorf("producer %q: want onnx-caffe2 (it selects the caffe preset)", m.ProducerName)
	}
	if c := Card(); !bytes.Contains([]byte(c), []byte("Apache 2.0")) {
		t.Errorf("model card lacks its license")
	}
}

// TestOfficialSets runs the zoo's three test sets against the embedded
// model, at the tolerance the zoo's fp16-rounded weights need, and checks
// the outputs equal the original model's bit for bit.
func TestOfficialSets(t *testing.T) {
	zoo := onnxtest.Shared(t, "models", "squeezenet1.0")
	dir := t.TempDir()
	file, err := Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), file, 0o644); err != nil {
		t.Fatal(err)
	}
	sets, _ := filepath.Glob(filepath.Join(zoo, "test_data_set_*"))
	if len(sets) != 3 {
		t.Fatalf("%d test sets in %s, want 3", len(sets), zoo)
	}
	for _, s := range sets {
		if err := os.Symlink(s, filepath.Join(dir, filepath.Base(s))); err != nil {
			t.Fatal(err)
		}
	}
	r := conformance.RunDir(dir, conformance.Options{ATol: 1e-3})
	if r.Status != conformance.Pass || r.Sets != 3 {
		t.Fatalf("official sets: %s", r.Line())
	}
}

// TestSameAsOriginal runs the embedded model and the zoo's on each official
// input: the outputs must be equal bit for bit, as the weights are.
func TestSameAsOriginal(t *testing.T) {
	zoo := onnxtest.Shared(t, "models", "squeezenet1.0")
	orig, err := runtime.Load(filepath.Join(zoo, "model.onnx"), runtime.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	p, err := Model()
	if err != nil {
		t.Fatal(err)
	}
	half, err := runtime.LoadModel(p, runtime.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	for set := range 3 {
		b, err := os.ReadFile(filepath.Join(zoo, fmt.Sprintf("test_data_set_%d", set), "input_0.pb"))
		if err != nil {
			t.Fatal(err)
		}
		tp, err := onnx.DecodeTensor(b)
		if err != nil {
			t.Fatal(err)
		}
		x, err := ops.FromProto(tp, "")
		if err != nil {
			t.Fatal(err)
		}
		want, err := orig.Run(context.Background(), []*ops.Tensor{x})
		if err != nil {
			t.Fatal(err)
		}
		got, err := half.Run(context.Background(), []*ops.Tensor{x})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[0].Data, want[0].Data) || fmt.Sprint(got[0].Shape) != fmt.Sprint(want[0].Shape) {
			t.Errorf("set %d: the fp16-weight copy's output differs from the original's", set)
		}
	}
}

// BenchmarkUnpack measures what the first Bytes or Model call adds.
func BenchmarkUnpack(b *testing.B) {
	b.SetBytes(int64(len(packed)))
	for b.Loop() {
		if _, err := unpack(packed); err != nil {
			b.Fatal(err)
		}
	}
}
