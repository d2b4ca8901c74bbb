package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// refBilinear samples plane (h x w) at (y, x) with the four neighbours,
// those outside reading 0.
func refBilinear(plane []float32, h, w int, y, x float64) float64 {
	y0, x0 := math.Floor(y), math.Floor(x)
	var v float64
	for _, c := range [4][2]float64{{y0, x0}, {y0, x0 + 1}, {y0 + 1, x0}, {y0 + 1, x0 + 1}} {
		wt := (1 - math.Abs(y-c[0])) * (1 - math.Abs(x-c[1]))
		if c[0] >= 0 && c[0] < float64(h) && c[1] >= 0 && c[1] < float64(w) {
			v += wt * float64(plane[int(c[0])*w+int(c[1])])
		}
	}
	return v
}

func TestDeformConvReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, c := range []struct {
		batch, c, m, group, og int
		in, k, s, d, pads      []int
		bias, mask             bool
	}{
		{1, 1, 1, 1, 1, []int{3, 3}, []int{2, 2}, []int{1, 1}, []int{1, 1}, []int{0, 0, 0, 0}, false, false},
		{2, 4, 6, 2, 2, []int{7, 6}, []int{3, 2}, []int{2, 1}, []int{1, 2}, []int{1, 0, 2, 1}, true, true},
		{1, 3, 2, 1, 3, []int{9, 11}, []int{3, 3}, []int{1, 2}, []int{2, 1}, []int{2, 2, 2, 2}, true, false},
		{1, 2, 4, 2, 1, []int{30, 31}, []int{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1, 1, 1}, false, true},
	} {
		out := make([]int, 2)
		for a := range 2 {
			out[a] = (c.in[a]+c.pads[a]+c.pads[2+a]-((c.k[a]-1)*c.d[a]+1))/c.s[a] + 1
		}
		taps := c.k[0] * c.k[1]
		x := opstest.Rand(rng, c.batch, c.c, c.in[0], c.in[1])
		w := opstest.Rand(rng, c.m, c.c/c.group, c.k[0], c.k[1])
		offset := opstest.Rand(rng, c.batch, c.og*taps*2, out[0], out[1])
		for i := range offset.F32() {
			offset.F32()[i] *= 2.5 // reach past the borders
		}
		ins := []*ops.Tensor{x, w, offset, nil, nil}
		if c.bias {
			ins[3] = opstest.Rand(rng, c.m)
		}
		if c.mask {
			ins[4] = opstest.Rand(rng, c.batch, c.og*taps, out[0], out[1])
		}
		p := out[0] * out[1]
		want := make([]float32, c.batch*c.m*p)
		cg, mg := c.c/c.group, c.m/c.group
		for b := range c.batch {
			for oc := range c.m {
				g := oc / mg
				for oy := range out[0] {
					for ox := range out[1] {
						o := oy*out[1] + ox
						var sum float64
						if c.bias {
							sum = float64(ins[3].F32()[oc])
						}
						for cl := range cg {
							ic := g*cg + cl
							og := ic / (c.c / c.og)
							plane := x.F32()[(b*c.c+ic)*c.in[0]*c.in[1]:][:c.in[0]*c.in[1]]
							for t := range taps {
								ky, kx := t/c.k[1], t%c.k[1]
								ch := ((b*c.og+og)*taps + t) * 2
								y := float64(oy*c.s[0]-c.pads[0]+ky*c.d[0]) + float64(offset.F32()[ch*p+o])
								xx := float64(ox*c.s[1]-c.pads[1]+kx*c.d[1]) + float64(offset.F32()[(ch+1)*p+o])
								v := refBilinear(plane, c.in[0], c.in[1], y, xx)
								if c.mask {
									v *= float64(ins[4].F32()[((b*c.og+og)*taps+t)*p+o])
								}
								sum += v * float64(w.F32()[(oc*cg+cl)*taps+t])
							}
						}
						want[(b*c.m+oc)*p+o] = float32(sum)
					}
				}
			}
		}
		for len(ins) > 3 && ins[len(ins)-1] == nil {
			ins = ins[:len(ins)-1]
		}
		attrs := []*onnx.Attribute{opstest.Int("group", c.group), opstest.Int("offset_group", c.og), opstest.Ints("strides", c.s...),
			opstest.Ints("dilations", c.d...), opstest.Ints("pads", c.pads...)}
		for _, consts := range []map[int]bool{nil, {1: true}} {
			op, err := ops.Build(opstest.NodeOf("DeformConv", ins, 1, attrs...), 22)
			if err != nil {
				t.Fatal(err)
			}
			got, err := opstest.Exec(op, ins, consts, opstest.Par{N: 3})
			if err != nil {
				t.Fatalf("%+v: %v", c, err)
			}
			opstest.Close(t, "DeformConv", got[0].F32(), want, 1e-4, 1e-5)
		}
	}
}

func TestDeformConvErrors(t *testing.T) {
	f := func(s ...int) *ops.Tensor { return ops.New(onnx.Float, s...) }
	for _, c := range []struct {
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{[]*ops.Tensor{f(1, 2, 3, 3), f(1, 1, 2, 2), f(1, 8, 2, 2)}, nil, "group"},
		{[]*ops.Tensor{f(1, 2, 3, 3), f(1, 2, 2, 2), f(1, 8, 2, 2)}, []*onnx.Attribute{opstest.Int("offset_group", 3)}, "offset_group"},
		{[]*ops.Tensor{f(1, 1, 3, 3), f(1, 1, 2, 2), f(1, 8, 3, 2)}, nil, "\"offset\""},
		{[]*ops.Tensor{f(1, 1, 3, 3), f(1, 1, 2, 2), f(1, 8, 2, 2), f(2)}, nil, "\"B\""},
		{[]*ops.Tensor{f(1, 1, 3, 3), f(1, 1, 2, 2), f(1, 8, 2, 2), nil, f(1, 8, 2, 2)}, nil, "\"mask\""},
		{[]*ops.Tensor{f(1, 1, 3, 3), f(1, 1, 2, 2), f(1, 8, 2, 2)}, []*onnx.Attribute{opstest.Int("group", 0)}, "group"},
	} {
		op, err := ops.Build(opstest.NodeOf("DeformConv", c.ins, 1, c.attrs...), 22)
		if err == nil {
			_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %s", c.attrs, err, c.want)
		}
	}
}

func TestDeformConvNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_*deform_conv*"); n != 4 {
		t.Errorf("%d DeformConv node tests passed, want 4", n)
	}
}
