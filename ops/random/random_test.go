package random

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// The generators' values are implementation-defined, so these tests check
// properties: ranges, moments over many samples (within 5 standard errors,
// a false alarm about once in 3.5 million runs), determinism for a seed
// and its independence of the thread count.

// run builds op at opset with attributes and runs it twice: serially and
// on concurrent chunks. It fails t unless both give the same output when
// the node is seeded, and returns the serial one.
func run(t *testing.T, op string, opset int, attrs []*onnx.Attribute, in ...*ops.Tensor) *ops.Tensor {
	t.Helper()
	n := opstest.Node(op, opstest.InNames(len(in)), 1, attrs...)
	built, err := ops.Build(n, opset)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]ops.Value, len(in))
	for i, x := range in {
		vals[i] = ops.Value{Type: x.Type, Shape: x.Shape, Const: x}
	}
	outV, err := built.Infer(vals)
	if err != nil {
		t.Fatal(err)
	}
	var outs [2]*ops.Tensor
	for i, par := range []ops.Parallel{ops.Serial{}, opstest.ChunkPar{Size: 1}} {
		outs[i] = ops.New(outV[0].Type, outV[0].Shape...)
		if err := built.Run(&ops.Ctx{Par: par}, in, []*ops.Tensor{outs[i]}); err != nil {
			t.Fatal(err)
		}
	}
	seeded := false
	for _, a := range attrs {
		seeded = seeded || a.Name == "seed"
	}
	if eq := bytes.Equal(outs[0].Data, outs[1].Data); seeded != eq {
		t.Errorf("%s with attributes %v: serial and concurrent runs equal: %v", op, attrs, eq)
	}
	return outs[0]
}

// widen returns the elements of a float tensor as float64.
func widen(y *ops.Tensor) []float64 {
	if y.Type == onnx.Double {
		return ops.Elems[float64](y)
	}
	return opstest.WidenF64(ops.Elems[float32](y))
}

// moments is the mean and variance of v.
func moments(v []float64) (mean, variance float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(v))
}

func TestRandomNormal(t *testing.T) {
	const n = 20000 // several blocks of ops.RandomBlock
	for _, c := range []struct {
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		dt    ops.DType
	}{
		{"RandomNormal", 1, []*onnx.Attribute{opstest.AttrIs("shape", 100, n/100), opstest.AttrF("mean", 3), opstest.AttrF("scale", 2), opstest.AttrF("seed", 1)}, nil, onnx.Float},
		{"RandomNormal", 22, []*onnx.Attribute{opstest.AttrIs("shape", n), opstest.AttrF("mean", -1), opstest.AttrF("scale", 0.5), opstest.AttrI("dtype", int64(onnx.Double))}, nil, onnx.Double},
		{"RandomNormalLike", 22, []*onnx.Attribute{opstest.AttrF("mean", 10), opstest.AttrF("scale", 3), opstest.AttrF("seed", 7)}, []*ops.Tensor{ops.New(onnx.Double, 4, n/4)}, onnx.Double},
		{"RandomNormalLike", 1, []*onnx.Attribute{opstest.AttrI("dtype", int64(onnx.Float16)), opstest.AttrF("seed", 2)}, []*ops.Tensor{ops.New(onnx.Int8, n)}, onnx.Float},
	} {
		label := fmt.Sprintf("%s-%d %v", c.op, c.opset, c.attrs)
		y := run(t, c.op, c.opset, c.attrs, c.in...)
		if y.Type != c.dt || y.Len() != n {
			t.Errorf("%s: got %v, want %s with %d elements", label, y, ops.TypeName(c.dt), n)
			continue
		}
		mean, scale := 0.0, 1.0
		for _, a := range c.attrs {
			switch a.Name {
			case "mean":
				mean = float64(a.F)
			case "scale":
				scale = float64(a.F)
			}
		}
		m, v := moments(widen(y))
		// The sample variance's standard error is about sigma^2*sqrt(2/n).
		if math.Abs(m-mean) > 5*scale/math.Sqrt(n) || math.Abs(v-scale*scale) > 5*scale*scale*math.Sqrt(2.0/n) {
			t.Errorf("%s: mean %g variance %g, want %g and %g", label, m, v, mean, scale*scale)
		}
	}
	// Float16 values are rounded to float16.
	y := run(t, "RandomNormal", 22, []*onnx.Attribute{opstest.AttrIs("shape", 1000), opstest.AttrI("dtype", int64(onnx.Float16)), opstest.AttrF("seed", 3)})
	for _, v := range y.F32() {
		if onnx.F16ToF32(onnx.F32ToF16(v)) != v {
			t.Fatalf("float16 RandomNormal gave %g, not a float16 value", v)
		}
	}
}

