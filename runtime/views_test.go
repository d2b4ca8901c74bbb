package runtime

import (
	"fmt"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// viewOf reports whether value a of plan p lies inside value b (same
// arena buffer, within b's bytes), and at which byte offset.
func viewOf(p *plan, a, b int) (int64, bool) {
	sa, sb := p.slots[a], p.slots[b]
	if sa.kind != slotArena || sb.kind != slotArena || sa.buf != sb.buf || sa.off < sb.off || sa.off+sa.size > sb.off+sb.size {
		return 0, false
	}
	return sa.off - sb.off, true
}

// TestViews checks the planner's views on the patterns it is for, against
// the graph computed by hand: Concat inputs computed in place (Inception),
// a Split whose outputs are views feeding a Concat (YOLO's C2f), chained
// Concats (DenseNet), and the cases that must copy: an input used twice,
// a batch of 2, and a value an operator could overwrite in place.
func TestViews(t *testing.T) {
	affine := func(in, out string, a float32) *onnx.Node {
		return &onnx.Node{Name: out, Domain: testDomain, OpType: "Affine", Inputs: s(in), Outputs: s(out), Attrs: []*onnx.Attribute{aFloat("a", a)}}
	}
	concat := func(out string, in ...string) *onnx.Node {
		return &onnx.Node{Name: out, OpType: "Concat", Inputs: in, Outputs: s(out), Attrs: []*onnx.Attribute{aInt("axis", 1)}}
	}
	x := randTensor(newRand(21), 1, 4, 3, 5)
	type view struct {
		in, out string
		at      int64 // byte offset
	}
	for _, c := range []struct {
		name  string
		nodes []*onnx.Node
		batch int
		views []view   // must be views
		apart []string // pairs that must not share bytes, as "a b"
	}{
		{"inception", []*onnx.Node{affine("x", "a", 2), affine("x", "b", 3), affine("x", "c", 4), concat("y", "a", "b", "c")}, 1,
			[]view{{"a", "y", 0}, {"b", "y", 240}, {"c", "y", 480}}, nil},
		{"c2f", []*onnx.Node{affine("x", "s", 2),
			{Name: "split", OpType: "Split", Inputs: s("s"), Outputs: s("p", "q"), Attrs: []*onnx.Attribute{aInt("axis", 1)}},
			affine("q", "m", 3), concat("y", "p", "q", "m")}, 1,
			[]view{{"s", "y", 0}, {"p", "y", 0}, {"q", "y", 120}, {"m", "y", 240}}, nil},
		{"densenet", []*onnx.Node{affine("x", "x0", 5), affine("x0", "x1", 2), concat("c1", "x0", "x1"), affine("c1", "x2", 3), concat("c2", "x0", "x1", "x2")}, 1,
			[]view{{"x0", "c2", 0}, {"x1", "c2", 240}, {"c1", "c2", 0}, {"x2", "c2", 480}}, nil},
		{"twice", []*onnx.Node{affine("x", "a", 2), concat("y", "a", "a")}, 1, []view{{"a", "y", 0}}, nil},
		{"batch of 2", []*onnx.Node{affine("x", "a", 2), affine("x", "b", 3), concat("y", "a", "b")}, 2, nil, []string{"a y", "b y"}},
		{"in place", []*onnx.Node{affine("x", "a", -2), affine("x", "b", 3), concat("y", "a", "b"), {Name: "r", OpType: "Relu", Inputs: s("a"), Outputs: s("r")}}, 1,
			[]view{{"a", "y", 0}, {"b", "y", 240}}, []string{"r a"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBuilder(13).input("x", onnx.Float, c.batch, 4, 3, 5)
			b.m.Graph.Nodes = c.nodes
			outs := []string{c.nodes[len(c.nodes)-1].Outputs[0]}
			if c.name == "in place" {
				outs = []string{"y", "r"}
			}
			for _, o := range outs {
				b.output(o, onnx.Float)
			}
			xin := x
			if c.batch == 2 {
				xin = randTensor(newRand(22), 2, 4, 3, 5)
			}
			opt := load(t, b.m)
			got := run(t, opt, xin)
			want := run(t, load(t, b.m, WithOptimizations(false)), xin)
			ref := viewReference(c.nodes, xin)
			for i, o := range outs {
				closeTo(t, o, got[i], ref[o], 0, 0)
				closeTo(t, o+" (unoptimized)", want[i], ref[o], 0, 0)
			}
			p := planOf(t, opt, xin)
			id := func(name string) int { return opt.g.ids[name] }
			for _, v := range c.views {
				if at, ok := viewOf(p, id(v.in), id(v.out)); !ok || at != v.at {
					t.Errorf("%s should lie inside %s at %d (inside: %v, at %d)", v.in, v.out, v.at, ok, at)
				}
			}
			for _, pair := range c.apart {
				var a, b string
				fmt.Sscan(pair, &a, &b)
				if sa, sb := p.slots[id(a)], p.slots[id(b)]; sa.off < sb.off+sb.size && sb.off < sa.off+sa.size && sa.buf == sb.buf {
					t.Errorf("%s and %s share bytes", a, b)
				}
			}
			checkArena(t, p)
		})
	}
}

// viewReference computes TestViews' graphs by hand.
func viewReference(nodes []*onnx.Node, x *ops.Tensor) map[string]*ops.Tensor {
	vals := map[string]*ops.Tensor{"x": x}
	for _, n := range nodes {
		switch n.OpType {
		case "Affine":
			in := vals[n.Inputs[0]]
			a := ops.AttrsOf(n).Float("a", 1)
			out := ops.New(onnx.Float, in.Shape...)
			for i, v := range in.F32() {
				out.F32()[i] = a * v
			}
			vals[n.Outputs[0]] = out
		case "Relu":
			in := vals[n.Inputs[0]]
			out := ops.New(onnx.Float, in.Shape...)
			for i, v := range in.F32() {
				out.F32()[i] = max(v, 0)
			}
			vals[n.Outputs[0]] = out
		case "Concat", "Split":
			// along axis 1 of [N, C, 3, 5] tensors
			if n.OpType == "Concat" {
				first := vals[n.Inputs[0]]
				c := 0
				for _, in := range n.Inputs {
					c += vals[in].Shape[1]
				}
				out := ops.New(onnx.Float, first.Shape[0], c, 3, 5)
				for b := range first.Shape[0] {
					off := 0
					for _, name := range n.Inputs {
						in := vals[name]
						k := in.Shape[1] * 15
						copy(out.F32()[b*c*15+off:], in.F32()[b*k:(b+1)*k])
						off += k
					}
				}
				vals[n.Outputs[0]] = out
				continue
			}
			in := vals[n.Inputs[0]]
			half := in.Shape[1] / len(n.Outputs)
			for k, name := range n.Outputs {
				out := ops.New(onnx.Float, in.Shape[0], half, 3, 5)
				for b := range in.Shape[0] {
					copy(out.F32()[b*half*15:], in.F32()[(b*in.Shape[1]+k*half)*15:][:half*15])
				}
				vals[name] = out
			}
		}
	}
	return vals
}
