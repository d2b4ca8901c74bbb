//go:build noasm || !(amd64 || arm64 || arm)

package dwconv

// availableKernels returns the kernels this build can run, the fastest
// first: the Go one only.
func availableKernels() []kernel { return []kernel{goKernel} }

// callRows and callActivate are never called: there is no assembly
// kernel.
func callRows(*kernel, int, *args) { panic("dwconv: no assembly kernel") }

func callActivate(*kernel, []float32, *args) int { panic("dwconv: no assembly kernel") }
