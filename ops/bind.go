package ops

import (
	"unsafe"

	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// BindLoop returns a step function running job over [0, n) on par with
// the given grain (see Loop), after fill has set the job from the step's
// tensors: their Data may change between runs. job is a pointer to the
// job's storage; only binding allocates.
func BindLoop(par Parallel, n, grain int, job RangeJob, fill func()) func() error {
	var l Loop
	l.Bind(job)
	return func() error {
		fill()
		l.Run(par, n, grain)
		return nil
	}
}

// RunBound runs a Binder's op once: Bind, then the bound function. Ops
// that bind implement Run with it, so both share one code path.
func RunBound(b Binder, ctx *Ctx, in, out []*Tensor) error {
	f, err := b.Bind(ctx, in, out)
	if err != nil {
		return err
	}
	return f()
}

// BindMap returns a step function applying fn to matching ranges of d's
// elements (as D) and x's (as S), split across par with the given grain.
// The loop body is made once; the tensors' data are read at every call.
func BindMap[D, S Numeric](par Parallel, grain int, d, x *Tensor, fn func(d []D, x []S)) func() error {
	var dz D
	var xz S
	return bindMapBytes(par, grain, d, x, int(unsafe.Sizeof(dz)), int(unsafe.Sizeof(xz)), func(db, xb []byte) {
		fn(View[D](db), View[S](xb))
	})
}

// BindMapBytes is BindMap on the tensors' bytes: fn gets matching ranges
// of d's and x's bytes, whole elements of each tensor's type.
func BindMapBytes(par Parallel, grain int, d, x *Tensor, fn func(d, x []byte)) func() error {
	return bindMapBytes(par, grain, d, x, ElemSize(d.Type), ElemSize(x.Type), fn)
}

// bindMapBytes is BindMap on the tensors' bytes, with ds and xs bytes per
// element of d and x: the same loop for every pair of types.
func bindMapBytes(par Parallel, grain int, d, x *Tensor, ds, xs int, fn func(d, x []byte)) func() error {
	body := func(lo, hi int) { fn(d.Data[lo*ds:hi*ds], x.Data[lo*xs:hi*xs]) }
	n := d.Len()
	return func() error {
		par.For(n, grain, body)
		return nil
	}
}

// Loop is a parallel loop over a job whose storage it points to, through
// a loop body made once by Bind (which must come first), so that a run
// allocates nothing: the caller sets the job, then runs the loop. Being
// untyped, it is the same code for every job type, which keeps the binary
// small.
type Loop struct {
	job RangeJob         // a pointer to the job
	fn  func(lo, hi int) // job.Run, made once
}

// Bind makes the loop body over job, a pointer to the job's storage.
func (l *Loop) Bind(job RangeJob) { l.job, l.fn = job, job.Run }

// Run runs the job over [0, n) on par.
func (l *Loop) Run(par Parallel, n, grain int) {
	if par.Threads() <= 1 {
		l.job.Run(0, n)
		return
	}
	par.For(n, grain, l.fn)
}

// RangeJob is a loop body over [lo, hi) carrying its own data.
type RangeJob interface{ Run(lo, hi int) }

// BindTasks binds a loop over n items split into at most par.Threads()
// tasks of contiguous items, each worth at least Grain units of work at
// cost units per item, so that every task can use scratch of its own made
// once at bind (a run then allocates nothing). It returns the number of
// tasks, which is how many scratch buffers to make, and the step function,
// which calls fn(task, lo, hi) with each task's items [lo, hi).
func BindTasks(par Parallel, n, cost int, fn func(task, lo, hi int)) (int, func()) {
	tasks := max(1, min(par.Threads(), n, n*max(cost, 1)/Grain))
	body := func(lo, hi int) {
		for t := lo; t < hi; t++ {
			fn(t, t*n/tasks, (t+1)*n/tasks)
		}
	}
	return tasks, func() { par.For(tasks, 1, body) }
}

// GEMMKernel names the SGEMM micro-kernel the float32 products (Conv,
// Gemm, MatMul...) run on, chosen at start-up from the CPU's features
// (and the EDGEINFER_GEMM_KERNEL environment variable), such as
// "avx512 8x32", "avx2 4x16", "neon 8x8" or "generic 2x2".
func GEMMKernel() string { return gemm.KernelName() }
