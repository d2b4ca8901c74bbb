//go:build !noasm

package main

// asmKernels is false in builds with the noasm tag, which use the pure-Go kernels.
const asmKernels = true
