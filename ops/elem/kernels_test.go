package elem

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// Helpers shared by the tests of the element-wise families (binary, unary,
// softmax, identity, cast) and the broadcasting machinery's own tests.

// naiveBinary computes a k b by explicit index arithmetic over out's shape.
func naiveBinary[T ops.Numeric](k binKind, out, as, bs []int, a, b []T) []T {
	return naiveZip(out, as, bs, a, b, func(x, y T) T { return binScalar(k, x, y) })
}

// naiveIndex is the offset in an operand of shape s of element flat of
// the broadcast output of shape out.
func naiveIndex(flat int, out, s []int) int {
	off, st, pos := len(out)-len(s), ops.Strides(s), 0
	for d := len(out) - 1; d >= 0; d-- {
		i := flat % out[d]
		flat /= out[d]
		if d >= off && s[d-off] != 1 {
			pos += i * st[d-off]
		}
	}
	return pos
}

// naiveZip computes f(a, b) broadcast onto out element by element.
func naiveZip[D, A, B any](out, as, bs []int, a []A, b []B, f func(A, B) D) []D {
	d := make([]D, ops.NumElems(out))
	for i := range d {
		d[i] = f(a[naiveIndex(i, out, as)], b[naiveIndex(i, out, bs)])
	}
	return d
}

// bcPairs are operand shapes covering the broadcasting patterns: equal,
// scalar either side, suffix, prefix, outer products, size-1 dims, empty.
var bcPairs = [][2][]int{
	{opstest.Sh(2, 3, 4, 5), opstest.Sh(2, 3, 4, 5)},
	{opstest.Sh(2, 3, 4, 5), opstest.Sh()},
	{opstest.Sh(), opstest.Sh(2, 3, 4, 5)},
	{opstest.Sh(2, 3, 4, 5), opstest.Sh(5)},
	{opstest.Sh(4, 5), opstest.Sh(2, 3, 4, 5)},
	{opstest.Sh(1, 4, 5), opstest.Sh(2, 3, 1, 1)},
	{opstest.Sh(2, 6, 3, 3), opstest.Sh(6, 1, 1)},
	{opstest.Sh(3, 1), opstest.Sh(1, 4)},
	{opstest.Sh(2, 1, 3), opstest.Sh(2, 4, 1)},
	{opstest.Sh(1, 2, 1, 3, 1, 2, 1, 3, 1, 2), opstest.Sh(2, 1, 3, 1, 2, 1, 3, 1, 2, 1)},
	{opstest.Sh(0, 3), opstest.Sh(3)},
}

// runPairs are float32 operand shapes whose runs are long enough for
// package vec's SIMD blocks of four vectors and their tails: runs of both
// operands, a run and a broadcast scalar, a scalar and a run, per channel
// and per row.
var runPairs = [][2][]int{
	{opstest.Sh(3, 131), opstest.Sh(3, 131)},
	{opstest.Sh(2, 5, 71), opstest.Sh(5, 1)},
	{opstest.Sh(5, 1), opstest.Sh(2, 5, 71)},
	{opstest.Sh(1, 16, 9, 9), opstest.Sh(16, 1, 1)},
	{opstest.Sh(67), opstest.Sh()},
	{opstest.Sh(), opstest.Sh(67)},
	{opstest.Sh(4, 1), opstest.Sh(1, 70)},
}

// checkBcBinary compares the kernels with naiveBinary for every kind on
// random data over the broadcasting patterns pairs and parallel splits,
// NaN matching NaN.
func checkBcBinary[T ops.Numeric](t *testing.T, pairs [][2][]int, gen func(r *rand.Rand) T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, pr := range pairs {
		as, bs := pr[0], pr[1]
		out, err := ops.BroadcastShape(as, bs)
		if err != nil {
			t.Fatal(err)
		}
		a, b := make([]T, ops.NumElems(as)), make([]T, ops.NumElems(bs))
		for i := range a {
			a[i] = gen(r)
		}
		for i := range b {
			b[i] = gen(r)
		}
		ta, tb := opstest.Typed(as, a...), opstest.Typed(bs, b...)
		for k := binAdd; k <= binMin; k++ {
			want := naiveBinary(k, out, as, bs, a, b)
			for _, par := range []ops.Parallel{ops.Serial{}, opstest.StepPar{Step: 1}, opstest.StepPar{Step: 5}, opstest.StepPar{Step: 64}} {
				d := ops.New(ta.Type, out...)
				ewTable[ta.Type].binary(par, k, d, ta, tb, as, bs)()
				if _, ok := sameVals(ops.Elems[T](d), want); !ok {
					t.Errorf("%s kind %d %v op %v with %T: got %v, want %v", ops.TypeName(ta.Type), k, as, bs, par, ops.Elems[T](d), want)
				}
			}
		}
	}
}

func TestBcBinaryMatchesNaive(t *testing.T) {
	checkBcBinary(t, bcPairs, func(r *rand.Rand) float32 { return float32(r.NormFloat64()) })
	checkBcBinary(t, bcPairs, func(r *rand.Rand) float64 { return r.NormFloat64() })
	checkBcBinary(t, bcPairs, func(r *rand.Rand) int32 { return int32(r.IntN(21)) - 10 })
	checkBcBinary(t, bcPairs, func(r *rand.Rand) uint8 { return uint8(r.IntN(256)) })
	checkBcBinary(t, bcPairs, func(r *rand.Rand) int64 { return r.Int64N(1<<40) - 1<<39 })
}

// TestBcBinaryF32Runs checks float32's SIMD runs (see binRunF32) with
// ±0, ±Inf and NaN among the operands, and float64's Go loops alike.
func TestBcBinaryF32Runs(t *testing.T) {
	pairs := slices.Concat(runPairs, bcPairs)
	checkBcBinary(t, pairs, func(r *rand.Rand) float32 {
		if r.IntN(3) == 0 {
			return specials(r)
		}
		return float32(r.NormFloat64())
	})
	checkBcBinary(t, pairs, func(r *rand.Rand) float64 {
		if r.IntN(3) == 0 {
			return float64(specials(r))
		}
		return r.NormFloat64()
	})
}

func benchBinary(b *testing.B, k binKind, as, bs []int) {
	out, _ := ops.BroadcastShape(as, bs)
	x, y, d := ops.New(onnx.Float, as...), ops.New(onnx.Float, bs...), ops.New(onnx.Float, out...)
	for i, v := range ops.Elems[float32](y) {
		ops.Elems[float32](y)[i] = v + 1
	}
	b.SetBytes(int64(len(d.Data)))
	f := ewTable[onnx.Float].binary(ops.Serial{}, k, d, x, y, as, bs)
	b.ReportAllocs()
	for b.Loop() {
		f()
	}
}

func BenchmarkAddF32Same(b *testing.B) {
	benchBinary(b, binAdd, opstest.Sh(1, 64, 56, 56), opstest.Sh(1, 64, 56, 56))
}
func BenchmarkAddF32Channel(b *testing.B) {
	benchBinary(b, binAdd, opstest.Sh(1, 64, 56, 56), opstest.Sh(64, 1, 1))
}
func BenchmarkMulF32Scalar(b *testing.B) {
	benchBinary(b, binMul, opstest.Sh(1, 64, 32, 32), opstest.Sh())
}
func BenchmarkAddF32Row(b *testing.B) { benchBinary(b, binAdd, opstest.Sh(3136, 64), opstest.Sh(64)) }
