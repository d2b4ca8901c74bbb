package ops

// bindLoop returns a step function running the job mk builds over [0, n)
// on par with the given grain (see boundRange in conv.go). mk rebuilds the
// job from the step's tensors before every call, since their Data may
// change between runs; only binding allocates.
func bindLoop[J rangeJob](par Parallel, n, grain int, mk func() J) func() error {
	b := new(boundRange[J])
	b.bind()
	return func() error {
		b.run(par, n, grain, mk())
		return nil
	}
}

// runBound runs a Binder's op once: Bind, then the bound function. Ops
// that bind implement Run with it, so both share one code path.
func runBound(b Binder, ctx *Ctx, in, out []*Tensor) error {
	f, err := b.Bind(ctx, in, out)
	if err != nil {
		return err
	}
	return f()
}

// bindMap returns a step function applying fn to matching ranges of d's
// elements (as D) and x's (as S), split across par with the given grain.
// The loop body is made once; the tensors' data are read at every call.
func bindMap[D, S ewNumeric](par Parallel, grain int, d, x *Tensor, fn func(d []D, x []S)) func() error {
	var dv []D
	var xv []S
	body := func(lo, hi int) { fn(dv[lo:hi], xv[lo:hi]) }
	n := d.Len()
	return func() error {
		dv, xv = ewElems[D](d), ewElems[S](x)
		par.For(n, grain, body)
		return nil
	}
}
