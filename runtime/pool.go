package runtime

import (
	goruntime "runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// pool is a Model's persistent set of worker goroutines, the ops.Parallel
// kernels split their loops with. One For call at a time owns the workers;
// a For that finds them busy (another run's kernel, or a nested For) runs
// its loop on the calling goroutine instead of waiting. For allocates
// nothing: the job is described in the pool's own fields, workers are
// handed a token through a buffered channel and the last one to finish
// hands the owner a token back.
//
// A run calls For hundreds of times, for loops of tens of microseconds to
// a few milliseconds. Waking a parked goroutine costs about as much on a
// busy machine, so both sides poll before they block: while a run is in
// progress a worker keeps polling for its next token for idleSpin after a
// job, and the owner polls for the end of the job for up to doneSpin while
// the workers finish their chunks (a chunk in progress usually ends well
// within it). Once the last run in progress ends, the workers block at
// once: between runs (a camera's frames, a daemon's requests) an idle
// model burns no CPU a board's other processes need.
type pool struct {
	threads int
	runs    atomic.Int32  // runs in progress (begin, end): workers poll only while there are some
	spin    time.Duration // how long a worker polls for a job during a run
	wake    chan struct{} // one token per worker asked to join the current job
	done    chan struct{} // a token from the last helper to finish the job

	mu     sync.Mutex // held by the For that owns the workers
	closed bool       // guarded by mu

	// The current job, written by its owner before waking workers.
	fn       func(lo, hi int)
	n, chunk int
	chunks   int64
	next     atomic.Int64 // next chunk to take
	helping  atomic.Int32 // helpers asked to join that have not finished
	panicked atomic.Bool
	panicVal any // set by the first chunk that panicked
}

// How long a goroutine polls for a token before it blocks.
const (
	idleSpin = time.Millisecond     // a worker waiting for a job
	doneSpin = 2 * time.Millisecond // the owner waiting for its helpers
)

// newPool starts threads-1 workers (the caller of For is the last thread).
func newPool(threads int) *pool { return newPoolSpin(threads, idleSpin) }

// newPoolSpin is newPool with workers that poll for a job for spin.
func newPoolSpin(threads int, spin time.Duration) *pool {
	p := &pool{threads: max(threads, 1), spin: spin}
	if p.threads > 1 {
		p.wake = make(chan struct{}, p.threads-1)
		p.done = make(chan struct{}, 1)
		for range p.threads - 1 {
			go p.worker()
		}
	}
	return p
}

func (p *pool) worker() {
	// A kernel reading a model file truncated under it panics (recovered,
	// and reported by the run) rather than crashing the process.
	debug.SetPanicOnFault(true)
	for await(p.wake, p.spin, &p.runs) {
		p.work()
		if p.helping.Add(-1) == 0 {
			p.done <- struct{}{}
		}
	}
}

// await takes a token from c, polling for spin (and letting other
// goroutines and threads run now and then) before it blocks; with a runs
// counter, it polls only while that is positive. It reports false when c
// is closed.
func await(c chan struct{}, spin time.Duration, runs *atomic.Int32) bool {
	var deadline time.Time
	for i := 1; ; i++ {
		select {
		case _, ok := <-c:
			return ok
		default:
		}
		if runs != nil && runs.Load() <= 0 {
			break
		}
		if i%256 == 0 {
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(spin)
			} else if now.After(deadline) {
				break
			}
			goruntime.Gosched()
			osYield()
		}
	}
	_, ok := <-c
	return ok
}

// begin and end bracket a run: the workers poll for jobs between them.
func (p *pool) begin() { p.runs.Add(1) }
func (p *pool) end()   { p.runs.Add(-1) }

// Threads is the number of goroutines a For may use.
func (p *pool) Threads() int { return p.threads }

// For calls fn over [0, n) in contiguous chunks of at least grain
// iterations on up to Threads goroutines, and returns when all are done. A
// panic in fn is re-raised on the calling goroutine once every chunk has
// stopped.
func (p *pool) For(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	grain = max(grain, 1)
	if p.threads == 1 || n <= grain || !p.mu.TryLock() {
		fn(0, n)
		return
	}
	defer p.mu.Unlock()
	if p.closed {
		fn(0, n)
		return
	}
	// A few chunks per thread balance uneven cores without much overhead.
	chunks := min((n+grain-1)/grain, 4*p.threads)
	p.chunk = (n + chunks - 1) / chunks
	p.chunks = int64((n + p.chunk - 1) / p.chunk)
	p.fn, p.n = fn, n
	p.next.Store(0)
	helpers := min(p.threads-1, int(p.chunks)-1)
	p.helping.Store(int32(helpers))
	for range helpers {
		p.wake <- struct{}{}
	}
	p.work()
	if helpers > 0 {
		await(p.done, doneSpin, nil)
	}
	p.fn = nil
	if p.panicked.Load() {
		v := p.panicVal
		p.panicVal = nil
		p.panicked.Store(false)
		panic(v)
	}
}

// work runs chunks of the current job until none is left.
func (p *pool) work() {
	defer func() {
		if r := recover(); r != nil {
			if p.panicked.CompareAndSwap(false, true) {
				p.panicVal = r
			}
			p.next.Store(p.chunks) // the others stop at their next chunk
		}
	}()
	for {
		c := p.next.Add(1) - 1
		if c >= p.chunks {
			return
		}
		lo := int(c) * p.chunk
		p.fn(lo, min(lo+p.chunk, p.n))
	}
}

// close stops the workers once no For is running. It is idempotent.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed && p.wake != nil {
		close(p.wake)
	}
	p.closed = true
}
