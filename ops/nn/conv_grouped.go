package nn

import (
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// A grouped convolution (1 < groups, more than one input channel per
// group: ShuffleNet's grouped 1x1 layers, ResNeXt's 3x3) is one GEMM per
// group of the group's weights, packed by Prepare, and the group's input
// (pointwise, im2col or transposed, as for one group). Each (image,
// group) pair is computed by the same per-pair code; the pairs either run
// one after the other, each spreading its own loops and product over the
// threads, or, when there are enough of them (spreadGroups), are spread
// over the threads themselves, each task computing whole pairs serially
// with scratch of its own, made when the step is bound.

// groupCtx is what the computation of a range of (image, group) pairs
// runs with: the parallel loop its own loops use, the GEMM runner (nil
// to run products serially) and its scratch.
type groupCtx struct {
	par    ops.Parallel
	runner *gemm.Runner
	work   []float32
}

// product runs p with gc's runner, or serially.
func (gc *groupCtx) product(p *gemm.Product, work []float32) { runProduct(gc.par, gc.runner, p, work) }

// pairs is the number of (image, group) pairs.
func (d *convDims) pairs(group int) int { return d.batch * group }

// groupFlops is the multiply-adds of one pair's product, counted twice.
func (d *convDims) groupFlops() int { return 2 * d.mg * d.k * d.p }

// spreadGroups decides whether the (image, group) pairs of a convolution
// of algorithm algo run spread over threads threads, each computing whole
// pairs: for a grouped convolution with at least one pair per thread,
// when they split evenly (within 25%) or each is too small (under 8
// MFLOP) for its own loops to gain much from several threads.
func spreadGroups(d *convDims, group int, algo convAlgo, threads int) bool {
	switch algo {
	case algoPointwise, algoIm2col, algoPadded, algoTransposed:
	default:
		return false
	}
	n := d.pairs(group)
	if group < 2 || threads < 2 || n < threads {
		return false
	}
	heaviest := (n + threads - 1) / threads
	return 4*heaviest*threads <= 5*n || d.groupFlops() < 8<<20
}

// execGroups computes the pairs [lo, hi) of the step's algorithm with gc.
func (s *convStep) execGroups(gc groupCtx, x, w, bias, res, y []float32, lo, hi int) {
	switch s.algo {
	case algoTransposed:
		s.execTransposed(gc, x, bias, res, y, lo, hi)
	case algoPadded:
		s.execPadded(gc, x, w, bias, res, y, lo, hi)
	case algoPointwise:
		s.execPointwise(gc, x, w, bias, res, y, lo, hi)
	default:
		s.execIm2col(gc, x, w, bias, res, y, lo, hi)
	}
}

// bindGroups prepares a bound step to spread its pairs over par's
// threads when spreadGroups says so (and reports whether): one task per
// thread, each with scratch of its own (the first uses the run's).
func (s *convStep) bindGroups(par ops.Parallel) bool {
	if !spreadGroups(&s.d, s.c.group, s.algo, par.Threads()) {
		return false
	}
	s.tasks = min(par.Threads(), s.d.pairs(s.c.group))
	n := s.c.workLen(&s.d, s.algo)
	s.taskWork = make([][]float32, s.tasks)
	for t := 1; t < s.tasks; t++ {
		s.taskWork[t] = ops.View[float32](ops.AlignedBytes(4 * n))
	}
	s.groups.Bind(&s.groupsJ)
	return true
}

// execSpread computes Y with the pairs spread over the tasks bindGroups
// made.
func (s *convStep) execSpread(par ops.Parallel, scratch []byte, in, out []*ops.Tensor) error {
	o, err := s.operands(scratch, in, out)
	if err != nil {
		return err
	}
	s.groupsJ = groupsJob{s, o}
	s.groups.Run(par, s.tasks, 1)
	return nil
}

// groupsJob computes the pairs of tasks [lo, hi) of a spread step.
type groupsJob struct {
	s *convStep
	o convOperands // o.work is task 0's scratch
}

func (j groupsJob) Run(lo, hi int) {
	s := j.s
	n := s.d.pairs(s.c.group)
	for t := lo; t < hi; t++ {
		gc := groupCtx{par: ops.Serial{}, work: j.o.work}
		if t > 0 {
			gc.work = s.taskWork[t]
		}
		s.execGroups(gc, j.o.x, j.o.w, j.o.bias, j.o.res, j.o.y, t*n/s.tasks, (t+1)*n/s.tasks)
	}
}

// runLoop runs job over [0, n) on par: through loop, which reads the
// job from slot, when par has threads; directly otherwise. A spread
// step's tasks run their groups serially and at once, so they must never
// share the step's job storage.
func runLoop[J ops.RangeJob](par ops.Parallel, loop *ops.Loop, slot *J, job J, n, grain int) {
	if par.Threads() <= 1 {
		job.Run(0, n)
		return
	}
	*slot = job
	loop.Run(par, n, grain)
}
