//go:build !noasm

package qgemm

// neonEltwise says that MulScaled and Lookup have NEON loops here, which
// must then compute every whole 16 values.
const neonEltwise = true

// neonSumBytes says that SumBytes has a NEON loop here: 64-bit Go sums
// eight bytes a step.
const neonSumBytes = false

// neonAddScaled says that AddScaled has a NEON loop here.
const neonAddScaled = true
