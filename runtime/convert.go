package runtime

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// isHalf reports whether t is one of the 16-bit float types that are
// computed as Float.
func isHalf(t ops.DType) bool { return t == onnx.Float16 || t == onnx.BFloat16 }

// widenInto converts the Float16 or BFloat16 elements of src into dst.
func widenInto(dst []float32, src *ops.Tensor) {
	h := src.U16()[:len(dst)]
	if src.Type == onnx.BFloat16 {
		for i, v := range h {
			dst[i] = onnx.BF16ToF32(v)
		}
		return
	}
	for i, v := range h {
		dst[i] = onnx.F16ToF32(v)
	}
}

// narrowInto rounds the Float elements of src into dst's Float16 or BFloat16 elements.
func narrowInto(dst *ops.Tensor, src []float32) {
	h := dst.U16()[:len(src)]
	if dst.Type == onnx.BFloat16 {
		for i, v := range src {
			h[i] = onnx.F32ToBF16(v)
		}
		return
	}
	for i, v := range src {
		h[i] = onnx.F32ToF16(v)
	}
}
