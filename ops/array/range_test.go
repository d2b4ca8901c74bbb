package array

import (
	"fmt"
	"math"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// scalar is a 0-D tensor holding v.
func scalar[T ops.Numeric](v T) *ops.Tensor { return opstest.Typed[T](nil, v) }

func TestRange(t *testing.T) {
	cases := []struct {
		name                string
		start, limit, delta *ops.Tensor
		want                *ops.Tensor
	}{
		{"spec 1", scalar(int32(3)), scalar(int32(9)), scalar(int32(3)), opstest.Typed(opstest.Sh(2), int32(3), 6)},
		{"spec 2", scalar(int64(10)), scalar(int64(4)), scalar(int64(-2)), opstest.Typed(opstest.Sh(3), int64(10), 8, 6)},
		{"empty", scalar(int16(5)), scalar(int16(5)), scalar(int16(1)), opstest.Typed(opstest.Sh(0), []int16{}...)},
		{"wrong direction", scalar(int64(0)), scalar(int64(5)), scalar(int64(-1)), opstest.Typed(opstest.Sh(0), []int64{}...)},
		{"float", scalar(float32(1)), scalar(float32(2)), scalar(float32(0.25)), opstest.Typed(opstest.Sh(4), float32(1), 1.25, 1.5, 1.75)},
		{"float partial step", scalar(0.0), scalar(1.0), scalar(0.3), opstest.Typed(opstest.Sh(4), 0, 0.3, 0.6, 0.9)},
		{"negative float", scalar(float32(1)), scalar(float32(-1)), scalar(float32(-0.5)), opstest.Typed(opstest.Sh(4), float32(1), 0.5, 0, -0.5)},
		// Counts past int64's range of differences stay exact.
		{"int64 extremes", scalar(int64(math.MinInt64)), scalar(int64(math.MaxInt64)), scalar(int64(math.MaxInt64)),
			opstest.Typed(opstest.Sh(3), int64(math.MinInt64), -1, math.MaxInt64-1)},
		{"uint8", scalar(uint8(250)), scalar(uint8(255)), scalar(uint8(2)), opstest.Typed(opstest.Sh(3), uint8(250), 252, 254)},
		{"uint8 down", scalar(uint8(5)), scalar(uint8(1)), scalar(uint8(1)), opstest.Typed(opstest.Sh(0), []uint8{}...)},
		{"uint64 past int64", scalar(uint64(math.MaxUint64 - 4)), scalar(uint64(math.MaxUint64)), scalar(uint64(2)),
			opstest.Typed(opstest.Sh(2), uint64(math.MaxUint64-4), math.MaxUint64-2)},
		{"int8 extremes", scalar(int8(127)), scalar(int8(-128)), scalar(int8(-100)), opstest.Typed(opstest.Sh(3), int8(127), 27, -73)},
		{"single-element 1-D", opstest.Typed(opstest.Sh(1), int32(0)), scalar(int32(2)), scalar(int32(1)), opstest.Typed(opstest.Sh(2), int32(0), 1)},
	}
	for _, c := range cases {
		for _, opset := range []int{11, 27} {
			label := fmt.Sprintf("Range-%d %s", opset, c.name)
			got, err := opstest.Eval(opstest.Node("Range", opstest.InNames(3), 1), opset, c.start, c.limit, c.delta)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			opstest.EwCheck(t, label, got[0], c.want)
		}
	}
}

func TestRangeErrors(t *testing.T) {
	i := scalar(int64(1))
	for _, c := range []struct {
		name string
		in   []*ops.Tensor
		err  string
	}{
		{"zero delta", []*ops.Tensor{i, scalar(int64(4)), scalar(int64(0))}, "\"delta\" is 0"},
		{"zero float delta", []*ops.Tensor{scalar(1.0), scalar(4.0), scalar(0.0)}, "\"delta\" is 0"},
		{"infinite", []*ops.Tensor{scalar(0.0), scalar(math.Inf(1)), scalar(1.0)}, "no finite length"},
		{"NaN", []*ops.Tensor{scalar(math.NaN()), scalar(1.0), scalar(1.0)}, "no finite length"},
		{"too long", []*ops.Tensor{scalar(int64(0)), scalar(int64(math.MaxInt64)), scalar(int64(1))}, "out of range"},
		{"mixed types", []*ops.Tensor{i, scalar(int32(4)), i}, "input \"limit\" has type int32"},
		{"not a scalar", []*ops.Tensor{i, opstest.I64s(4, 5), i}, "want a scalar"},
		{"bool", []*ops.Tensor{opstest.Bools(nil, true), opstest.Bools(nil, true), opstest.Bools(nil, true)}, "want a numeric type"},
	} {
		_, err := opstest.Eval(opstest.Node("Range", opstest.InNames(3), 1), 11, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
	op, _ := ops.Build(opstest.Node("Range", opstest.InNames(3), 1), 11)
	v := ops.Value{Type: onnx.Int64, Shape: []int{}, Const: i}
	_, err := op.Infer([]ops.Value{v, {Type: onnx.Int64, Shape: []int{}}, v})
	opstest.WantErr(t, "computed limit", err, "\"limit\"", "not known before the run")
	_, err = ops.Build(opstest.Node("Range", opstest.InNames(3), 1, opstest.AttrI("stash_type", 2)), 27)
	opstest.WantErr(t, "stash_type", err, "want 0 or 1")
}

func TestSize(t *testing.T) {
	for _, x := range []*ops.Tensor{ops.New(onnx.Float, 2, 3, 4), ops.New(onnx.Bool), ops.New(onnx.Int8, 3, 0)} {
		got, err := opstest.Eval(opstest.Node("Size", opstest.InNames(1), 1), 13, x)
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, "Size of "+x.String(), got[0], ops.FromI64([]int64{int64(x.Len())}))
	}
}

func TestRangeSizeNodeTests(t *testing.T) {
	// The four single-node Range tests (float32, int32 and the float16 and
	// bfloat16 ones, computed in float32) and both Size tests.
	if got := opstest.AllNodeTests(t, "test_range*", "test_size*"); got != 6 {
		t.Errorf("%d Range/Size node tests passed, want 6", got)
	}
}
