//go:build noasm || !amd64

package dwconv

import "unsafe"

// callBlock, callPack and callUnpack are never called: only the amd64
// kernels have a blocked form.
func callBlock(*kernel, int, *args) { panic("dwconv: no blocked kernel") }

func callPack(*kernel, unsafe.Pointer, unsafe.Pointer, int, *[16]int32) {
	panic("dwconv: no blocked kernel")
}

func callUnpack(*kernel, unsafe.Pointer, unsafe.Pointer, int, int, *[16]int32) {
	panic("dwconv: no blocked kernel")
}