func TestRandomUniform(t *testing.T) {
	const n = 20000
	for _, c := range []struct {
		op        string
		low, high float32
		dtype     onnx.DataType
		like      *ops.Tensor
	}{
		{"RandomUniform", 0, 1, onnx.Float, nil},
		{"RandomUniform", -3, 5, onnx.Double, nil},
		{"RandomUniformLike", 2, 2.5, onnx.Undefined, ops.New(onnx.Float, n)},
		{"RandomUniformLike", 1, 1.0009765625, onnx.Float16, ops.New(onnx.Int32, n)}, // two float16 values apart
		{"RandomUniformLike", 10, 20, onnx.BFloat16, ops.New(onnx.Double, n)},
		{"RandomUniform", -4, 1e6, onnx.Float16, nil}, // high past float16's range: most draws round up to it
	} {
		attrs := []*onnx.Attribute{opstest.AttrF("low", c.low), opstest.AttrF("high", c.high), opstest.AttrF("seed", 9)}
		if c.dtype != onnx.Undefined {
			attrs = append(attrs, opstest.AttrI("dtype", int64(c.dtype)))
		}
		var in []*ops.Tensor
		if c.like != nil {
			in = append(in, c.like)
		} else {
			attrs = append(attrs, opstest.AttrIs("shape", n))
		}
		label := fmt.Sprintf("%s [%g, %g) as %s", c.op, c.low, c.high, c.dtype)
		v := widen(run(t, c.op, 22, attrs, in...))
		lo, hi := float64(c.low), float64(c.high)
		for _, x := range v {
			if x < lo || x >= hi {
				t.Fatalf("%s: drew %g", label, x)
			}
		}
		if c.dtype == onnx.Float16 {
			continue // only two values: their frequencies depend on rounding
		}
		m, s := moments(v)
		w := (hi - lo) * (hi - lo) / 12
		if math.Abs(m-(lo+hi)/2) > 5*math.Sqrt(w/n) || math.Abs(s-w) > 5*w*math.Sqrt(0.8/n) {
			t.Errorf("%s: mean %g variance %g, want %g and %g", label, m, s, (lo+hi)/2, w)
		}
	}
}

func TestSeeds(t *testing.T) {
	attrs := func(seed ...float32) []*onnx.Attribute {
		a := []*onnx.Attribute{opstest.AttrIs("shape", 5000)}
		for _, s := range seed {
			a = append(a, opstest.AttrF("seed", s))
		}
		return a
	}
	a, b := run(t, "RandomUniform", 22, attrs(1)), run(t, "RandomUniform", 22, attrs(1))
	opstest.WantTensor(t, "seed 1 twice", b, a)
	if c := run(t, "RandomUniform", 22, attrs(1.5)); bytes.Equal(c.Data, a.Data) {
		t.Error("seeds 1 and 1.5 drew the same values")
	}
	if c, d := run(t, "RandomUniform", 22, attrs()), run(t, "RandomUniform", 22, attrs()); bytes.Equal(c.Data, d.Data) {
		t.Error("two unseeded runs drew the same values")
	}
}

func TestBernoulli(t *testing.T) {
	const n = 10000
	p := ops.New(onnx.Float, n)
	for i := range p.F32() {
		p.F32()[i] = []float32{0, 0.25, 0.9, 1}[i%4]
	}
	for _, dt := range []onnx.DataType{onnx.Undefined, onnx.Bool, onnx.Int64, onnx.Uint8, onnx.Double} {
		attrs := []*onnx.Attribute{opstest.AttrF("seed", 5)}
		want := dt
		if dt == onnx.Undefined {
			want = onnx.Float
		} else {
			attrs = append(attrs, opstest.AttrI("dtype", int64(dt)))
		}
		y := run(t, "Bernoulli", 15, attrs, p)
		if y.Type != want {
			t.Errorf("dtype %s: got %s", dt, ops.TypeName(y.Type))
			continue
		}
		var ones [4]float64
		es := ops.ElemSize(y.Type)
		for i := range n {
			switch v := y.Data[i*es : (i+1)*es]; {
			case bytes.Equal(v, make([]byte, es)):
			case y.Type == onnx.Float && ops.View[float32](v)[0] == 1, y.Type == onnx.Double && ops.View[float64](v)[0] == 1,
				!ops.IsFloat(y.Type) && v[0] == 1 && bytes.Equal(v[1:], make([]byte, es-1)):
				ones[i%4]++
			default:
				t.Fatalf("dtype %s: element %d is %v, neither 0 nor 1", dt, i, v)
			}
		}
		for k, q := range []float64{0, 0.25, 0.9, 1} {
			if f := ones[k] / (n / 4); math.Abs(f-q) > 5*math.Sqrt(q*(1-q)/(n/4))+1e-12 {
				t.Errorf("dtype %s: p=%g gave ones at rate %g", dt, q, f)
			}
		}
	}
	for _, bad := range []float32{-0.1, 1.5, float32(math.NaN())} {
		_, err := opstest.Eval(opstest.Node("Bernoulli", opstest.InNames(1), 1), 22, opstest.F32s(0.5, bad))
		opstest.WantErr(t, fmt.Sprintf("probability %g", bad), err, "element 1", "want a probability in [0, 1]")
	}
	_, err := opstest.Eval(opstest.Node("Bernoulli", opstest.InNames(1), 1), 22, opstest.I64s(1))
	opstest.WantErr(t, "int64 probabilities", err, "want float32 or float64")
}

