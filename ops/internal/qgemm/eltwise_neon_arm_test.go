//go:build !noasm

package qgemm

import "golang.org/x/sys/cpu"

// neonEltwise says that MulScaled has a NEON loop here (armv7 with NEON:
// Lookup has none), which must then compute every whole 16 values.
var neonEltwise = cpu.ARM.HasNEON
