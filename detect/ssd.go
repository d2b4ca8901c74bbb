package detect

import "math"

// priors are SSD-style prior boxes (anchors) at a given input size, in
// the order heads emit them: level by level, row by row, cell by cell,
// then the sizes of a cell. Coordinates are relative to the input (0..1).
type priors struct {
	strides []int
	// sizes are each level's prior sides in input pixels (square priors,
	// relative width side/w and height side/h); nil for unit-size anchors
	// (MediaPipe's fixed_anchor_size), perCell of them per cell.
	sizes    [][]float64
	perCell  []int
	clamp    bool       // clamp centres and sizes to 0..1 (UltraFace)
	variance [2]float32 // SSD's centre and size variances; 0: BlazeFace's scaling
}

// ultraFacePriors are UltraFace's (Ultra-Light-Fast-Generic-Face-Detector's
// generate_priors): min boxes 10, 16, 24 / 32, 48 / 64, 96 / 128, 192, 256
// at strides 8, 16, 32, 64, clamped, variances 0.1 and 0.2.
var ultraFacePriors = priors{
	strides:  []int{8, 16, 32, 64},
	sizes:    [][]float64{{10, 16, 24}, {32, 48}, {64, 96}, {128, 192, 256}},
	clamp:    true,
	variance: [2]float32{0.1, 0.2},
}

// retinaFacePriors are RetinaFace's (PriorBox of the PyTorch RetinaFace):
// min sizes 16, 32 / 64, 128 / 256, 512 at strides 8, 16, 32, variances
// 0.1 and 0.2.
var retinaFacePriors = priors{
	strides:  []int{8, 16, 32},
	sizes:    [][]float64{{16, 32}, {64, 128}, {256, 512}},
	variance: [2]float32{0.1, 0.2},
}

// blazeFaceAnchors returns MediaPipe's SSD anchors for BlazeFace with n
// anchors at a w x h input, or nil when n is not their count: four layers
// of strides s, 2s, 2s, 2s (s = 8 for the 128-pixel front model, 16 for
// the 256-pixel back model), two anchors per layer and cell, the layers of
// one stride sharing their cells, so 2 per cell at s and 6 at 2s; centres
// at cell centres, unit size (fixed_anchor_size).
func blazeFaceAnchors(w, h, n int) *priors {
	for _, s := range []int{8, 16} {
		p := &priors{strides: []int{s, 2 * s}, perCell: []int{2, 6}}
		if p.count(w, h) == n {
			return p
		}
	}
	return nil
}

// count is the number of priors at a w x h input.
func (p *priors) count(w, h int) int {
	n := 0
	for l, s := range p.strides {
		n += ceilDiv(w, s) * ceilDiv(h, s) * p.cell(l)
	}
	return n
}

// cell is the number of priors per cell of level l.
func (p *priors) cell(l int) int {
	if p.sizes != nil {
		return len(p.sizes[l])
	}
	return p.perCell[l]
}

// priorWalk yields the priors one by one without storing them.
type priorWalk struct {
	p                          *priors
	w, h                       int
	level, x, y, k, cols, rows int
}

func (p *priors) walk(w, h int) priorWalk {
	return priorWalk{p: p, w: w, h: h, cols: ceilDiv(w, p.strides[0]), rows: ceilDiv(h, p.strides[0])}
}

// next returns the current prior (centre and size, relative) and advances.
func (it *priorWalk) next() (cx, cy, pw, ph float32) {
	p, s := it.p, it.p.strides[it.level]
	cx = float32((float64(it.x) + 0.5) * float64(s) / float64(it.w))
	cy = float32((float64(it.y) + 0.5) * float64(s) / float64(it.h))
	pw, ph = 1, 1
	if p.sizes != nil {
		side := p.sizes[it.level][it.k]
		pw, ph = float32(side/float64(it.w)), float32(side/float64(it.h))
	}
	if p.clamp {
		cx, cy, pw, ph = min(max(cx, 0), 1), min(max(cy, 0), 1), min(max(pw, 0), 1), min(max(ph, 0), 1)
	}
	if it.k++; it.k == p.cell(it.level) {
		it.k = 0
		if it.x++; it.x == it.cols {
			it.x = 0
			if it.y++; it.y == it.rows && it.level+1 < len(p.strides) {
				it.y, it.level = 0, it.level+1
				s = p.strides[it.level]
				it.cols, it.rows = ceilDiv(it.w, s), ceilDiv(it.h, s)
			}
		}
	}
	return cx, cy, pw, ph
}

