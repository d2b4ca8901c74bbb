package attention

import (
	"fmt"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// RotaryEmbedding (opset 23) rotates the first rotary_embedding_dim
// values of every head's row (all of them when 0) by the angles of its
// token's position: pairs (x1, x2) become (cos*x1 - sin*x2, sin*x1 +
// cos*x2), x1 and x2 being the two halves of the rotated part, or its
// even and odd elements when interleaved. X is 4-D (batch, heads,
// sequence, head size) or 3-D (batch, sequence, num_heads*head size).
// With position_ids (batch, sequence), cos_cache and sin_cache are tables
// (positions, rotary dim/2) indexed by them; without, they hold (batch,
// sequence, rotary dim/2) values directly. float32 only (the spec's
// float16 and bfloat16 run as float32); rows are spread over the threads
// and Y may overwrite X.
func init() {
	ops.Register("", "RotaryEmbedding", 23, buildRotary)
}

// rotaryOp is a built RotaryEmbedding.
type rotaryOp struct {
	interleaved bool
	dim         int // rotary_embedding_dim, 0 for the head size
	numHeads    int // num_heads, 0 when absent
}

func buildRotary(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	o := &rotaryOp{interleaved: a.Int("interleaved", 0) != 0}
	dim, heads := a.Int("rotary_embedding_dim", 0), a.Int("num_heads", 0)
	if err := a.Err(); err != nil {
		return nil, err
	}
	var err error
	if o.dim, err = ops.ToDim(dim, "attribute \"rotary_embedding_dim\""); err != nil {
		return nil, err
	}
	if o.numHeads, err = ops.ToDim(heads, "attribute \"num_heads\""); err != nil {
		return nil, err
	}
	if o.dim < 0 || o.numHeads < 0 {
		return nil, fmt.Errorf("attributes \"rotary_embedding_dim\" %d and \"num_heads\" %d must not be negative", dim, heads)
	}
	if len(n.Outputs) != 1 {
		return nil, fmt.Errorf("node has %d outputs, want 1", len(n.Outputs))
	}
	return o, nil
}

// rotaryDims are a RotaryEmbedding's sizes.
type rotaryDims struct {
	batch, heads, seq, head, half int // half: rotated pairs per row
	threeD, positions             bool
}

// dims checks the inputs and returns the sizes.
func (o *rotaryOp) dims(in []ops.Value) (rotaryDims, error) {
	var d rotaryDims
	if err := ops.CheckInputs(in, 3, 4); err != nil {
		return d, err
	}
	names := [...]string{"X", "cos_cache", "sin_cache"}
	for i, name := range names {
		if err := ops.CheckFloat(in[i], name, false); err != nil {
			return d, err
		}
	}
	x := in[0].Shape
	switch len(x) {
	case 4:
		d.batch, d.heads, d.seq, d.head = x[0], x[1], x[2], x[3]
		if o.numHeads != 0 && o.numHeads != d.heads {
			return d, fmt.Errorf("attribute \"num_heads\" is %d but input \"X\" %v has %d heads", o.numHeads, x, d.heads)
		}
	case 3:
		if o.numHeads == 0 {
			return d, fmt.Errorf("3-D input \"X\" needs attribute \"num_heads\"")
		}
		if x[2]%o.numHeads != 0 {
			return d, fmt.Errorf("input \"X\" %v: hidden size is not a multiple of %d heads", x, o.numHeads)
		}
		d.threeD, d.batch, d.seq, d.heads, d.head = true, x[0], x[1], o.numHeads, x[2]/o.numHeads
	default:
		return d, fmt.Errorf("input \"X\" has shape %v, want 3-D or 4-D", x)
	}
	rd := o.dim
	if rd == 0 {
		rd = d.head
	}
	if rd > d.head || rd%2 != 0 {
		return d, fmt.Errorf("rotating %d values of heads of %d: want an even count, at most the head size", rd, d.head)
	}
	d.half = rd / 2
	cs, ss := in[1].Shape, in[2].Shape
	d.positions = ops.HasInput(in, 3)
	want := []int{d.batch, d.seq, d.half}
	if d.positions {
		p := in[3]
		if p.Type != onnx.Int64 || !slices.Equal(p.Shape, []int{d.batch, d.seq}) {
			return d, fmt.Errorf("input \"position_ids\" is %s%v, want int64[%d %d]", ops.TypeName(p.Type), p.Shape, d.batch, d.seq)
		}
		if len(cs) != 2 {
			return d, fmt.Errorf("input \"cos_cache\" has shape %v, want [positions %d]", cs, d.half)
		}
		want = []int{cs[0], d.half}
	}
	if !slices.Equal(cs, want) || !slices.Equal(ss, want) {
		return d, fmt.Errorf("inputs \"cos_cache\" %v and \"sin_cache\" %v, want %v", cs, ss, want)
	}
	return d, nil
}

// Infer checks the inputs; Y has X's type and shape.
func (o *rotaryOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if _, err := o.dims(in); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// InPlace lets Y overwrite X: each pair is read before it is written.
func (o *rotaryOp) InPlace(in []ops.Value) int { return 0 }

// Run rotates every row.
func (o *rotaryOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(o, ctx, in, out)
}

// Bind makes the loop over rows once.
func (o *rotaryOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := o.dims(ops.ConstValues(in))
	if err != nil {
		return nil, err
	}
	j := new(rotaryJob)
	loop := ops.BindLoop(ctx.Par, d.batch*d.heads*d.seq, max(1, ops.Grain/max(1, 4*d.head)), j, func() {
		*j = rotaryJob{d: d, interleaved: o.interleaved, x: in[0].F32(), cos: in[1].F32(), sin: in[2].F32(), y: out[0].F32()}
		j.inPlace = len(j.x) > 0 && &j.x[0] == &j.y[0]
		if d.positions {
			j.pos = in[3].I64()
		}
	})
	return func() error {
		if d.positions {
			for i, p := range in[3].I64()[:d.batch*d.seq] {
				if p < 0 || p >= int64(in[1].Shape[0]) {
					return fmt.Errorf("input \"position_ids\" holds %d at %d, outside the caches' %d positions", p, i, in[1].Shape[0])
				}
			}
		}
		return loop()
	}, nil
}

// rotaryJob rotates rows of X into Y.
type rotaryJob struct {
	d           rotaryDims
	interleaved bool
	x, cos, sin []float32
	y           []float32
	pos         []int64
	inPlace     bool // Y is X
}

// Run rotates rows [lo, hi) in X's order: (batch, head, sequence) for a
// 4-D X, (batch, sequence, head) for a 3-D one.
func (j rotaryJob) Run(lo, hi int) {
	d := j.d
	for r := lo; r < hi; r++ {
		b, l := r/(d.heads*d.seq), r/d.heads%d.seq
		if !d.threeD {
			l = r % d.seq
		}
		t := b*d.seq + l
		if j.pos != nil {
			t = int(j.pos[t])
		}
		c, s := j.cos[t*d.half:][:d.half], j.sin[t*d.half:][:d.half]
		x, y := j.x[r*d.head:][:d.head], j.y[r*d.head:][:d.head]
		if j.interleaved {
			for k, cv := range c {
				x1, x2 := x[2*k], x[2*k+1]
				y[2*k], y[2*k+1] = cv*x1-s[k]*x2, s[k]*x1+cv*x2
			}
		} else {
			x2s, y2s := x[d.half:2*d.half], y[d.half:2*d.half]
			for k, cv := range c {
				x1, x2 := x[k], x2s[k]
				y[k], y2s[k] = cv*x1-s[k]*x2, s[k]*x1+cv*x2
			}
		}
		if !j.inPlace {
			copy(y[2*d.half:], x[2*d.half:])
		}
	}
}
