package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// bcastAt is the element of t (shape ts, broadcast to shape) at the
// row-major coordinates pos of shape.
func bcastAt(t []float64, ts, shape, pos []int) float64 {
	off, stride := 0, 1
	for k := len(ts) - 1; k >= 0; k-- {
		p := pos[len(shape)-len(ts)+k]
		if ts[k] == 1 {
			p = 0
		}
		off += p * stride
		stride *= ts[k]
	}
	return t[off]
}

// refNorm normalizes x (shape) with the statistics of each group of
// elements sharing a key, then applies scale and bias (shape ss and bs,
// bias nil when absent) as param(pos) says.
func refNorm(x []float64, shape []int, key func(pos []int) int, center bool, eps float64, affine func(pos []int, v float64) float64) (y, mean, inv []float64) {
	n := len(x)
	pos := make([]int, len(shape))
	keys := make([]int, n)
	groups := 0
	for i := range n {
		opstest.Unflatten(i, shape, pos)
		keys[i] = key(pos)
		groups = max(groups, keys[i]+1)
	}
	sum, cnt, sq := make([]float64, groups), make([]float64, groups), make([]float64, groups)
	for i, v := range x {
		sum[keys[i]] += v
		cnt[keys[i]]++
	}
	mean, inv = make([]float64, groups), make([]float64, groups)
	for g := range groups {
		if center {
			mean[g] = sum[g] / cnt[g]
		}
	}
	for i, v := range x {
		d := v - mean[keys[i]]
		sq[keys[i]] += d * d
	}
	for g := range groups {
		inv[g] = 1 / math.Sqrt(sq[g]/cnt[g]+eps)
	}
	y = make([]float64, n)
	for i, v := range x {
		opstest.Unflatten(i, shape, pos)
		y[i] = affine(pos, (v-mean[keys[i]])*inv[keys[i]])
	}
	return y, mean, inv
}

// tensorOf makes a tensor of type dt (float32 or float64) from v.
func tensorOf(dt onnx.DataType, v []float64, shape ...int) *ops.Tensor {
	t := ops.New(dt, shape...)
	for i, x := range v {
		if dt == onnx.Double {
			t.F64()[i] = x
		} else {
			t.F32()[i] = float32(x)
		}
	}
	return t
}

// valuesOf reads a float32 or float64 tensor as float64.
func valuesOf(t *ops.Tensor) []float64 {
	if t.Type == onnx.Double {
		return t.F64()[:t.Len()]
	}
	return opstest.WidenF64(t.F32()[:t.Len()])
}

func randValues(rng *rand.Rand, n int, offset float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = offset + rng.Float64()*4 - 2
	}
	return v
}

// closeTo fails unless got and want agree within tol relative to 1 + |want|.
func closeTo(t *testing.T, label string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", label, len(got), len(want))
	}
	for i := range want {
		if math.IsNaN(want[i]) && math.IsNaN(got[i]) {
			continue
		}
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s: element %d = %v, want %v", label, i, got[i], want[i])
		}
	}
}

func TestLayerAndRMSNormReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		x, scale, bias []int // bias nil: absent
		axis           int
	}{
		{[]int{3, 7}, []int{7}, []int{7}, -1},
		{[]int{2, 3, 5}, []int{3, 5}, []int{1}, 1},
		{[]int{2, 3, 5}, []int{1, 5}, nil, -2},
		{[]int{4, 3, 5}, []int{4, 1, 1}, []int{3, 1}, 1}, // scale varies over rows
		{[]int{2, 1, 33}, []int{33}, []int{2, 1, 33}, -1},
		{[]int{5, 9}, []int{5, 9}, []int{9}, 0},
		{[]int{0, 4}, []int{4}, []int{4}, 1},
	} {
		for _, dt := range []onnx.DataType{onnx.Float, onnx.Double} {
			for _, kind := range []string{"LayerNormalization", "RMSNormalization"} {
				axis := c.axis
				if axis < 0 {
					axis += len(c.x)
				}
				xv := randValues(rng, ops.NumElems(c.x), 3) // off-center: a float32 one-pass variance would drift
				sv := randValues(rng, ops.NumElems(c.scale), 0)
				ins := []*ops.Tensor{tensorOf(dt, xv, c.x...), tensorOf(dt, sv, c.scale...)}
				var bv []float64
				if c.bias != nil && kind == "LayerNormalization" {
					bv = randValues(rng, ops.NumElems(c.bias), 0)
					ins = append(ins, tensorOf(dt, bv, c.bias...))
				}
				rows := c.x[:axis]
				key := func(pos []int) int {
					k := 0
					for i, d := range rows {
						k = k*d + pos[i]
					}
					return k
				}
				const eps = 1e-3
				wantY, wantMean, wantInv := refNorm(xv, c.x, key, kind == "LayerNormalization", eps, func(pos []int, v float64) float64 {
					v *= bcastAt(sv, c.scale, c.x, pos)
					if bv != nil {
						v += bcastAt(bv, c.bias, c.x, pos)
					}
					return v
				})
				nOut := 1
				if kind == "LayerNormalization" {
					nOut = 3
				}
				for _, consts := range []map[int]bool{nil, {1: true, 2: true}} {
					op, err := ops.Build(opstest.NodeOf(kind, ins, nOut, opstest.Int("axis", c.axis), opstest.Float("epsilon", eps)), 23)
					if err != nil {
						t.Fatal(err)
					}
					got, err := opstest.Exec(op, ins, consts, opstest.Par{N: 3})
					if err != nil {
						t.Fatalf("%s %v: %v", kind, c, err)
					}
					label := kind + " " + ops.TypeName(dt)
					closeTo(t, label, valuesOf(got[0]), wantY, 1e-5)
					if nOut == 3 {
						if ops.NumElems(rows) > 0 {
							closeTo(t, label+" Mean", valuesOf(got[1]), wantMean, 1e-6)
							closeTo(t, label+" InvStdDev", valuesOf(got[2]), wantInv, 1e-5)
						}
						wantStat := append(append([]int(nil), rows...), make([]int, len(c.x)-axis)...)
						for i := axis; i < len(c.x); i++ {
							wantStat[i] = 1
						}
						if !ops.SameShape(got[1].Shape, wantStat) || got[1].Type != onnx.Float {
							t.Errorf("%s: Mean is %v, want float32%v", label, got[1], wantStat)
						}
					}
				}
			}
		}
	}
}

func TestInstanceAndGroupNormReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		op     string
		opset  int
		x      []int
		groups int
	}{
		{"InstanceNormalization", 6, []int{2, 3, 5, 7}, 0},
		{"InstanceNormalization", 22, []int{3, 2, 4}, 0},
		{"InstanceNormalization", 1, []int{1, 5, 2, 3, 2}, 0},
		{"GroupNormalization", 21, []int{2, 6, 3, 5}, 3},
		{"GroupNormalization", 21, []int{3, 4, 7}, 1},
		{"GroupNormalization", 18, []int{2, 6, 3, 5}, 2},
		{"GroupNormalization", 18, []int{2, 4, 1}, 4},
	} {
		for _, dt := range []onnx.DataType{onnx.Float, onnx.Double} {
			ch := c.x[1]
			params := ch
			if c.op == "GroupNormalization" && c.opset < 21 {
				params = c.groups
			}
			xv, sv, bv := randValues(rng, ops.NumElems(c.x), -5), randValues(rng, params, 0), randValues(rng, params, 1)
			ins := []*ops.Tensor{tensorOf(dt, xv, c.x...), tensorOf(dt, sv, params), tensorOf(dt, bv, params)}
			groups := c.groups
			if groups == 0 {
				groups = ch
			}
			per := ch / groups
			param := func(pos []int) int {
				if params == ch {
					return pos[1]
				}
				return pos[1] / per
			}
			const eps = 1e-2
			want, _, _ := refNorm(xv, c.x, func(pos []int) int { return pos[0]*groups + pos[1]/per }, true, eps, func(pos []int, v float64) float64 {
				return v*sv[param(pos)] + bv[param(pos)]
			})
			attrs := []*onnx.Attribute{opstest.Float("epsilon", eps)}
			if c.groups > 0 {
				attrs = append(attrs, opstest.Int("num_groups", c.groups))
			}
			op, err := ops.Build(opstest.NodeOf(c.op, ins, 1, attrs...), c.opset)
			if err != nil {
				t.Fatal(err)
			}
			got, err := opstest.Exec(op, ins, nil, opstest.Par{N: 2})
			if err != nil {
				t.Fatalf("%s-%d %v: %v", c.op, c.opset, c.x, err)
			}
			closeTo(t, c.op, valuesOf(got[0]), want, 1e-5)
		}
	}
}

