package detect

import (
	"fmt"
	"math"
)

// The YOLO-style decoders read one output of one image; w and h are the
// input tensor's width and height. Each appends to cs the boxes whose
// score is above cs.conf, in input pixels, with the best class of each
// row (one box per anchor or cell, as the families' own code does
// without multi-label output).

// bestClass returns the index and value of the largest of scores (the
// first among equals).
func bestClass(scores []float32) (int, float32) {
	bi, bv := 0, scores[0]
	for i, v := range scores[1:] {
		if v > bv {
			bi, bv = i+1, v
		}
	}
	return bi, bv
}

// decodeYOLOv5 reads [N, 5+C] rows: centre x, centre y, width, height,
// objectness, C class scores; score = objectness x class score
// (YOLOv5's non_max_suppression multiplies them before taking the best).
func decodeYOLOv5(cs *candidates, out []float32, n, d int) {
	for i := range n {
		r := out[i*d : (i+1)*d]
		obj := r[4]
		if !(obj > cs.conf) { // the product cannot pass either
			continue
		}
		k, s := bestClass(r[5:])
		if s *= obj; s > cs.conf {
			cs.addCentre(r[0], r[1], r[2], r[3], s, k)
		}
	}
}

// decodeYOLOv8 reads [4+C, N], channels first: row j holds the j-th value
// of every box (centre x, centre y, width, height, then C class scores).
func decodeYOLOv8(cs *candidates, out []float32, n, c int) {
	for i := range n {
		k, s := 0, out[4*n+i]
		for j := 1; j < c; j++ {
			if v := out[(4+j)*n+i]; v > s {
				k, s = j, v
			}
		}
		if s > cs.conf {
			cs.addCentre(out[i], out[n+i], out[2*n+i], out[3*n+i], s, k)
		}
	}
}

// gridWalk visits the cells of strides at a w x h input in a dense head's
// order: stride by stride, row by row, left to right.
type gridWalk struct {
	w, h, level, x, y, cols int
	strides                 []int
}

func newGridWalk(w, h int, strides []int) gridWalk {
	return gridWalk{w: w, h: h, strides: strides, cols: ceilDiv(w, strides[0])}
}

// next returns the current cell and its stride, then advances.
func (g *gridWalk) next() (x, y, stride int) {
	x, y, stride = g.x, g.y, g.strides[g.level]
	if g.x++; g.x == g.cols {
		g.x = 0
		if g.y++; g.y == ceilDiv(g.h, stride) && g.level+1 < len(g.strides) {
			g.y, g.level = 0, g.level+1
			g.cols = ceilDiv(g.w, g.strides[g.level])
		}
	}
	return x, y, stride
}

// decodeYOLOX reads YOLOX's raw head [N, 5+C]: for the cell (x, y) of
// stride s, centre ((dx + x) s, (dy + y) s), size (exp(dw) s, exp(dh) s),
// score = objectness x class score (YOLOX's decode_outputs and postprocess).
func decodeYOLOX(cs *candidates, out []float32, n, d, w, h int, strides []int) {
	g := newGridWalk(w, h, strides)
	for i := range n {
		x, y, s := g.next()
		r := out[i*d : (i+1)*d]
		if !(r[4] > cs.conf) {
			continue
		}
		k, sc := bestClass(r[5:])
		if sc *= r[4]; sc > cs.conf {
			fs := float32(s)
			cs.addCentre((r[0]+float32(x))*fs, (r[1]+float32(y))*fs,
				float32(math.Exp(float64(r[2])))*fs, float32(math.Exp(float64(r[3])))*fs, sc, k)
		}
	}
}

// decodeNanoDet reads NanoDet-Plus's head [N, C+4(R+1)]: C class scores
// (through sigmoids in the graph), then for left, top, right and bottom a
// distribution over the distances 0..R strides; the distance is its
// expectation after a softmax. Cells are centred on (x s, y s) (NanoDet's
// center priors have no half-cell offset).
func decodeNanoDet(cs *candidates, out []float32, n, d, c, regMax, w, h int, strides []int) {
	g := newGridWalk(w, h, strides)
	bins := regMax + 1
	for i := range n {
		x, y, s := g.next()
		r := out[i*d : (i+1)*d]
		k, sc := bestClass(r[:c])
		if !(sc > cs.conf) {
			continue
		}
		var dist [4]float32
		for side := range 4 {
			dist[side] = expectation(r[c+side*bins:c+(side+1)*bins]) * float32(s)
		}
		cx, cy := float32(x*s), float32(y*s)
		cs.add(cx-dist[0], cy-dist[1], cx+dist[2], cy+dist[3], sc, k)
	}
}

// expectation is sum(i softmax(logits)_i): the mean of the distribution
// the logits give over 0..len-1.
func expectation(logits []float32) float32 {
	mx := logits[0]
	for _, v := range logits[1:] {
		mx = max(mx, v)
	}
	var sum, mean float64
	for i, v := range logits {
		e := math.Exp(float64(v - mx))
		sum += e
		mean += float64(i) * e
	}
	return float32(mean / sum)
}

// checkRows checks an output of the given shape holds n rows of d values.
func checkRows(shape []int, got, n, d int) error {
	if got != n*d {
		return fmt.Errorf("output %v has %d values, want %d x %d", shape, got, n, d)
	}
	return nil
}
