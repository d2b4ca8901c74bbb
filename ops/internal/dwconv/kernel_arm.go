//go:build !noasm

package dwconv

import (
	"unsafe"

	"golang.org/x/sys/cpu"
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

// callRows runs the NEON row loops at stride 1 or 2. ARMv7 NEON has no
// rounding to an integer nor a division for Swish's exponential, so for
// Swish the rows are computed without activation and Go applies it.
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
		e := Epilogue{Act: Swish, Alpha: a.alpha}
		for r := range a.rows {
			row := unsafe.Slice((*float32)(unsafe.Add(a.y, r*a.ldy)), a.n)
			for i, v := range row {
				row[i] = e.Apply(v)
			}
		}
	}
}

// callActivate runs the NEON activation loop (none for Swish: see
// callRows).
func callActivate(_ *kernel, row []float32, a *args) int { return activateNEON(row, a) }

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