// ssdBox decodes SSD offsets l (dx, dy, dw, dh) against a prior: centre
// prior + d v0 size, size = prior size exp(d v1), in input pixels.
func ssdBox(l []float32, cx, cy, pw, ph float32, v [2]float32, w, h int) (x1, y1, x2, y2 float32) {
	bx, by := cx+l[0]*v[0]*pw, cy+l[1]*v[0]*ph
	bw := pw * float32(math.Exp(float64(l[2]*v[1])))
	bh := ph * float32(math.Exp(float64(l[3]*v[1])))
	fw, fh := float32(w), float32(h)
	return (bx - bw/2) * fw, (by - bh/2) * fh, (bx + bw/2) * fw, (by + bh/2) * fh
}

// decodeSSD reads boxes [N, 4] and scores [N, K] (class 0 the background;
// the box's class is the best of the others, numbered from 0). Boxes are
// relative corners when decoded, else offsets from the priors.
func decodeSSD(cs *candidates, boxes, scores []float32, n, k int, hd *head, w, h int) {
	var it priorWalk
	if !hd.decoded {
		it = hd.priors.walk(w, h)
	}
	fw, fh := float32(w), float32(h)
	for i := range n {
		var cx, cy, pw, ph float32
		if !hd.decoded {
			cx, cy, pw, ph = it.next()
		}
		c, s := bestClass(scores[i*k+1 : (i+1)*k])
		if !(s > cs.conf) {
			continue
		}
		b := boxes[4*i : 4*i+4]
		if hd.decoded {
			cs.add(b[0]*fw, b[1]*fh, b[2]*fw, b[3]*fh, s, c)
			continue
		}
		x1, y1, x2, y2 := ssdBox(b, cx, cy, pw, ph, hd.priors.variance, w, h)
		cs.add(x1, y1, x2, y2, s, c)
	}
}

// decodeRetinaFace reads offsets [N, 4], scores [N, 2] (background, face)
// and landmarks [N, 10] on RetinaFace's priors: landmark j is at
// prior centre + d_j v0 prior size.
func decodeRetinaFace(cs *candidates, loc, conf, lms []float32, n int, hd *head, w, h int) {
	it := hd.priors.walk(w, h)
	v := hd.priors.variance
	fw, fh := float32(w), float32(h)
	for i := range n {
		cx, cy, pw, ph := it.next()
		s := conf[2*i+1]
		if !(s > cs.conf) {
			continue
		}
		x1, y1, x2, y2 := ssdBox(loc[4*i:4*i+4], cx, cy, pw, ph, v, w, h)
		cs.add(x1, y1, x2, y2, s, 0)
		for j := range 5 {
			l := lms[10*i+2*j:]
			cs.point((cx+l[0]*v[0]*pw)*fw, (cy+l[1]*v[0]*ph)*fh)
		}
	}
}

// decodeBlazeFace reads MediaPipe BlazeFace's raw [N, 4+2L] regressors
// (centre x, centre y, width, height, then L keypoints, in input pixels
// relative to the anchor: MediaPipe's x_scale = input width) and [N, 1]
// logits (score = sigmoid of the logit clipped to +-100).
func decodeBlazeFace(cs *candidates, raw, logits []float32, n, d int, hd *head, w, h int) {
	it := hd.priors.walk(w, h)
	fw, fh := float32(w), float32(h)
	for i := range n {
		ax, ay, aw, ah := it.next()
		z := float64(min(max(logits[i], -100), 100))
		s := float32(1 / (1 + math.Exp(-z)))
		if !(s > cs.conf) {
			continue
		}
		r := raw[i*d : (i+1)*d]
		cx, cy := r[0]/fw*aw+ax, r[1]/fh*ah+ay
		bw, bh := r[2]/fw*aw, r[3]/fh*ah
		cs.addCentre(cx*fw, cy*fh, bw*fw, bh*fh, s, 0)
		for j := range (d - 4) / 2 {
			cs.point((r[4+2*j]/fw*aw+ax)*fw, (r[5+2*j]/fh*ah+ay)*fh)
		}
	}
}
