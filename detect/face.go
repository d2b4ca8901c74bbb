package detect

import "math"

// The per-stride face decoders read one stride's maps; cols is the
// input's cell count across at that stride. Cells are anchored at their
// top-left corner (x s, y s), as both families' code does.

// decodeSCRFD reads one SCRFD stride: scores [N, 1] (through sigmoids in
// the graph), distances [N, 4] from the anchor to the left, top, right and
// bottom sides in strides, and optionally five landmarks [N, 10] as
// offsets in strides. With A anchors per cell, rows i*A .. i*A+A-1 share
// cell i (InsightFace's scrfd.py).
func decodeSCRFD(cs *candidates, scores, dist, lms []float32, lv level, cols int) {
	s := float32(lv.stride)
	for i, sc := range scores {
		if !(sc > cs.conf) {
			continue
		}
		cell := i / lv.anchors
		cx, cy := float32(cell%cols)*s, float32(cell/cols)*s
		d := dist[4*i : 4*i+4]
		cs.add(cx-d[0]*s, cy-d[1]*s, cx+d[2]*s, cy+d[3]*s, sc, 0)
		if lms != nil {
			for j := range 5 {
				cs.point(cx+lms[10*i+2*j]*s, cy+lms[10*i+2*j+1]*s)
			}
		}
	}
}

// decodeYuNet reads one YuNet stride: class and objectness maps [N, 1],
// score = sqrt(cls x obj) each clamped to 0..1; boxes [N, 4] as the
// centre's offset from the cell in strides and log sizes in strides;
// five landmarks [N, 10] as offsets in strides (OpenCV's FaceDetectorYN).
func decodeYuNet(cs *candidates, cls, obj, box, lms []float32, lv level, cols int) {
	s := float32(lv.stride)
	for i := range cls {
		c, o := min(max(cls[i], 0), 1), min(max(obj[i], 0), 1)
		sc := float32(math.Sqrt(float64(c * o)))
		if !(sc > cs.conf) {
			continue
		}
		x, y := float32(i%cols), float32(i/cols)
		b := box[4*i : 4*i+4]
		w := float32(math.Exp(float64(b[2]))) * s
		h := float32(math.Exp(float64(b[3]))) * s
		cs.addCentre((x+b[0])*s, (y+b[1])*s, w, h, sc, 0)
		for j := range 5 {
			cs.point((lms[10*i+2*j]+x)*s, (lms[10*i+2*j+1]+y)*s)
		}
	}
}

// decodeNMS reads the detections of a model that suppresses inside: rows
// [K, 6] (x1, y1, x2, y2, score, class), rows [K, 7] (batch, x1, y1, x2,
// y2, class, score; rows of other batches skipped), or, for the
// four-output form, count valid rows of boxes [K, 4], scores and classes.
func decodeNMS(cs *candidates, cols int, rows, scores, classes []float32, count int) {
	switch cols {
	case 6:
		for i := 0; i+6 <= len(rows); i += 6 {
			r := rows[i : i+6]
			if r[4] > cs.conf {
				cs.add(r[0], r[1], r[2], r[3], r[4], classIndex(r[5]))
			}
		}
	case 7:
		for i := 0; i+7 <= len(rows); i += 7 {
			r := rows[i : i+7]
			if r[0] == 0 && r[6] > cs.conf {
				cs.add(r[1], r[2], r[3], r[4], r[6], classIndex(r[5]))
			}
		}
	default:
		for i := range min(count, len(scores), len(classes), len(rows)/4) {
			if scores[i] > cs.conf {
				b := rows[4*i : 4*i+4]
				cs.add(b[0], b[1], b[2], b[3], scores[i], classIndex(classes[i]))
			}
		}
	}
}

// classIndex reads a class index stored as a float, -1 when it is not a
// whole number in range.
func classIndex(v float32) int {
	if !(v >= 0 && v < 1<<24) || v != float32(int(v)) {
		return -1
	}
	return int(v)
}
