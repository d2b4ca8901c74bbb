//go:build !(arm64 || arm) || noasm

package qgemm

// neonEltwise says that MulScaled and Lookup have NEON loops here.
const neonEltwise = false
