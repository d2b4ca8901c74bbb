package runtime

import (
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// covers checks that For visits every index of [0, n) exactly once in
// ranges of at least grain (but the last), split across calls when split.
func covers(t *testing.T, p *pool, n, grain int, split bool) {
	t.Helper()
	hits := make([]atomic.Int32, n)
	var calls atomic.Int32
	p.For(n, grain, func(lo, hi int) {
		calls.Add(1)
		if lo >= hi || (hi-lo < grain && hi != n) {
			t.Errorf("n %d grain %d: chunk [%d, %d)", n, grain, lo, hi)
		}
		for i := lo; i < hi; i++ {
			hits[i].Add(1)
		}
	})
	for i := range hits {
		if h := hits[i].Load(); h != 1 {
			t.Fatalf("n %d grain %d: index %d visited %d times", n, grain, i, h)
		}
	}
	if split && p.Threads() > 1 && n >= 2*max(grain, 1) && calls.Load() < 2 {
		t.Errorf("n %d grain %d: %d chunk(s), want the work split", n, grain, calls.Load())
	}
}

func TestPoolCoversRange(t *testing.T) {
	for _, threads := range []int{1, 2, 5} {
		p := newPool(threads)
		for _, n := range []int{0, 1, 2, 7, 64, 1000, 1023} {
			for _, grain := range []int{0, 1, 3, 16, 5000} {
				covers(t, p, n, grain, true)
			}
		}
		p.close()
		covers(t, p, 100, 1, false) // after close For still works, on the caller
	}
}

// TestPoolWorkersRunConcurrently checks that For's chunks run on several
// goroutines at once: each of two chunks waits for the other to start, so
// a pool whose worker never joins the caller deadlocks (reported after a
// generous grace period, never reached by a working pool).
func TestPoolWorkersRunConcurrently(t *testing.T) {
	p := newPool(2)
	defer p.close()
	for range 100 {
		started := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
		var stuck atomic.Bool
		p.For(2, 1, func(lo, hi int) {
			close(started[lo])
			select {
			case <-started[1-lo]:
			case <-time.After(30 * time.Second):
				stuck.Store(true)
			}
		})
		if stuck.Load() {
			t.Fatal("a chunk waited 30s for the other: For ran them one after the other")
		}
	}
}

func TestPoolConcurrentAndNested(t *testing.T) {
	p := newPool(3)
	defer p.close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				var sum atomic.Int64
				p.For(100, 1, func(lo, hi int) {
					// A nested For finds the workers busy and runs inline.
					p.For(hi-lo, 1, func(a, b int) { sum.Add(int64(b - a)) })
				})
				if sum.Load() != 100 {
					t.Errorf("nested For covered %d of 100", sum.Load())
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestPoolPanicReachesCaller(t *testing.T) {
	p := newPool(4)
	defer p.close()
	for chunk := range 4 {
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("recovered %v, want boom", r)
				}
			}()
			p.For(400, 100, func(lo, hi int) {
				if lo/100 == chunk {
					panic("boom")
				}
			})
			t.Error("For returned normally after a panic")
		}()
		covers(t, p, 400, 100, true) // the pool still works
	}
}

// sink keeps the loop body from being optimized away.
var sink atomic.Int64

func poolBody(lo, hi int) { sink.Add(int64(hi - lo)) }

func TestPoolForDoesNotAllocate(t *testing.T) {
	p := newPool(2)
	defer p.close()
	fn := poolBody
	if a := testing.AllocsPerRun(100, func() { p.For(1000, 10, fn) }); a != 0 {
		t.Errorf("%v allocations per For", a)
	}
}

func BenchmarkPoolFor(b *testing.B) {
	p := newPool(2)
	defer p.close()
	for b.Loop() {
		p.For(1000, 10, poolBody)
	}
}

// TestPoolIdleParks checks that workers stop polling for jobs when the last
// run ends, however long they would poll during a run: an idle model uses
// no CPU. Polling workers show as runnable or running in a stack dump,
// parked ones as blocked on their channel.
func TestPoolIdleParks(t *testing.T) {
	p := newPoolSpin(4, time.Hour)
	defer p.close()
	p.begin()
	for range 10 {
		p.For(1000, 10, poolBody)
	}
	p.end()
	deadline := time.Now().Add(2 * time.Second)
	for parkedWorkers() != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("2 s after the run ended, %d of 3 workers are parked", parkedWorkers())
		}
		time.Sleep(time.Millisecond)
	}
}

// parkedWorkers counts the pool workers blocked on a channel receive.
func parkedWorkers() int {
	buf := make([]byte, 1<<20)
	buf = buf[:goruntime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "runtime.(*pool).worker") && strings.Contains(g, "[chan receive") {
			n++
		}
	}
	return n
}
