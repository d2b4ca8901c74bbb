//go:build linux

package runtime

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	ops.Register(testDomain, "Scale", 1, func(*onnx.Node, int) (ops.Op, error) { return &scaleOp{}, nil })
}

// scaleOp computes x*w element-wise from a copy of the constant w made by
// Prepare, and declares w released.
type scaleOp struct{ w []float32 }

func (op *scaleOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if len(in) != 2 || !ops.SameShape(in[0].Shape, in[1].Shape) {
		return nil, errors.New("want x and w of one shape")
	}
	return []ops.Value{{Type: onnx.Float, Shape: in[0].Shape}}, nil
}

func (op *scaleOp) Prepare(in []ops.Value) error {
	if in[1].Const == nil {
		return errors.New("w must be constant")
	}
	op.w = append([]float32{}, in[1].Const.F32()...)
	return nil
}

func (op *scaleOp) Released() []int { return []int{1} }

func (op *scaleOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	for i, x := range in[0].F32() {
		out[0].F32()[i] = x * op.w[i]
	}
	return nil
}

// residentPages counts the pages of b present in the process's page table
// (bit 63 of /proc/self/pagemap).
func residentPages(t *testing.T, b []byte) (present, total int) {
	t.Helper()
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	var e [8]byte
	for a := (start + page - 1) &^ (page - 1); a+page <= start+uintptr(len(b)); a += page {
		if _, err := f.ReadAt(e[:], int64(a/page*8)); err != nil {
			t.Skip(err)
		}
		total++
		if binary.LittleEndian.Uint64(e[:])>>63 != 0 {
			present++
		}
	}
	return present, total
}

func TestPlanReleasesPackedInitializers(t *testing.T) {
	const n = 1 << 20
	rng := newRand(7)
	w, c, x := randTensor(rng, n), randTensor(rng, n), randTensor(rng, n)
	b := newBuilder(13).input("x", onnx.Float, n).init("w", w).init("c", c)
	b.tnode("Scale", s("x", "w"), s("h"))
	b.node("Add", s("h", "c"), s("y"))
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := onnx.WriteFile(path, b.output("y", onnx.Float, n).m); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	raw := map[string][]byte{}
	for _, init := range m.Proto().Graph.Initializer {
		raw[init.Name] = init.RawData
		var sum byte
		for _, v := range init.RawData { // fault every page in
			sum += v
		}
		_ = sum
	}
	pl, err := m.planFor([]*ops.Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	if p, all := residentPages(t, raw["w"]); all == 0 || p > all/8 {
		t.Errorf("%d of %d pages of w resident after planning, want them released (only Scale's copy is read)", p, all)
	}
	// Add reads c itself: from the mapping when the file's bytes suit a
	// float32 tensor, which keeps them resident, or from an aligned copy
	// made at load, which leaves the file's bytes unread.
	for id, name := range m.g.names {
		if name != "c" {
			continue
		}
		inFile := overlap(pl.slots[id].c.Data, raw["c"])
		p, all := residentPages(t, raw["c"])
		if inFile && p != all || !inFile && p > all/8 {
			t.Errorf("%d of %d pages of c resident after planning; Add reads them from the file: %v", p, all, inFile)
		}
	}
	got := run(t, m, x)[0].F32()
	for i := range got {
		// The Add may be fused into Scale, and arm64 then computes x*w+c
		// with one rounding (FMA): allow the last bit to differ.
		want := float32(x.F32()[i]*w.F32()[i]) + c.F32()[i] // the conversion forbids a fused multiply-add
		if d := math.Float32bits(got[i]) - math.Float32bits(want); got[i] != want && d != 1 && d != ^uint32(0) {
			t.Fatalf("y[%d] = %v, want %v (to the last bit)", i, got[i], want)
		}
	}
}