func TestNormErrors(t *testing.T) {
	f := func(s ...int) *ops.Tensor { return ops.New(onnx.Float, s...) }
	for _, c := range []struct {
		op    string
		opset int
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{"LayerNormalization", 17, []*ops.Tensor{f(2, 3), f(2)}, nil, "Scale"},
		{"LayerNormalization", 17, []*ops.Tensor{f(2, 3), f(3), f(4)}, nil, "\"B\""},
		{"LayerNormalization", 17, []*ops.Tensor{f(2, 3), f(3)}, []*onnx.Attribute{opstest.Int("axis", 2)}, "axis"},
		{"LayerNormalization", 17, []*ops.Tensor{f(2, 3), f(3)}, []*onnx.Attribute{opstest.Int("stash_type", 7)}, "stash_type"},
		{"RMSNormalization", 23, []*ops.Tensor{f(2, 3), f(1, 2, 3)}, nil, "scale"},
		{"InstanceNormalization", 22, []*ops.Tensor{f(2, 3, 4), f(2), f(3)}, nil, "scale"},
		{"InstanceNormalization", 22, []*ops.Tensor{f(2), f(2), f(2)}, nil, "\"X\""},
		{"GroupNormalization", 21, []*ops.Tensor{f(2, 6, 4), f(6), f(6)}, nil, "num_groups"},
		{"GroupNormalization", 21, []*ops.Tensor{f(2, 6, 4), f(6), f(6)}, []*onnx.Attribute{opstest.Int("num_groups", 4)}, "divide"},
		{"GroupNormalization", 18, []*ops.Tensor{f(2, 6, 4), f(6), f(6)}, []*onnx.Attribute{opstest.Int("num_groups", 3)}, "want [3]"},
	} {
		op, err := ops.Build(opstest.NodeOf(c.op, c.ins, 1, c.attrs...), c.opset)
		if err == nil {
			_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: error %v, want one naming %s", c.op, c.attrs, err, c.want)
		}
	}
	i8 := ops.New(onnx.Int8, 2, 3)
	op, err := ops.Build(opstest.NodeOf("LayerNormalization", []*ops.Tensor{i8, i8}, 1), 17)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opstest.Exec(op, []*ops.Tensor{i8, i8}, nil, ops.Serial{}); err == nil || errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("int8 X: error %v, want an invalid-type error", err)
	}
}

// A NaN poisons its own row's statistics only.
func TestLayerNormNaN(t *testing.T) {
	x := ops.FromF32([]float32{1, float32(math.NaN()), 3, 1, 2, 3}, 2, 3)
	s := ops.FromF32([]float32{1, 1, 1}, 3)
	op, err := ops.Build(opstest.NodeOf("LayerNormalization", []*ops.Tensor{x, s}, 1), 17)
	if err != nil {
		t.Fatal(err)
	}
	got, err := opstest.Exec(op, []*ops.Tensor{x, s}, nil, ops.Serial{})
	if err != nil {
		t.Fatal(err)
	}
	y := got[0].F32()
	for i := range 3 {
		if !math.IsNaN(float64(y[i])) {
			t.Errorf("row 0 element %d = %v, want NaN", i, y[i])
		}
	}
	opstest.Close(t, "row 1", y[3:], []float32{-1.2247357, 0, 1.2247357}, 1e-5, 1e-5)
}

func TestNormNodeTests(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    int
	}{
		{"test_layer_normalization*", 19},
		{"test_rms_normalization*", 19},
		{"test_instancenorm*", 2},
		{"test_group_normalization*", 2},
	} {
		if n := opstest.AllNodeTests(t, c.pattern); n != c.want {
			t.Errorf("%s: %d node tests passed, want %d", c.pattern, n, c.want)
		}
	}
}

func TestLpNormAndMVNNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_lpnormalization*"); n != 1 {
		t.Errorf("%d LpNormalization node tests passed, want 1", n)
	}
	if n := opstest.AllNodeTests(t, "test_mvn*"); n != 1 {
		t.Errorf("%d MeanVarianceNormalization node tests passed, want 1", n)
	}
}

func TestLpNormReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct {
		shape []int
		axis  int
	}{{[]int{3, 5}, -1}, {[]int{2, 7, 3}, 1}, {[]int{4, 2, 3}, 0}, {[]int{2, 0, 3}, 1}} {
		for _, p := range []int{1, 2} {
			for _, dt := range []onnx.DataType{onnx.Float, onnx.Double} {
				xv := randValues(rng, ops.NumElems(c.shape), 0)
				axis := c.axis
				if axis < 0 {
					axis += len(c.shape)
				}
				if len(xv) > 0 { // one vector of zeros stays zero
					for k := range c.shape[axis] {
						xv[k*ops.NumElems(c.shape[axis+1:])] = 0
					}
				}
				want := make([]float64, len(xv))
				pos := make([]int, len(c.shape))
				for i := range xv {
					opstest.Unflatten(i, c.shape, pos)
					var norm float64
					q := append([]int(nil), pos...)
					for k := range c.shape[axis] {
						q[axis] = k
						v := xv[key(q, c.shape)]
						norm += math.Pow(math.Abs(v), float64(p))
					}
					norm = math.Pow(norm, 1/float64(p))
					if norm != 0 {
						want[i] = xv[i] / norm
					}
				}
				x := tensorOf(dt, xv, c.shape...)
				op, err := ops.Build(opstest.NodeOf("LpNormalization", []*ops.Tensor{x}, 1, opstest.Int("axis", c.axis), opstest.Int("p", p)), 22)
				if err != nil {
					t.Fatal(err)
				}
				got, err := opstest.Exec(op, []*ops.Tensor{x}, nil, opstest.Par{N: 2})
				if err != nil {
					t.Fatal(err)
				}
				closeTo(t, "LpNormalization", valuesOf(got[0]), want, 1e-6)
			}
		}
	}
	x := ops.New(onnx.Float, 2, 2)
	if _, err := ops.Build(opstest.NodeOf("LpNormalization", []*ops.Tensor{x}, 1, opstest.Int("p", 3)), 22); err == nil || !strings.Contains(err.Error(), "\"p\"") {
		t.Errorf("p=3: error %v, want one naming p", err)
	}
}

// key is the row-major offset of pos in shape.
func key(pos, shape []int) int {
	k := 0
	for i, d := range shape {
		k = k*d + pos[i]
	}
	return k
}

func TestMVNReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range []struct {
		shape []int
		axes  []int // nil: default
	}{
		{[]int{3, 4, 5, 2}, nil},
		{[]int{2, 3, 4}, []int{1}},
		{[]int{2, 3, 4}, []int{0, -1}},
		{[]int{2, 3, 4, 5}, []int{0, 1, 2, 3}},
		{[]int{5, 300}, []int{0}},
	} {
		for _, dt := range []onnx.DataType{onnx.Float, onnx.Double} {
			xv := randValues(rng, ops.NumElems(c.shape), 7)
			reduced := make([]bool, len(c.shape))
			axes := c.axes
			if axes == nil {
				axes = []int{0, 2, 3}
			}
			for _, a := range axes {
				reduced[(a+len(c.shape))%len(c.shape)] = true
			}
			stat := append([]int(nil), c.shape...)
			for a, r := range reduced {
				if r {
					stat[a] = 1
				}
			}
			want, _, _ := refNorm(xv, c.shape, func(pos []int) int {
				q := append([]int(nil), pos...)
				for a, r := range reduced {
					if r {
						q[a] = 0
					}
				}
				return key(q, stat)
			}, true, 0, func(_ []int, v float64) float64 { return v })
			x := tensorOf(dt, xv, c.shape...)
			var attrs []*onnx.Attribute
			if c.axes != nil {
				attrs = append(attrs, opstest.Ints("axes", c.axes...))
			}
			op, err := ops.Build(opstest.NodeOf("MeanVarianceNormalization", []*ops.Tensor{x}, 1, attrs...), 13)
			if err != nil {
				t.Fatal(err)
			}
			got, err := opstest.Exec(op, []*ops.Tensor{x}, nil, opstest.Par{N: 3})
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "MeanVarianceNormalization", valuesOf(got[0]), want, 1e-5)
		}
	}
	x := ops.New(onnx.Float, 2, 2)
	op, _ := ops.Build(opstest.NodeOf("MeanVarianceNormalization", []*ops.Tensor{x}, 1, opstest.Ints("axes", 0, 0)), 13)
	if _, err := opstest.Exec(op, []*ops.Tensor{x}, nil, ops.Serial{}); err == nil || !strings.Contains(err.Error(), "axes") {
		t.Errorf("repeated axes: error %v, want one naming axes", err)
	}
}
