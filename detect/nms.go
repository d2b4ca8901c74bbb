package detect

import (
	"cmp"
	"slices"
)

// cand is a candidate box in input-tensor pixels, before suppression.
type cand struct {
	x1, y1, x2, y2 float32
	score          float32
	class          int32
	lm             int32 // index of its first landmark coordinate in candidates.lms; -1: none
}

// candidates collects one image's boxes above the confidence threshold.
// Its slices keep their arrays from one image to the next, so decoding
// allocates nothing per box once they have grown.
type candidates struct {
	conf      float32 // keep scores above it
	landmarks int     // points per box
	c         []cand
	lms       []float32 // x, y pairs
	order     []int32   // indices of c by score, then the kept ones
	weight    []float32 // blending's accumulators
}

// reset empties the set for an image, keeping scores above conf.
func (cs *candidates) reset(conf float32, landmarks int) {
	cs.conf, cs.landmarks = conf, landmarks
	cs.c, cs.lms, cs.order = cs.c[:0], cs.lms[:0], cs.order[:0]
}

// add appends a box given by its corners; landmarks, when the family has
// them, follow with point calls.
func (cs *candidates) add(x1, y1, x2, y2, score float32, class int) {
	lm := int32(-1)
	if cs.landmarks > 0 {
		lm = int32(len(cs.lms))
	}
	cs.c = append(cs.c, cand{x1, y1, x2, y2, score, int32(class), lm})
}

// addCentre appends a box given by its centre and size.
func (cs *candidates) addCentre(cx, cy, w, h, score float32, class int) {
	cs.add(cx-w/2, cy-h/2, cx+w/2, cy+h/2, score, class)
}

// point appends a landmark of the box added last.
func (cs *candidates) point(x, y float32) { cs.lms = append(cs.lms, x, y) }

// iou is the intersection over union of two boxes (0 when both are empty).
func iou(a, b *cand) float32 {
	w := min(a.x2, b.x2) - max(a.x1, b.x1)
	h := min(a.y2, b.y2) - max(a.y1, b.y1)
	if w <= 0 || h <= 0 {
		return 0
	}
	inter := w * h
	union := (a.x2-a.x1)*(a.y2-a.y1) + (b.x2-b.x1)*(b.y2-b.y1) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// suppress runs greedy non-maximum suppression: candidates in descending
// score order (the earlier one first among equals) are kept unless they
// overlap a kept box of the same class (any class when agnostic) by more
// than iouThresh, until maxDet are kept. It leaves the kept indices in
// cs.order, best first.
func (cs *candidates) suppress(iouThresh float32, maxDet int, agnostic bool) {
	cs.sortByScore()
	kept := cs.order[:0]
	for _, i := range cs.order {
		if len(kept) == maxDet {
			break
		}
		c := &cs.c[i]
		ok := true
		for _, k := range kept {
			if (agnostic || cs.c[k].class == c.class) && iou(&cs.c[k], c) > iouThresh {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, i)
		}
	}
	cs.order = kept
}

// sortByScore fills cs.order with the candidates' indices, best first.
func (cs *candidates) sortByScore() {
	for i := range cs.c {
		cs.order = append(cs.order, int32(i))
	}
	slices.SortStableFunc(cs.order, func(a, b int32) int { return cmp.Compare(cs.c[b].score, cs.c[a].score) })
}

// blend is MediaPipe's weighted suppression (BlazeFace): the best
// remaining box and every remaining box overlapping it by more than
// iouThresh (itself included) are replaced by one whose corners and
// landmarks are their score-weighted mean and whose score is their mean
// score. Class is ignored. The results, at most maxDet, overwrite the
// candidates they started from; their indices are left in cs.order.
func (cs *candidates) blend(iouThresh float32, maxDet int) {
	cs.sortByScore()
	nl := 2 * cs.landmarks
	if cap(cs.weight) < 4+nl {
		cs.weight = make([]float32, 4+nl)
	}
	acc := cs.weight[:4+nl]
	// rest is the unsettled candidates; the kept ones are written over
	// the places their heads took, before rest.
	rest, kept := cs.order, cs.order[:0]
	for len(rest) > 0 && len(kept) < maxDet {
		head := rest[0]
		first := cs.c[head]
		clear(acc)
		var total float32
		n := 0
		take := func(c *cand) {
			acc[0] += c.x1 * c.score
			acc[1] += c.y1 * c.score
			acc[2] += c.x2 * c.score
			acc[3] += c.y2 * c.score
			for j := range nl {
				acc[4+j] += cs.lms[int(c.lm)+j] * c.score
			}
			total += c.score
			n++
		}
		take(&first)
		left := rest[1:1]
		for _, i := range rest[1:] {
			if c := &cs.c[i]; iou(&first, c) > iouThresh {
				take(c)
			} else {
				left = append(left, i)
			}
		}
		if out := &cs.c[head]; n > 1 && total > 0 {
			out.x1, out.y1, out.x2, out.y2 = acc[0]/total, acc[1]/total, acc[2]/total, acc[3]/total
			for j := range nl {
				cs.lms[int(out.lm)+j] = acc[4+j] / total
			}
			out.score = total / float32(n)
		}
		kept = append(kept, head)
		rest = left
	}
	cs.order = kept
}
