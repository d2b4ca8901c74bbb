package array

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// refUnique is Unique by quadratic search: slices (lists of float64, NaN
// equal to NaN) are grouped in order of first occurrence, then sorted
// when asked.
func refUnique(sl [][]float64, sorted bool) (first, inverse, counts []int) {
	same := func(a, b []float64) bool {
		for i := range a {
			if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
				return false
			}
		}
		return true
	}
	for _, s := range sl {
		g := slices.IndexFunc(first, func(f int) bool { return same(sl[f], s) })
		if g < 0 {
			g = len(first)
			first = append(first, slices.IndexFunc(sl, func(o []float64) bool { return same(o, s) }))
			counts = append(counts, 0)
		}
		counts[g]++
		inverse = append(inverse, g)
	}
	order := make([]int, len(first))
	for i := range order {
		order[i] = i
	}
	if sorted {
		less := func(a, b []float64) int {
			for i := range a {
				switch x, y := a[i], b[i]; {
				case math.IsNaN(x) && !math.IsNaN(y):
					return 1
				case math.IsNaN(y) && !math.IsNaN(x):
					return -1
				case x < y:
					return -1
				case x > y:
					return 1
				}
			}
			return 0
		}
		slices.SortFunc(order, func(a, b int) int { return less(sl[first[a]], sl[first[b]]) })
	}
	pos := make([]int, len(order))
	f2, c2 := make([]int, len(order)), make([]int, len(order))
	for p, g := range order {
		pos[g], f2[p], c2[p] = p, first[g], counts[g]
	}
	for i, g := range inverse {
		inverse[i] = pos[g]
	}
	return f2, inverse, c2
}

func TestUniqueAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	nan := math.NaN()
	for _, c := range []struct {
		shape   []int
		axis    int
		hasAxis bool
	}{
		{[]int{6}, 0, false}, {[]int{3, 4}, 0, false}, {[]int{5, 2}, 0, true}, {[]int{2, 7, 2}, 1, true},
		{[]int{3, 4, 2}, -1, true}, {[]int{0, 3}, 1, true}, {[]int{1}, 0, false}, {[]int{}, 0, false},
	} {
		for _, dt := range []ops.DType{onnx.Float, onnx.Int8, onnx.Uint64, onnx.Bool} {
			for _, sorted := range []int64{0, 1} {
				x := smallValues(rng, dt, c.shape...)
				if dt == onnx.Float && x.Len() > 2 {
					x.F32()[0], x.F32()[2] = float32(nan), float32(nan)
				}
				attrs := []*onnx.Attribute{opstest.AttrI("sorted", sorted)}
				if c.hasAxis {
					attrs = append(attrs, opstest.AttrI("axis", int64(c.axis)))
				}
				label := fmt.Sprintf("Unique %s%v axis %d (%v) sorted %d", ops.TypeName(dt), c.shape, c.axis, c.hasAxis, sorted)
				got, err := opstest.Eval(opstest.Node("Unique", opstest.InNames(1), 4, attrs...), 11, x)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				// The slices along the axis as lists of values.
				outer, dim, inner := 1, x.Len(), 1
				axis, _ := ops.NormAxis(c.axis, len(c.shape))
				if c.hasAxis {
					outer, dim, inner = ops.NumElems(c.shape[:axis]), c.shape[axis], ops.NumElems(c.shape[axis+1:])
				}
				sl := make([][]float64, dim)
				for i := range sl {
					for o := range outer {
						for k := range inner {
							sl[i] = append(sl[i], elemF64(x, (o*dim+i)*inner+k))
						}
					}
				}
				first, inverse, counts := refUnique(sl, sorted == 1)
				yShape := []int{len(first)}
				if c.hasAxis {
					yShape = slices.Clone(c.shape)
					yShape[axis] = len(first)
				}
				es := ops.ElemSize(dt)
				y := ops.New(dt, yShape...)
				for o := range outer {
					for p, f := range first {
						copy(y.Data[(o*len(first)+p)*inner*es:], x.Data[(o*dim+f)*inner*es:(o*dim+f+1)*inner*es])
					}
				}
				opstest.EwCheck(t, label+" Y", got[0], y)
				for k, v := range [][]int{first, inverse, counts} {
					w := make([]int64, len(v))
					for i, e := range v {
						w[i] = int64(e)
					}
					opstest.WantTensor(t, fmt.Sprintf("%s output %d", label, k+1), got[k+1], opstest.I64s(w...))
				}
			}
		}
	}
}

func TestUniqueSpec(t *testing.T) {
	// Example 4 of the spec: slices along axis 1.
	x := opstest.WithShape(opstest.F32s(1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 0, 1, 2, 1, 0, 1), 2, 4, 2)
	got, err := opstest.Eval(opstest.Node("Unique", opstest.InNames(1), 4, opstest.AttrI("axis", 1)), 11, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "Y", got[0], opstest.WithShape(opstest.F32s(0, 1, 1, 1, 2, 1, 0, 1, 1, 1, 2, 1), 2, 3, 2))
	opstest.WantTensor(t, "indices", got[1], opstest.I64s(1, 0, 2))
	opstest.WantTensor(t, "inverse_indices", got[2], opstest.I64s(1, 0, 2, 0))
	opstest.WantTensor(t, "counts", got[3], opstest.I64s(2, 1, 1))
	// -0 and 0 are one value, output as the first occurrence.
	negZero := float32(math.Copysign(0, -1))
	got, err = opstest.Eval(opstest.Node("Unique", opstest.InNames(1), 1), 11, opstest.F32s(negZero, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !math.Signbit(float64(got[0].F32()[0])) || got[0].Len() != 2 {
		t.Errorf("Unique of [-0 0 1]: got %v", got[0].F32())
	}
	_, err = ops.Build(opstest.Node("Unique", opstest.InNames(1), 1, opstest.AttrI("sorted", 2)), 11)
	opstest.WantErr(t, "sorted", err, "want 0 or 1")
	op, _ := ops.Build(opstest.Node("Unique", opstest.InNames(1), 1), 11)
	_, err = op.Infer([]ops.Value{{Type: onnx.Float, Shape: []int{2}}})
	opstest.WantErr(t, "computed input", err, "not known before the run")
}

func TestUniqueNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_unique*"); got != 6 {
		t.Errorf("%d Unique node tests passed, want 6", got)
	}
}
