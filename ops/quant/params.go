package quant

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Checks of the inputs the quantized operators share, and the view of an
// 8-bit matrix they pack.

// checkQ8 requires input v (named name) to be uint8 or int8, reporting
// float8 and sub-byte types as unsupported.
func checkQ8(v ops.Value, name string) error {
	switch t := v.Type; {
	case t == onnx.Uint8 || t == onnx.Int8:
		return nil
	case t >= onnx.Float8E4M3FN && t <= onnx.Int2:
		return fmt.Errorf("input %q: %w type %v", name, ops.ErrUnsupported, t)
	default:
		return fmt.Errorf("input %q has type %s, want uint8 or int8", name, ops.TypeName(t))
	}
}

// checkZeroPoint requires zero point zp (named name) to have the type t
// of the tensor it belongs to (named of) and the granularity
// checkPerShape describes.
func checkZeroPoint(zp ops.Value, name string, t ops.DType, of string, per int) error {
	if zp.Type != t {
		return fmt.Errorf("input %q has type %s, want %s like input %q", name, ops.TypeName(zp.Type), ops.TypeName(t), of)
	}
	return checkPerShape(zp.Shape, name, per)
}

// checkScale requires scale (named name) to be float32 (float16 arrives
// widened) of the granularity checkPerShape describes.
func checkScale(s ops.Value, name string, per int) error {
	if err := checkScaleType(s, name); err != nil {
		return err
	}
	return checkPerShape(s.Shape, name, per)
}

// checkPerShape requires shape to be a scalar or one-element vector, or
// per elements along the last axis (per > 0), or -per elements along the
// second-to-last axis with a last axis of 1 (per < 0, QLinearMatMul's and
// MatMulInteger's per-row form), leading axes being 1.
func checkPerShape(shape []int, name string, per int) error {
	if isScalarLike(shape) {
		return nil
	}
	if per > 0 && perColumnShape(shape, per) || per < 0 && perRowShape(shape, -per) {
		return nil
	}
	switch {
	case per > 0:
		return fmt.Errorf("input %q has shape %v, want a scalar or %d elements along its last axis", name, shape, per)
	case per < 0:
		return fmt.Errorf("input %q has shape %v, want a scalar, [%d] or [..., %d, 1] with leading 1s (one per row)", name, shape, -per, -per)
	}
	return fmt.Errorf("input %q has shape %v, want a scalar", name, shape)
}

// perColumnShape reports whether shape is [n] or [1, ..., 1, n].
func perColumnShape(shape []int, n int) bool {
	return len(shape) > 0 && shape[len(shape)-1] == n && ops.NumElems(shape) == n
}

// perRowShape reports whether shape is [m] or [1, ..., 1, m, 1].
func perRowShape(shape []int, m int) bool {
	switch len(shape) {
	case 0:
		return false
	case 1:
		return shape[0] == m
	}
	return shape[len(shape)-1] == 1 && shape[len(shape)-2] == m && ops.NumElems(shape) == m
}

// qStep is 0 for a per-tensor scale or zero point, 1 for one with an
// element per row or column.
func qStep(t *ops.Tensor) int {
	if t.Len() == 1 {
		return 0
	}
	return 1
}

// zpData is the bytes of an optional zero point (nil when omitted).
func zpData(t *ops.Tensor) []byte {
	if t == nil {
		return nil
	}
	return t.Data
}

// zpStep is qStep of an optional zero point.
func zpStep(t *ops.Tensor) int {
	if t == nil {
		return 0
	}
	return qStep(t)
}

// q8At reads element i of 8-bit data as int32.
func q8At(data []byte, signed bool, i int) int32 {
	if signed {
		return int32(int8(data[i]))
	}
	return int32(data[i])
}

// qmat is a matrix of 8-bit elements of either signedness (element (i, j)
// at data[i*rs+j*cs]) with its zero point, packed by packA or packB for
// the element type.
type qmat struct {
	data   []byte
	signed bool
	rs, cs int
	zp     []byte // nil: 0
	zpStep int
}

// viewOf is m as a qview of T.
func viewOf[T quant8](m *qmat) qview[T] {
	return qview[T]{data: ops.View[T](m.data), rs: m.rs, cs: m.cs, zp: ops.View[T](m.zp), zpStep: m.zpStep}
}

// packA packs row panels [p0, p1) of m (rows×k) as A.
func (m *qmat) packA(dst []int16, rowSum []int32, rows, k, p0, p1 int) {
	if m.signed {
		packA(dst, rowSum, viewOf[int8](m), rows, k, p0, p1)
		return
	}
	packA(dst, rowSum, viewOf[uint8](m), rows, k, p0, p1)
}

// packB packs column panels [q0, q1) of m (k×cols) as B.
func (m *qmat) packB(dst []int32, k, cols, q0, q1 int) {
	if m.signed {
		packB(dst, viewOf[int8](m), k, cols, q0, q1)
		return
	}
	packB(dst, viewOf[uint8](m), k, cols, q0, q1)
}
