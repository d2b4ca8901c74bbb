package runtime

import (
	"context"
	"flag"
	"fmt"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/ops"
)

var soak = flag.Duration("soak", 0, "run TestSoak for this long instead of its short fixed loop")

// soakInputs are inputs of tinyCNN with batch sizes 1 to n.
func soakInputs(n int) []*ops.Tensor {
	rng := newRand(11)
	in := make([]*ops.Tensor, n)
	for i := range in {
		in[i] = randTensor(rng, i+1, 2, 6, 6)
	}
	return in
}

// sameBits reports whether a and b have the same type, shape and bytes.
func sameBits(a, b *ops.Tensor) bool {
	n := a.Len() * ops.ElemSize(a.Type)
	return a.Type == b.Type && ops.SameShape(a.Shape, b.Shape) && string(a.Data[:n]) == string(b.Data[:n])
}

// TestConcurrentSharedModel has many goroutines share one loaded model,
// through their own sessions and through Model.Run, on inputs of several
// shapes (so plans are made concurrently too), and checks every result is
// bit for bit the one a lone run gives. Run it with -race.
func TestConcurrentSharedModel(t *testing.T) {
	inputs := soakInputs(5)
	ref := load(t, tinyCNN(), WithThreads(1))
	want := make([]*ops.Tensor, len(inputs))
	for i, x := range inputs {
		want[i] = run(t, ref, x)[0]
	}
	m := load(t, tinyCNN(), WithThreads(3))
	const workers, iters = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			s := m.NewSession()
			for i := range iters {
				k := (w + i) % len(inputs)
				var out []*ops.Tensor
				var err error
				if i%2 == 0 {
					out, err = s.Run(context.Background(), inputs[k:k+1])
				} else {
					out, err = m.Run(context.Background(), inputs[k:k+1])
				}
				if err != nil {
					errs <- err
					return
				}
				if !sameBits(out[0], want[k]) {
					errs <- fmt.Errorf("worker %d, iteration %d, batch %d: result differs from a lone run", w, i, k+1)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// settledGoroutines waits for goroutines that are finishing (workers of
// closed models) and returns how many remain.
func settledGoroutines(limit int) int {
	n := goruntime.NumGoroutine()
	for i := 0; i < 100 && n > limit; i++ {
		time.Sleep(10 * time.Millisecond)
		n = goruntime.NumGoroutine()
	}
	return n
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	goruntime.GC()
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestSoak runs one model over and over, through a session and Model.Run,
// cycling through more input shapes than the plan cache holds, and loads,
// runs and closes a fresh model every few iterations; the live heap and the
// goroutine count must not grow. It runs a short fixed loop, or for the
// duration given with -soak (e.g. go test -run TestSoak -soak 10m ./runtime).
func TestSoak(t *testing.T) {
	inputs := soakInputs(planCacheSize + 2)
	p := tinyCNN()
	step := func(m *Model, s *Session, i int) {
		x := inputs[i%len(inputs) : i%len(inputs)+1]
		if _, err := s.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Run(context.Background(), x); err != nil {
			t.Fatal(err)
		}
		if i%25 == 0 {
			fresh, err := LoadModel(p, WithThreads(3))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fresh.Run(context.Background(), x); err != nil {
				t.Fatal(err)
			}
			if err := fresh.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	m := load(t, p, WithThreads(2))
	s := m.NewSession()
	// Warm up: every plan made, every session state and pool grown.
	for i := range 4 * len(inputs) {
		step(m, s, i)
	}
	goroutines, heap := settledGoroutines(0), heapInUse()
	iters, deadline := 0, time.Now().Add(*soak)
	for ; iters < 500 || time.Now().Before(deadline); iters++ {
		step(m, s, iters)
	}
	if g := settledGoroutines(goroutines); g > goroutines {
		t.Errorf("%d goroutines after %d iterations, %d before", g, iters, goroutines)
	}
	// A leak of even one small allocation per iteration would show; the
	// slack absorbs the runtime's own bookkeeping.
	const slack = 256 << 10
	if after := heapInUse(); after > heap+slack {
		t.Errorf("live heap grew from %d to %d bytes over %d iterations", heap, after, iters)
	}
	t.Logf("%d iterations (%d model loads): %d goroutines, heap %d KiB", iters, iters/25, goroutines, heapInUse()>>10)
}

// BenchmarkSoak is the soak loop as a benchmark, to watch memory over a
// long run: go test -run X -bench Soak -benchtime 100000x -benchmem ./runtime.
func BenchmarkSoak(b *testing.B) {
	inputs := soakInputs(planCacheSize + 2)
	m := load(b, tinyCNN(), WithThreads(2))
	s := m.NewSession()
	i := 0
	for b.Loop() {
		if _, err := s.Run(context.Background(), inputs[i%len(inputs):i%len(inputs)+1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
