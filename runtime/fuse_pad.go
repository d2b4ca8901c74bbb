package runtime

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// fusePadConv folds a Pad of zeros on the spatial axes into the Conv that
// reads it, as the Conv's own padding: Conv(Pad(x)) becomes Conv(x) with
// the Pad's amounts added to its pads. Exporters write such Pads for
// asymmetric "same" padding (TensorFlow's, MediaPipe's models) and where
// a model pads explicitly; the Conv's kernels skip padding without
// touching memory, where the Pad copies the whole tensor. The Pad must be
// in "constant" mode with a zero value and constant, non-negative amounts
// on the spatial axes only (none on the batch and channel axes), its
// output read by that Conv alone and not a graph output; the Conv must
// have explicit padding (auto_pad NOTSET).
func fusePadConv(g *graph) (err error) {
	var at *onnx.Node
	defer recoverOps(&err, &at)
	uses := g.uses()
	reader := map[int]*node{}
	for _, n := range g.nodes {
		for _, in := range n.in {
			if in >= 0 {
				reader[in] = n
			}
		}
	}
	gone := map[*node]bool{}
	for _, pad := range g.nodes {
		at = pad.proto
		if !pad.is("Pad") || len(pad.out) != 1 || len(pad.in) < 1 || pad.in[0] < 0 || uses[pad.out[0]] != 1 || g.isOut[pad.out[0]] {
			continue
		}
		conv := reader[pad.out[0]]
		if conv == nil || gone[conv] || !conv.is("Conv") || len(conv.in) < 2 || conv.in[0] != pad.out[0] {
			continue
		}
		amounts, ok := zeroPadAmounts(g, pad)
		if !ok {
			continue
		}
		pads, ok := convPadsWith(conv.proto, amounts)
		if !ok {
			continue
		}
		pn := *conv.proto
		pn.Inputs = append([]string{pad.proto.Inputs[0]}, conv.proto.Inputs[1:]...)
		pn.Attrs = []*onnx.Attribute{{Name: "pads", Type: onnx.AttrInts, Ints: pads}}
		for _, a := range conv.proto.Attrs {
			if a.Name != "pads" {
				pn.Attrs = append(pn.Attrs, a)
			}
		}
		op, err := ops.Build(&pn, conv.opset)
		if err != nil {
			return err
		}
		conv.proto, conv.op = &pn, op
		conv.in = append([]int{pad.in[0]}, conv.in[1:]...)
		gone[pad] = true
	}
	g.removeNodes(gone)
	return nil
}

// zeroPadAmounts returns the amounts of a Pad (begin of every axis, then
// end) when it pads with zeros in "constant" mode, its amounts known at
// load and given for every axis, none negative.
func zeroPadAmounts(g *graph, pad *node) ([]int64, bool) {
	a := ops.AttrsOf(pad.proto)
	if a.String("mode", "constant") != "constant" || a.Err() != nil {
		return nil, false
	}
	var amounts []int64
	switch {
	case pad.opset < 2:
		return nil, false // "paddings": rare enough to leave alone
	case pad.opset < 11:
		if a.Float("value", 0) != 0 || a.Err() != nil {
			return nil, false
		}
		amounts = a.Ints("pads")
	default:
		if len(pad.in) < 2 || pad.in[1] < 0 || len(pad.in) > 3 && pad.in[3] >= 0 {
			return nil, false // no amounts, or only some axes'
		}
		t := g.consts[pad.in[1]]
		if t == nil || t.Type != onnx.Int64 {
			return nil, false
		}
		amounts = t.I64()
		if len(pad.in) > 2 && pad.in[2] >= 0 {
			v := g.consts[pad.in[2]]
			if v == nil || v.Type != onnx.Float || v.Len() != 1 || v.F32()[0] != 0 {
				return nil, false
			}
		}
	}
	if a.Err() != nil || len(amounts) < 6 || len(amounts)%2 != 0 {
		return nil, false
	}
	for _, p := range amounts {
		if p < 0 {
			return nil, false
		}
	}
	return amounts, true
}

// convPadsWith returns a Conv's pads plus a Pad's amounts (of every axis,
// begin then end), when the amounts leave the batch and channel axes
// alone and the Conv pads explicitly.
func convPadsWith(conv *onnx.Node, amounts []int64) ([]int64, bool) {
	rank := len(amounts) / 2
	if amounts[0] != 0 || amounts[1] != 0 || amounts[rank] != 0 || amounts[rank+1] != 0 {
		return nil, false
	}
	a := ops.AttrsOf(conv)
	if a.String("auto_pad", "NOTSET") != "NOTSET" {
		return nil, false
	}
	spatial := rank - 2
	pads := make([]int64, 2*spatial)
	if a.Has("pads") {
		own := a.Ints("pads")
		if len(own) != 2*spatial {
			return nil, false
		}
		copy(pads, own)
	}
	if a.Err() != nil {
		return nil, false
	}
	for i := range spatial {
		pads[i] += amounts[2+i]
		pads[spatial+i] += amounts[rank+2+i]
	}
	return pads, true
}
