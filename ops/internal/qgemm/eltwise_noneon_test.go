//go:build !(arm64 || arm) || noasm

package qgemm

// neonEltwise says that MulScaled and Lookup have NEON loops here.
const neonEltwise = false

// neonSumBytes says that SumBytes has a NEON loop here.
const neonSumBytes = false

// neonAddScaled says that AddScaled has a NEON loop here.
const neonAddScaled = false
