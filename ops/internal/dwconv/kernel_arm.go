//go:build !noasm

package dwconv

import (
	"unsafe"

	"golang.org/x/sys/cpu"

	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// availableKernels returns the kernels this CPU runs, the fastest first,
// the Go one last: the NEON kernel (the interior of rows of at least 4
// outputs) when the CPU has NEON, which ARMv6 has not.
func availableKernels() []kernel {
	if !cpu.ARM.HasNEON {
		return []kernel{goKernel}
	}
	return []kernel{
		{name: "neon", lanes: 4, asm: true},
		goKernel,
	}
}

// callRows runs the NEON row loops at stride 1 or 2. Their epilogue has
// no Swish (it needs rounding to an integer and a division, which ARMv7
// NEON lacks in its vector form): for Swish the rows are computed without
// activation and then swished by vec.Swish, whose armv7 NEON loop divides
// lane by lane.
func callRows(_ *kernel, stride int, a *args) {
	swish := a.act == Swish
	if swish {
		a.act = None
	}
	if stride == 1 {
		rowsNEONS1(a)
	} else {
		rowsNEONS2(a)
	}
	if swish {
		a.act = Swish
		for r := range a.rows {
			row := unsafe.Slice((*float32)(unsafe.Add(a.y, r*a.ldy)), a.n)
			vec.Swish(row, row, a.alpha)
		}
	}
}

// callActivate runs the NEON activation loop, or vec.Swish for Swish
// (see callRows).
func callActivate(_ *kernel, row []float32, a *args) int {
	if a.act == Swish {
		vec.Swish(row, row, a.alpha)
		return len(row)
	}
	return activateNEON(row, a)
}

// rowsNEONS1 and rowsNEONS2 compute the interior of the rows a describes
// (stride 1 and 2) with NEON; they trust a.
//
//go:noescape
func rowsNEONS1(a *args)

//go:noescape
func rowsNEONS2(a *args)

// activateNEON applies a's activation (Clamp, LeakyRelu or HardSwish) to
// the first len(row) rounded down to a multiple of 4 values of row and
// returns how many; it returns 0 for the other activations.
//
//go:noescape
func activateNEON(row []float32, a *args) int
