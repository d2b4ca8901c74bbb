package ops

import (
	"fmt"
	"slices"
)

// MatMulDims is numpy matmul's geometry for a [..., M, K] times b
// [..., K, N] (a 1-D a is a row, a 1-D b a column, and their unit dimension
// is dropped from the output).
type MatMulDims struct {
	M, K, N        int
	Batch          []int // broadcast batch shape
	ABatch, BBatch []int // a's and b's batch dims, padded on the left with 1s to len(batch)
	Out            []int // output shape
}

// MatMulShape resolves numpy matmul's shapes.
func MatMulShape(a, b []int) (MatMulDims, error) {
	if len(a) == 0 || len(b) == 0 {
		return MatMulDims{}, fmt.Errorf("inputs of shapes %v and %v: matmul needs rank >= 1", a, b)
	}
	am, bm := a, b
	if len(a) == 1 {
		am = []int{1, a[0]}
	}
	if len(b) == 1 {
		bm = []int{b[0], 1}
	}
	d := MatMulDims{M: am[len(am)-2], K: am[len(am)-1], N: bm[len(bm)-1]}
	if bm[len(bm)-2] != d.K {
		return MatMulDims{}, fmt.Errorf("input \"a\" %v has %d columns but input \"b\" %v has %d rows", a, d.K, b, bm[len(bm)-2])
	}
	batch, err := BroadcastShape(am[:len(am)-2], bm[:len(bm)-2])
	if err != nil {
		return MatMulDims{}, fmt.Errorf("batch dimensions: %w", err)
	}
	pad := func(s []int) []int {
		p := make([]int, len(batch)-len(s), len(batch))
		for i := range p {
			p[i] = 1
		}
		return append(p, s...)
	}
	d.Batch, d.ABatch, d.BBatch = batch, pad(am[:len(am)-2]), pad(bm[:len(bm)-2])
	d.Out = slices.Clone(batch)
	if len(a) > 1 {
		d.Out = append(d.Out, d.M)
	}
	if len(b) > 1 {
		d.Out = append(d.Out, d.N)
	}
	return d, nil
}

// Offsets are the element offsets of a's and b's matrices for output batch i.
func (d *MatMulDims) Offsets(i int) (int, int) {
	ao, bo, as, bs := 0, 0, 1, 1
	for j := len(d.Batch) - 1; j >= 0; j-- {
		idx := i % d.Batch[j]
		i /= d.Batch[j]
		if d.ABatch[j] > 1 {
			ao += idx * as
		}
		if d.BBatch[j] > 1 {
			bo += idx * bs
		}
		as *= d.ABatch[j]
		bs *= d.BBatch[j]
	}
	return ao * d.M * d.K, bo * d.K * d.N
}
