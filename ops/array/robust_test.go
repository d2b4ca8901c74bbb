package array

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
	_ "github.com/edgeinfer/edgeinfer/ops/random" // the family's generators
	_ "github.com/edgeinfer/edgeinfer/ops/text"   // and TfIdfVectorizer
)

// robustCases lists the operators of this family (and of ops/random and
// ops/text) that TestHostileNodes builds with random attributes and runs
// on random inputs: the opsets to try, the inputs and outputs a node may
// have and the attributes it may get.
var robustCases = []struct {
	op         string
	opsets     []int
	nIn, nOut  int
	attributes []string
}{
	{"Expand", []int{8, 13}, 2, 1, nil},
	{"Tile", []int{1, 6, 13}, 3, 1, nil},
	{"Range", []int{11, 27}, 3, 1, nil},
	{"Gather", []int{1, 11, 13}, 2, 1, []string{"axis"}},
	{"GatherElements", []int{11, 13}, 2, 1, []string{"axis"}},
	{"GatherND", []int{11, 12, 13}, 2, 1, []string{"batch_dims"}},
	{"Scatter", []int{9, 11}, 3, 1, []string{"axis"}},
	{"ScatterElements", []int{11, 16, 18}, 3, 1, []string{"axis", "reduction"}},
	{"ScatterND", []int{11, 16, 18}, 3, 1, []string{"reduction"}},
	{"TensorScatter", []int{24}, 3, 1, []string{"axis", "mode"}},
	{"OneHot", []int{9, 11}, 3, 1, []string{"axis"}},
	{"NonZero", []int{9, 13}, 1, 1, nil},
	{"Compress", []int{9, 11}, 2, 1, []string{"axis"}},
	{"Unique", []int{11}, 1, 4, []string{"axis", "sorted"}},
	{"Trilu", []int{14}, 2, 1, []string{"upper"}},
	{"DepthToSpace", []int{1, 11, 13}, 1, 1, []string{"blocksize", "mode"}},
	{"SpaceToDepth", []int{1, 13}, 1, 1, []string{"blocksize"}},
	{"EyeLike", []int{9, 22}, 1, 1, []string{"k", "dtype"}},
	{"ReverseSequence", []int{10}, 2, 1, []string{"time_axis", "batch_axis"}},
	{"CenterCropPad", []int{18}, 2, 1, []string{"axes"}},
	{"Crop", []int{1}, 1, 1, []string{"border", "scale"}},
	{"OptionalHasElement", []int{15, 18}, 1, 1, nil},
	{"OptionalGetElement", []int{15, 18}, 1, 1, nil},
	{"GivenTensorFill", []int{1}, 1, 1, []string{"values", "shape", "extra_shape", "input_as_shape"}},
	{"Dropout", []int{7, 12, 13}, 3, 2, []string{"seed"}},
	{"Split", []int{1, 2, 13, 18}, 2, 2, []string{"axis", "split", "num_outputs"}},
	{"Pad", []int{1, 2, 11, 18}, 4, 1, []string{"mode", "pads", "paddings"}},
	{"RandomUniform", []int{1, 22}, 0, 1, []string{"shape", "dtype", "low", "high"}},
	{"RandomNormalLike", []int{1, 22}, 1, 1, []string{"dtype", "seed"}},
	{"Bernoulli", []int{15, 22}, 1, 1, []string{"dtype"}},
	{"Multinomial", []int{7, 22}, 1, 1, []string{"sample_size", "dtype"}},
	{"TfIdfVectorizer", []int{9}, 1, 1, []string{"tfidf"}},
}

// hostileInt is a small integer or, now and then, an extreme one.
func hostileInt(rng *rand.Rand) int64 {
	if rng.IntN(10) == 0 {
		return []int64{math.MaxInt64, math.MinInt64, math.MaxInt32, 1 << 40, -(1 << 40)}[rng.IntN(5)]
	}
	return int64(rng.IntN(9) - 4)
}

