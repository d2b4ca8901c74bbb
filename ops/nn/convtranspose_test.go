package nn

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// refConvTranspose scatters every input value times every tap into the
// output: y[b][g*mg+m][i*s + k*d - pad] += x[b][g*cg+c][i] * w[g*cg+c][m][k],
// the output of shape out, one spatial axis per entry of in.
func refConvTranspose(x, w, bias []float32, batch, c, mg, group int, in, k, s, d, pad, out []int) []float32 {
	cg := c / group
	m := mg * group
	nIn, nK, nOut := ops.NumElems(in), ops.NumElems(k), ops.NumElems(out)
	y := make([]float32, batch*m*nOut)
	for b := range batch {
		for oc := range m {
			for o := range nOut {
				if bias != nil {
					y[(b*m+oc)*nOut+o] = bias[oc]
				}
			}
		}
	}
	ip, kp := make([]int, len(in)), make([]int, len(k))
	for b := range batch {
		for ic := range c {
			g := ic / cg
			for i := range nIn {
				opstest.Unflatten(i, in, ip)
				xv := x[(b*c+ic)*nIn+i]
				for t := range nK {
					opstest.Unflatten(t, k, kp)
					o, inside := 0, true
					for a := range in {
						p := ip[a]*s[a] + kp[a]*d[a] - pad[a]
						inside = inside && p >= 0 && p < out[a]
						o = o*out[a] + p
					}
					if !inside {
						continue
					}
					for mm := range mg {
						y[(b*m+g*mg+mm)*nOut+o] += xv * w[(ic*mg+mm)*nK+t]
					}
				}
			}
		}
	}
	return y
}

func TestConvTransposeReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type tc struct {
		batch, c, mg, group  int
		in, k, s, d, padB    []int
		padE, outPad, oShape []int // pads end, output_padding, output_shape (nil: absent)
		autoPad              string
		bias                 bool
	}
	for _, c := range []tc{
		{batch: 1, c: 1, mg: 2, group: 1, in: []int{3, 3}, k: []int{3, 3}},
		{batch: 2, c: 4, mg: 3, group: 2, in: []int{5, 4}, k: []int{3, 2}, s: []int{2, 3}, bias: true},
		{batch: 1, c: 3, mg: 5, group: 1, in: []int{7}, k: []int{4}, s: []int{3}, d: []int{2}, padB: []int{2}, padE: []int{1}, outPad: []int{1}},
		{batch: 2, c: 2, mg: 2, group: 2, in: []int{3, 4, 5}, k: []int{2, 3, 2}, s: []int{1, 2, 2}, bias: true},
		{batch: 1, c: 5, mg: 7, group: 1, in: []int{9, 11}, k: []int{5, 5}, s: []int{2, 2}, d: []int{1, 2}, padB: []int{3, 1}, padE: []int{2, 4}},
		{batch: 1, c: 2, mg: 1, group: 1, in: []int{4, 5}, k: []int{3, 3}, s: []int{2, 3}, oShape: []int{10, 16}, bias: true},
		{batch: 1, c: 2, mg: 1, group: 1, in: []int{4, 5}, k: []int{3, 3}, s: []int{2, 3}, oShape: []int{7, 12}},
		{batch: 1, c: 3, mg: 2, group: 1, in: []int{5, 6}, k: []int{3, 4}, s: []int{2, 2}, autoPad: "SAME_UPPER"},
		{batch: 1, c: 3, mg: 2, group: 1, in: []int{5, 6}, k: []int{3, 4}, s: []int{2, 2}, autoPad: "SAME_LOWER"},
		{batch: 1, c: 3, mg: 2, group: 3, in: []int{5, 6}, k: []int{3, 3}, s: []int{1, 1}, autoPad: "VALID", outPad: []int{0, 0}},
		{batch: 1, c: 64, mg: 70, group: 1, in: []int{33, 35}, k: []int{4, 4}, s: []int{2, 2}, padB: []int{1, 1}, padE: []int{1, 1}, bias: true}, // several tiles
	} {
		nd := len(c.in)
		ones := func(v []int) []int {
			if v != nil {
				return v
			}
			o := make([]int, nd)
			for i := range o {
				o[i] = 1
			}
			return o
		}
		zeros := func(v []int) []int {
			if v != nil {
				return v
			}
			return make([]int, nd)
		}
		s, d, outPad := ones(c.s), ones(c.d), zeros(c.outPad)
		padB, padE := zeros(c.padB), zeros(c.padE)
		out := make([]int, nd)
		for i := range nd {
			full := s[i]*(c.in[i]-1) + outPad[i] + (c.k[i]-1)*d[i] + 1
			switch {
			case c.oShape != nil || c.autoPad == "SAME_UPPER" || c.autoPad == "SAME_LOWER":
				out[i] = c.in[i] * s[i]
				if c.oShape != nil {
					out[i] = c.oShape[i]
				}
				total := full - out[i]
				small := floorDiv(total, 2)
				padB[i] = total - small
				if c.autoPad == "SAME_UPPER" {
					padB[i] = small
				}
			default:
				out[i] = full - padB[i] - padE[i]
			}
		}
		xs := append([]int{c.batch, c.c}, c.in...)
		ws := append([]int{c.c, c.mg}, c.k...)
		x, w := opstest.Rand(rng, xs...), opstest.Rand(rng, ws...)
		ins := []*ops.Tensor{x, w}
		var bias []float32
		if c.bias {
			b := opstest.Rand(rng, c.mg*c.group)
			bias = b.F32()
			ins = append(ins, b)
		}
		want := refConvTranspose(x.F32(), w.F32(), bias, c.batch, c.c, c.mg, c.group, c.in, c.k, s, d, padB, out)
		attrs := []*onnx.Attribute{opstest.Int("group", c.group)}
		if c.s != nil {
			attrs = append(attrs, opstest.Ints("strides", c.s...))
		}
		if c.d != nil {
			attrs = append(attrs, opstest.Ints("dilations", c.d...))
		}
		if c.padB != nil {
			attrs = append(attrs, opstest.Ints("pads", append(append([]int(nil), c.padB...), c.padE...)...))
		}
		if c.outPad != nil {
			attrs = append(attrs, opstest.Ints("output_padding", c.outPad...))
		}
		if c.oShape != nil {
			attrs = append(attrs, opstest.Ints("output_shape", c.oShape...))
		}
		if c.autoPad != "" {
			attrs = append(attrs, opstest.String("auto_pad", c.autoPad))
		}
		for _, consts := range []map[int]bool{nil, {1: true}} {
			op, err := ops.Build(opstest.NodeOf("ConvTranspose", ins, 1, attrs...), 22)
			if err != nil {
				t.Fatal(err)
			}
			got, err := opstest.Exec(op, ins, consts, opstest.Par{N: 3})
			if err != nil {
				t.Fatalf("%+v: %v", c, err)
			}
			if wantShape := append([]int{c.batch, c.mg * c.group}, out...); !ops.SameShape(got[0].Shape, wantShape) {
				t.Fatalf("%+v: shape %v, want %v", c, got[0].Shape, wantShape)
			}
			opstest.Close(t, "ConvTranspose", got[0].F32(), want, 1e-4, 1e-5)
		}
	}
}

// Opset 1 splits odd padding the other way round.
func TestConvTransposeOpset1Padding(t *testing.T) {
	x := ops.FromF32([]float32{1, 2, 3}, 1, 1, 3)
	w := ops.FromF32([]float32{1, 10, 100}, 1, 1, 3)
	// Full output: 1, 12, 123, 230, 300; output_shape 4 cuts one position.
	for _, c := range []struct {
		opset   int
		autoPad string
		want    []float32
	}{
		{22, "NOTSET", []float32{12, 123, 230, 300}},
		{22, "SAME_UPPER", []float32{1, 12, 123, 230}},
		{1, "NOTSET", []float32{1, 12, 123, 230}},
		{1, "SAME_UPPER", []float32{12, 123, 230, 300}},
	} {
		attrs := []*onnx.Attribute{opstest.Ints("output_shape", 4)}
		if c.autoPad != "NOTSET" {
			attrs = append(attrs, opstest.String("auto_pad", c.autoPad))
		}
		ins := []*ops.Tensor{x, w}
		op, err := ops.Build(opstest.NodeOf("ConvTranspose", ins, 1, attrs...), c.opset)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(op, ins, nil, ops.Serial{})
		if err != nil {
			t.Fatal(err)
		}
		opstest.Close(t, "opset "+c.autoPad, got[0].F32(), c.want, 0, 0)
	}
}

