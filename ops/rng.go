package ops

import "math/rand/v2"

// RandomBlock is the number of consecutive elements drawn from one
// generator by RandomStreams.
const RandomBlock = 1 << 12

// RandomStreams runs fn over [0, n) in blocks of RandomBlock elements, split
// over par, giving each block its own generator: PCG (math/rand/v2) seeded
// with (seed, block index). What an element draws thus depends only on the
// seed and its position, never on the thread count, and a fixed seed gives
// the same values at every run. The operators that draw random numbers
// (ops/random, Dropout in training mode) share it.
func RandomStreams(par Parallel, n int, seed uint64, fn func(r *rand.Rand, lo, hi int)) {
	par.For((n+RandomBlock-1)/RandomBlock, 1, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			fn(rand.New(rand.NewPCG(seed, uint64(b))), b*RandomBlock, min(n, (b+1)*RandomBlock))
		}
	})
}

// RunSeed is the seed of one run of a random operator: its seed attribute
// when it has one (has), else a fresh seed from the process's generator,
// so that unseeded runs differ.
func RunSeed(seed uint64, has bool) uint64 {
	if has {
		return seed
	}
	return rand.Uint64()
}