func TestMultinomial(t *testing.T) {
	const samples = 20000
	// Row 0: classes weighted 1:2:0:5 (log-probabilities, shifted by 7 to
	// check the normalization); row 1 certain of class 1.
	logp := opstest.WithShape(opstest.F32s(7, 7+float32(math.Log(2)), float32(math.Inf(-1)), 7+float32(math.Log(5)),
		float32(math.Inf(-1)), -300, float32(math.Inf(-1)), float32(math.Inf(-1))), 2, 4)
	for _, dt := range []onnx.DataType{onnx.Undefined, onnx.Int64} {
		attrs := []*onnx.Attribute{opstest.AttrI("sample_size", samples), opstest.AttrF("seed", 11)}
		if dt != onnx.Undefined {
			attrs = append(attrs, opstest.AttrI("dtype", int64(dt)))
		}
		y := run(t, "Multinomial", 7, attrs, logp)
		if !ops.SameShape(y.Shape, []int{2, samples}) || (dt == onnx.Undefined) != (y.Type == onnx.Int32) {
			t.Fatalf("dtype %s: got %v", dt, y)
		}
		var counts [2][4]float64
		for i := range 2 * samples {
			c := elemAt(y, i)
			if c < 0 || c > 3 {
				t.Fatalf("sample %d is class %d", i, c)
			}
			counts[i/samples][c]++
		}
		for c, w := range []float64{1, 2, 0, 5} {
			q := w / 8
			if f := counts[0][c] / samples; math.Abs(f-q) > 5*math.Sqrt(q*(1-q)/samples)+1e-12 {
				t.Errorf("class %d drawn at rate %g, want %g", c, f, q)
			}
		}
		if counts[1][1] != samples {
			t.Errorf("the certain row drew %v", counts[1])
		}
	}
	for _, c := range []struct {
		name string
		x    *ops.Tensor
		err  string
	}{
		{"NaN", opstest.WithShape(opstest.F32s(0, float32(math.NaN())), 1, 2), "want finite log-probabilities"},
		{"+Inf", opstest.WithShape(opstest.F32s(float32(math.Inf(1)), 0), 1, 2), "want finite log-probabilities"},
		{"all -Inf", opstest.WithShape(opstest.F32s(float32(math.Inf(-1)), float32(math.Inf(-1))), 1, 2), "no outcome"},
		{"1-D", opstest.F32s(0, 1), "want [batch, classes]"},
	} {
		_, err := opstest.Eval(opstest.Node("Multinomial", opstest.InNames(1), 1), 22, c.x)
		opstest.WantErr(t, c.name, err, c.err)
	}
	_, err := ops.Build(opstest.Node("Multinomial", opstest.InNames(1), 1, opstest.AttrI("dtype", int64(onnx.Float))), 22)
	opstest.WantErr(t, "float dtype", err, "want int32 or int64")
}

// elemAt reads element i of an int32 or int64 tensor.
func elemAt(y *ops.Tensor, i int) int64 {
	if y.Type == onnx.Int64 {
		return y.I64()[i]
	}
	return int64(y.I32()[i])
}

func TestAttributeErrors(t *testing.T) {
	for _, c := range []struct {
		name, op string
		attrs    []*onnx.Attribute
		err      string
	}{
		{"no shape", "RandomNormal", nil, "\"shape\" is required"},
		{"negative shape", "RandomUniform", []*onnx.Attribute{opstest.AttrIs("shape", 2, -1)}, "negative entry"},
		{"int dtype", "RandomNormal", []*onnx.Attribute{opstest.AttrIs("shape", 2), opstest.AttrI("dtype", int64(onnx.Int32))}, "want a floating-point type"},
		{"string dtype", "Bernoulli", []*onnx.Attribute{opstest.AttrI("dtype", int64(onnx.String))}, "unsupported"},
		{"low above high", "RandomUniform", []*onnx.Attribute{opstest.AttrIs("shape", 2), opstest.AttrF("low", 2), opstest.AttrF("high", 1)}, "low at most high"},
		{"sample size", "Multinomial", []*onnx.Attribute{opstest.AttrI("sample_size", 0)}, "want a positive count"},
	} {
		_, err := ops.Build(opstest.Node(c.op, nil, 1, c.attrs...), 22)
		opstest.WantErr(t, c.name, err, c.err)
	}
	_, err := opstest.Eval(opstest.Node("RandomUniformLike", opstest.InNames(1), 1), 22, opstest.I64s(1))
	opstest.WantErr(t, "int input without dtype", err, "want a floating-point type")
}

func TestChangelogVersions(t *testing.T) {
	opstest.WantChangelogVersions(t, "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial")
}
