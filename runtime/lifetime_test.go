package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// mappedAddModel writes y = x + w, w an initializer every run reads from
// the mapped file, and loads it with Load.
func mappedAddModel(t *testing.T) (*Model, *ops.Tensor) {
	t.Helper()
	w := randTensor(newRand(9), 4096)
	p := newBuilder(13).
		input("x", onnx.Float, "N", 4096).
		init("w", w).
		node("Add", s("x", "w"), s("y")).
		output("y", onnx.Float, "N", 4096).m
	path := filepath.Join(t.TempDir(), "add.onnx")
	if err := onnx.WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path, WithThreads(2))
	if err != nil {
		t.Fatal(err)
	}
	return m, w
}

// TestRunAfterClose checks that every way to run or plan a closed model
// fails with ErrClosed, and that outputs returned before stay valid.
func TestRunAfterClose(t *testing.T) {
	m, w := mappedAddModel(t)
	sess := m.NewSession()
	x := ops.New(onnx.Float, 1, 4096)
	kept, err := sess.Run(context.Background(), []*ops.Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := m.Run(context.Background(), []*ops.Tensor{x}); !errors.Is(err, ErrClosed) {
		t.Errorf("Model.Run after Close: %v, want ErrClosed", err)
	}
	if _, err := sess.Run(context.Background(), []*ops.Tensor{x}); !errors.Is(err, ErrClosed) {
		t.Errorf("Session.Run after Close: %v, want ErrClosed", err)
	}
	if _, err := m.NewSession().Run(context.Background(), []*ops.Tensor{x}); !errors.Is(err, ErrClosed) {
		t.Errorf("a new Session's Run after Close: %v, want ErrClosed", err)
	}
	if _, err := m.Plan(nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Plan after Close: %v, want ErrClosed", err)
	}
	closeTo(t, "output kept from before Close", kept[0], ops.FromF32(w.F32(), 1, 4096), 0, 0)
}

// TestConcurrentRunsAndClose closes a model while goroutines run it
// through Model.Run and their sessions: every run ends with the right
// output or ErrClosed, none reads the unmapped file (which would crash).
func TestConcurrentRunsAndClose(t *testing.T) {
	m, w := mappedAddModel(t)
	x := ops.New(onnx.Float, 2, 4096)
	want := ops.New(onnx.Float, 2, 4096)
	copy(want.F32(), w.F32())
	copy(want.F32()[4096:], w.F32())
	var wg sync.WaitGroup
	var closed atomic.Bool // set once Close has returned
	started := make(chan struct{}, 8)
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess := m.NewSession()
			for i := 0; ; i++ {
				after := closed.Load()
				var out []*ops.Tensor
				var err error
				if g%2 == 0 {
					out, err = m.Run(context.Background(), []*ops.Tensor{x})
				} else {
					out, err = sess.Run(context.Background(), []*ops.Tensor{x})
				}
				if i == 0 {
					started <- struct{}{}
				}
				if errors.Is(err, ErrClosed) {
					return
				}
				if after {
					errs <- fmt.Errorf("a run started after Close returned gave %v, want ErrClosed", err)
					return
				}
				if err != nil {
					errs <- err
					return
				}
				if string(out[0].Data) != string(want.Data) {
					errs <- errors.New("wrong output")
					return
				}
			}
		}()
	}
	for range 8 {
		<-started
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	closed.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// writeAddModel writes y = Hook(x) + w to path, w an initializer of 16
// pages that every run reads from the mapped file.
func writeAddModel(t *testing.T, path string, w *ops.Tensor) {
	t.Helper()
	p := newBuilder(13).
		input("x", onnx.Float, 16384).
		init("w", w).
		tnode("Hook", s("x"), s("h")).
		node("Add", s("h", "w"), s("y")).
		output("y", onnx.Float, 16384).m
	if err := onnx.WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
}

// TestModelFileRewritten checks that a model whose file is rewritten in
// place (same size, other weights, as cp over it does) refuses to answer
// rather than answer with the new weights.
func TestModelFileRewritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "add.onnx")
	w := randTensor(newRand(11), 16384)
	writeAddModel(t, path, w)
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	x := ops.New(onnx.Float, 16384)
	if _, err := m.Run(context.Background(), []*ops.Tensor{x}); err != nil {
		t.Fatal(err)
	}
	// File times have a clock tick's resolution: let one pass, so that the
	// rewrite is a change even on a coarse clock (a deploy comes later still).
	time.Sleep(50 * time.Millisecond)
	writeAddModel(t, path, randTensor(newRand(12), 16384))
	if _, err := m.Run(context.Background(), []*ops.Tensor{x}); !errors.Is(err, ErrModelChanged) {
		t.Fatalf("run after the file was rewritten: %v, want ErrModelChanged", err)
	}
	if _, err := m.NewSession().Run(context.Background(), []*ops.Tensor{x}); !errors.Is(err, ErrModelChanged) {
		t.Fatalf("session run after the file was rewritten: %v, want ErrModelChanged", err)
	}
	if _, err := m.Plan(nil); !errors.Is(err, ErrModelChanged) {
		t.Fatalf("plan after the file was rewritten: %v, want ErrModelChanged", err)
	}
}

// TestModelFileTruncatedDuringRun truncates a model's external data file
// (mapped, and read in place by every run) while a run is in progress,
// before a step reads the weights: the fault reading them raises ends the
// run with ErrModelChanged, naming the file, instead of killing the
// process; later runs fail the same way.
func TestModelFileTruncatedDuringRun(t *testing.T) {
	dir := t.TempDir()
	weights := filepath.Join(dir, "w.bin")
	w := randTensor(newRand(13), 16384)
	p := newBuilder(13).
		input("x", onnx.Float, 16384).
		tnode("Hook", s("x"), s("h")).
		node("Add", s("h", "w"), s("y")).
		output("y", onnx.Float, 16384).m
	p.Graph.Initializer = []*onnx.Tensor{{Name: "w", DataType: onnx.Float, Dims: []int64{16384},
		External: []onnx.StringEntry{{Key: "location", Value: "w.bin"}}}}
	path := filepath.Join(dir, "add.onnx")
	if err := onnx.WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	for _, threads := range []int{1, 2} {
		if err := os.WriteFile(weights, w.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path, WithThreads(threads))
		if err != nil {
			t.Fatal(err)
		}
		x := ops.New(onnx.Float, 16384)
		if _, err := m.Run(context.Background(), []*ops.Tensor{x}); err != nil {
			t.Fatal(err)
		}
		testHook = func() {
			if err := os.Truncate(weights, 0); err != nil {
				t.Error(err)
			}
		}
		_, err = m.Run(context.Background(), []*ops.Tensor{x})
		testHook = nil
		if !errors.Is(err, ErrModelChanged) || !errors.Is(err, ErrPanic) || !strings.Contains(err.Error(), "w.bin") {
			t.Errorf("%d threads: run whose weights were truncated: %v, want the fault as ErrModelChanged naming w.bin", threads, err)
		}
		if _, err := m.Run(context.Background(), []*ops.Tensor{x}); !errors.Is(err, ErrModelChanged) {
			t.Errorf("%d threads: the next run: %v, want ErrModelChanged", threads, err)
		}
		m.Close()
	}
}
