package quant

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// Checks of the inputs the quantized operators share, and the scratch
// layout and requantization they share.

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

// q8At reads element i of 8-bit data as int32.
func q8At(data []byte, signed bool, i int) int32 {
	if signed {
		return int32(int8(data[i]))
	}
	return int32(data[i])
}

// qGrain is the number of multiply-adds (or element operations) worth a goroutine.
const qGrain = 1 << 15

// quant8 is the element type of 8-bit quantized tensors.
type quant8 interface{ uint8 | int8 }

// requantizer is ONNX Runtime's requantization of int32 sums to an 8-bit
// type with zero point zp (qgemm.Requantize): lo and hi are the type's
// range minus zp.
type requantizer struct {
	lo, hi float32
	zp     int32
}

func newRequantizer[Y quant8](zp int32) requantizer {
	lo, hi := quantBounds[Y]()
	return requantizer{lo: float32(lo) - float32(zp), hi: float32(hi) - float32(zp), zp: zp}
}

// apply requantizes s by scale.
func (q requantizer) apply(s int32, scale float32) int32 {
	return qgemm.Requantize(s, scale, q.lo, q.hi, q.zp)
}

// qspace lays out 64-byte aligned regions of a scratch buffer; with a nil
// buffer it only counts the bytes, so Workspace and Bind share one layout.
type qspace struct {
	buf []byte
	n   int
}

// take returns the next region of n bytes (nil when only counting).
func (s *qspace) take(n int) []byte {
	n = (n + 63) &^ 63
	s.n += n
	if s.buf == nil {
		return nil
	}
	r := s.buf[:n:n]
	s.buf = s.buf[n:]
	return r
}

// int32s takes a region of n int32s.
func (s *qspace) int32s(n int) []int32 { return ops.View[int32](s.take(4 * n)) }
