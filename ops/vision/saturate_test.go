package vision

import (
	"math"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestSaturateInto: values rounded half to even, clamped to each integer
// type's range (NaN to 0), over more than one chunk.
func TestSaturateInto(t *testing.T) {
	in := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 2.5, 3.5, -2.5, 1e30, -1e30, 127.4, -128.6, 255.5, 0x1p63, 0x1p64, -0x1p63}
	for len(in) < 3*70 {
		in = append(in, in[:14]...)
	}
	want := map[ops.DType]*ops.Tensor{
		onnx.Int8:   opstest.Typed(opstest.Sh(14), int8(0), 127, -128, 2, 4, -2, 127, -128, 127, -128, 127, 127, 127, -128),
		onnx.Uint8:  opstest.Typed(opstest.Sh(14), uint8(0), 255, 0, 2, 4, 0, 255, 0, 127, 0, 255, 255, 255, 0),
		onnx.Int64:  opstest.Typed(opstest.Sh(14), int64(0), math.MaxInt64, math.MinInt64, 2, 4, -2, math.MaxInt64, math.MinInt64, 127, -129, 256, math.MaxInt64, math.MaxInt64, math.MinInt64),
		onnx.Uint64: opstest.Typed(opstest.Sh(14), uint64(0), math.MaxUint64, 0, 2, 4, 0, math.MaxUint64, 0, 127, 0, 256, 1<<63, math.MaxUint64, 0),
	}
	for dt, w := range want {
		y := ops.New(dt, len(in))
		saturateInto(y, in)
		es := ops.ElemSize(dt)
		for i := range len(in) {
			k := i % 14
			if got, exp := y.Data[i*es:(i+1)*es], w.Data[k*es:(k+1)*es]; string(got) != string(exp) {
				t.Errorf("%s: %v became bytes %x, want %x", ops.TypeName(dt), in[i], got, exp)
			}
		}
	}
}
