//go:build noasm || !(amd64 || arm64 || arm)

package gemm

// asmKernels returns no kernels: this build has no assembly.
func asmKernels() []microKernel { return nil }