// hostileTensor is a tensor of rank 0 to 3 (dims 0 to 3) of a random type
// holding small, extreme or (floats) NaN and infinite values.
func hostileTensor(rng *rand.Rand) *ops.Tensor {
	shape := make([]int, rng.IntN(4))
	for i := range shape {
		shape[i] = rng.IntN(4)
	}
	types := []ops.DType{onnx.Float, onnx.Double, onnx.Int64, onnx.Int32, onnx.Int16, onnx.Uint8, onnx.Bool}
	t := ops.New(types[rng.IntN(len(types))], shape...)
	es := ops.ElemSize(t.Type)
	for i := range t.Len() {
		v := float64(hostileInt(rng))
		if rng.IntN(20) == 0 && ops.IsFloat(t.Type) {
			v = []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[rng.IntN(3)]
		}
		if t.Type == onnx.Int64 {
			t.I64()[i] = hostileInt(rng)
			continue
		}
		putElem(t.Type, t.Data[i*es:], v)
	}
	return t
}

// hostileAttrs is a random value for the attribute name.
func hostileAttrs(rng *rand.Rand, name string) []*onnx.Attribute {
	ints := func() []int64 {
		v := make([]int64, rng.IntN(5))
		for i := range v {
			v[i] = hostileInt(rng)
		}
		return v
	}
	switch name {
	case "reduction":
		return []*onnx.Attribute{opstest.AttrS(name, []string{"none", "add", "mul", "max", "min", "sum"}[rng.IntN(6)])}
	case "mode":
		return []*onnx.Attribute{opstest.AttrS(name, []string{"DCR", "CRD", "linear", "circular", "edge", "reflect", "wrap"}[rng.IntN(7)])}
	case "axes", "border", "scale", "shape", "extra_shape", "split", "pads", "paddings":
		return []*onnx.Attribute{opstest.AttrIs(name, ints()...)}
	case "values":
		return []*onnx.Attribute{{Name: name, Type: onnx.AttrFloats, Floats: make([]float32, rng.IntN(5))}}
	case "low", "high":
		return []*onnx.Attribute{opstest.AttrF(name, float32(hostileInt(rng)))}
	case "dtype":
		return []*onnx.Attribute{opstest.AttrI(name, int64(rng.IntN(28)))}
	case "tfidf":
		return []*onnx.Attribute{opstest.AttrS("mode", "TF"), opstest.AttrI("min_gram_length", hostileInt(rng)),
			opstest.AttrI("max_gram_length", hostileInt(rng)), opstest.AttrI("max_skip_count", hostileInt(rng)),
			opstest.AttrIs("ngram_counts", ints()...), opstest.AttrIs("ngram_indexes", ints()...), opstest.AttrIs("pool_int64s", ints()...)}
	}
	return []*onnx.Attribute{opstest.AttrI(name, hostileInt(rng))}
}

// TestHostileNodes builds nodes with random attributes, infers them on
// random constant inputs (omitted now and then) and runs those that infer,
// when their outputs are small: whatever the values, an operator must
// return an error rather than panic or loop, and give no negative dim.
func TestHostileNodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	ran := 0
	for iter := range 30000 {
		c := robustCases[iter%len(robustCases)]
		var attrs []*onnx.Attribute
		for _, a := range c.attributes {
			if rng.IntN(2) == 0 {
				attrs = append(attrs, hostileAttrs(rng, a)...)
			}
		}
		in := make([]*ops.Tensor, rng.IntN(c.nIn+1))
		for i := range in {
			if rng.IntN(8) > 0 {
				in[i] = hostileTensor(rng)
			}
		}
		opset := c.opsets[rng.IntN(len(c.opsets))]
		label := fmt.Sprintf("%s-%d with %d attributes on %v", c.op, opset, len(attrs), in)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", label, r)
				}
			}()
			op, err := ops.Build(opstest.EwNode(c.op, in, c.nOut, attrs...), opset)
			if err != nil {
				return
			}
			vals := ops.ConstValues(in)
			outV, err := op.Infer(vals)
			if err != nil {
				return
			}
			outs := make([]*ops.Tensor, len(outV))
			for i, v := range outV {
				n := 1
				for _, d := range v.Shape {
					if d < 0 {
						t.Errorf("%s: output %d has shape %v", label, i, v.Shape)
						return
					}
					if d > 0 && n > (1<<16)/d {
						return // too large: the runtime's limits refuse it
					}
					n *= d
				}
				outs[i] = ops.New(v.Type, v.Shape...)
			}
			ran++
			_ = op.Run(&ops.Ctx{Par: opstest.StepPar{Step: 2}}, in, outs)
		}()
	}
	if ran < 2000 {
		t.Errorf("only %d of the random nodes inferred and ran", ran)
	}
}