func TestConvTransposeErrors(t *testing.T) {
	f := func(s ...int) *ops.Tensor { return ops.New(onnx.Float, s...) }
	for _, c := range []struct {
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{[]*ops.Tensor{f(1, 2, 3, 3), f(3, 1, 2, 2)}, nil, "input channels"},
		{[]*ops.Tensor{f(1, 3, 3, 3), f(3, 1, 2, 2)}, []*onnx.Attribute{opstest.Int("group", 2)}, "group"},
		{[]*ops.Tensor{f(1, 2, 3, 3), f(2, 1, 2, 2), f(3)}, nil, "\"B\""},
		{[]*ops.Tensor{f(1, 2, 3), f(2, 1, 2, 2)}, nil, "rank"},
		{[]*ops.Tensor{f(1, 2, 3, 3), f(2, 1, 2, 2)}, []*onnx.Attribute{opstest.Ints("strides", 2)}, "strides"},
		{[]*ops.Tensor{f(1, 2, 3, 3), f(2, 1, 2, 2)}, []*onnx.Attribute{opstest.Ints("output_padding", 1, 1)}, "output_padding"},
		{[]*ops.Tensor{f(1, 2, 3, 3), f(2, 1, 2, 2)}, []*onnx.Attribute{opstest.Ints("pads", 3, 3, 3, 3)}, "not positive"},
		{[]*ops.Tensor{f(1, 2, 3, 3), f(2, 1, 2, 2)}, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3)}, "kernel_shape"},
		{[]*ops.Tensor{f(1, 2, 3, 3), f(2, 1, 2, 2)}, []*onnx.Attribute{opstest.Ints("output_shape", 3)}, "output_shape"},
	} {
		op, err := ops.Build(opstest.NodeOf("ConvTranspose", c.ins, 1, c.attrs...), 22)
		if err == nil {
			_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %s", c.attrs, err, c.want)
		}
	}
}

func TestConvTransposeNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_convtranspose*"); n != 11 {
		t.Errorf("%d ConvTranspose node tests passed, want 11", n)
	}
}

// BenchmarkConvTranspose is a decoder's 2x upsampling: 64 to 32 channels,
// 4x4 kernel, stride 2, pad 1, from 56x56.
func BenchmarkConvTranspose(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	ins := []*ops.Tensor{opstest.Rand(rng, 1, 64, 56, 56), opstest.Rand(rng, 64, 32, 4, 4), opstest.Rand(rng, 32)}
	op, err := ops.Build(opstest.NodeOf("ConvTranspose", ins, 1, opstest.Ints("strides", 2, 2), opstest.Ints("pads", 1, 1, 1, 1)), 22)
	if err != nil {
		b.Fatal(err)
	}
	vals, ov, err := opstest.Prepare(op, ins, map[int]bool{1: true, 2: true})
	if err != nil {
		b.Fatal(err)
	}
	out := []*ops.Tensor{ops.New(ov[0].Type, ov[0].Shape...)}
	ctx := &ops.Ctx{Par: ops.Serial{}, Scratch: ops.AlignedBytes(op.(ops.Workspacer).Workspace(vals))}
	run, err := op.(ops.Binder).Bind(ctx, ins, out)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(2 * 64 * 32 * 16 * 56 * 56) // multiply-adds x2: "MB/s" reads as MFLOP/s
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
}
