//go:build !noasm

package dwconv

// availableKernels returns the kernels this CPU runs, the fastest first,
// the Go one last. The NEON kernel computes the interior of rows of at
// least 4 outputs.
func availableKernels() []kernel {
	return []kernel{
		{name: "neon", lanes: 4, asm: true},
		goKernel,
	}
}

// callRows runs the NEON row loops at stride 1 or 2.
func callRows(_ *kernel, stride int, a *args) {
	if stride == 1 {
		rowsNEONS1(a)
	} else {
		rowsNEONS2(a)
	}
}

// callActivate runs the NEON activation loop.
func callActivate(_ *kernel, row []float32, a *args) int { return activateNEON(row, a) }

// rowsNEONS1 and rowsNEONS2 compute the interior of the rows a describes
// (stride 1 and 2) with NEON; they trust a.
//
//go:noescape
func rowsNEONS1(a *args)

//go:noescape
func rowsNEONS2(a *args)

// activateNEON applies a's activation to the first len(row) rounded down
// to a multiple of 4 values of row and returns how many.
//
//go:noescape
func activateNEON(row []float32, a *args) int
