//go:build !noasm

package qgemm

import "golang.org/x/sys/cpu"

// neonEltwise says that MulScaled and Lookup have NEON loops here (armv7
// with NEON), which must then compute every whole 16 values.
var neonEltwise = cpu.ARM.HasNEON

// neonSumBytes says that SumBytes has a NEON loop here, which must then
// sum every whole 16 bytes.
var neonSumBytes = cpu.ARM.HasNEON

// neonAddScaled says that AddScaled has a NEON loop here: armv7 with NEON
// and VFPv4's fused multiply-add.
var neonAddScaled = cpu.ARM.HasNEON && cpu.ARM.HasVFPv4
