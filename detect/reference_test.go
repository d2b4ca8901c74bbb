package detect

// Independent reference decodings, one per family, written from each
// family's own inference code (named on each function) in float64, not
// from this package's decoders: they share nothing with them but the model
// outputs they read. Each returns boxes in the input tensor's pixels
// before suppression; refNMS and the families' mappings finish the job.

import (
	"math"
	"slices"
	"sort"
	"testing"
)

type refBox struct {
	x1, y1, x2, y2, score float64
	class                 int
	lms                   []float64
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// refNMS is torchvision's batched_nms as Ultralytics and YOLOX call it:
// sort by score (stable), drop a box whose IoU with a kept box of the
// same class (any class when agnostic) is above thr, keep at most maxDet.
func refNMS(bs []refBox, thr float64, maxDet int, agnostic bool) []refBox {
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].score > bs[j].score })
	var keep []refBox
	for _, b := range bs {
		ok := true
		for _, k := range keep {
			if (agnostic || k.class == b.class) && refIoU(k, b) > thr {
				ok = false
				break
			}
		}
		if ok && len(keep) < maxDet {
			keep = append(keep, b)
		}
	}
	return keep
}

func refIoU(a, b refBox) float64 {
	iw := math.Min(a.x2, b.x2) - math.Max(a.x1, b.x1)
	ih := math.Min(a.y2, b.y2) - math.Max(a.y1, b.y1)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	in := iw * ih
	return in / ((a.x2-a.x1)*(a.y2-a.y1) + (b.x2-b.x1)*(b.y2-b.y1) - in)
}

// refYOLOv8 follows Ultralytics' ops.non_max_suppression on a [4+C, N]
// prediction: candidates are columns whose best class score is above
// conf; boxes xywh -> xyxy.
func refYOLOv8(p []float32, c, n int, conf float64) []refBox {
	var out []refBox
	for i := range n {
		best, cls := -1.0, 0
		for k := range c - 4 {
			if v := float64(p[(4+k)*n+i]); v > best {
				best, cls = v, k
			}
		}
		if best <= conf {
			continue
		}
		x, y, w, h := float64(p[i]), float64(p[n+i]), float64(p[2*n+i]), float64(p[3*n+i])
		out = append(out, refBox{x - w/2, y - h/2, x + w/2, y + h/2, best, cls, nil})
	}
	return out
}

// refYOLOv5 follows YOLOv5's utils/general.py non_max_suppression on
// [N, 5+C] rows: xc = obj > conf, then conf = obj * cls, best class.
func refYOLOv5(p []float32, n, d int, conf float64) []refBox {
	var out []refBox
	for i := range n {
		r := p[i*d : (i+1)*d]
		obj := float64(r[4])
		if obj <= conf {
			continue
		}
		best, cls := -1.0, 0
		for k := 5; k < d; k++ {
			if v := float64(r[k]) * obj; v > best {
				best, cls = v, k-5
			}
		}
		if best <= conf {
			continue
		}
		x, y, w, h := float64(r[0]), float64(r[1]), float64(r[2]), float64(r[3])
		out = append(out, refBox{x - w/2, y - h/2, x + w/2, y + h/2, best, cls, nil})
	}
	return out
}

// refYOLOX follows YOLOX's YOLOXHead.decode_outputs (grids from meshgrid
// per stride 8, 16, 32, xy = (xy + grid) * stride, wh = exp(wh) * stride)
// and utils/boxes.py postprocess (class_conf max, obj * class_conf).
func refYOLOX(p []float32, d, inW, inH int, conf float64) []refBox {
	var out []refBox
	i := 0
	for _, s := range []int{8, 16, 32} {
		hs, ws := inH/s, inW/s
		for yv := range hs {
			for xv := range ws {
				r := p[i*d : (i+1)*d]
				i++
				cx := (float64(r[0]) + float64(xv)) * float64(s)
				cy := (float64(r[1]) + float64(yv)) * float64(s)
				w, h := math.Exp(float64(r[2]))*float64(s), math.Exp(float64(r[3]))*float64(s)
				cc, cls := -1.0, 0
				for k := 5; k < d; k++ {
					if v := float64(r[k]); v > cc {
						cc, cls = v, k-5
					}
				}
				if sc := float64(r[4]) * cc; sc > conf {
					out = append(out, refBox{cx - w/2, cy - h/2, cx + w/2, cy + h/2, sc, cls, nil})
				}
			}
		}
	}
	return out
}

// refNanoDet follows NanoDet-Plus's NanoDetPlusHead.get_bboxes: center
// priors (x*stride, y*stride) over strides 8..64 (featmap sizes rounded
// up), Integral (softmax over reg_max+1 bins, expectation) * stride,
// distance2bbox.
func refNanoDet(p []float32, n, d, classes, inW, inH int, conf float64) []refBox {
	var out []refBox
	i := 0
	for _, s := range []int{8, 16, 32, 64} {
		fh, fw := int(math.Ceil(float64(inH)/float64(s))), int(math.Ceil(float64(inW)/float64(s)))
		for y := range fh {
			for x := range fw {
				r := p[i*d : (i+1)*d]
				i++
				best, cls := -1.0, 0
				for k := range classes {
					if v := float64(r[k]); v > best {
						best, cls = v, k
					}
				}
				if best <= conf {
					continue
				}
				var dist [4]float64
				for side := range 4 {
					bins := r[classes+side*8 : classes+side*8+8]
					mx := float64(slices.Max(bins))
					var z, e float64
					for j, v := range bins {
						q := math.Exp(float64(v) - mx)
						z += q
						e += float64(j) * q
					}
					dist[side] = e / z * float64(s)
				}
				cx, cy := float64(x*s), float64(y*s)
				out = append(out, refBox{cx - dist[0], cy - dist[1], cx + dist[2], cy + dist[3], best, cls, nil})
			}
		}
	}
	_ = n
	return out
}

// refPriors follows UltraFace's generate_priors (with clamp) or
// RetinaFace's PriorBox (without): [cx, cy, w, h] relative, level by
// level, row by row, column by column, size by size.
func refPriors(inW, inH int, steps []int, minSizes [][]float64, clamp bool) [][4]float64 {
	var ps [][4]float64
	for k, st := range steps {
		fh, fw := int(math.Ceil(float64(inH)/float64(st))), int(math.Ceil(float64(inW)/float64(st)))
		for i := range fh {
			for j := range fw {
				for _, m := range minSizes[k] {
					p := [4]float64{(float64(j) + 0.5) * float64(st) / float64(inW), (float64(i) + 0.5) * float64(st) / float64(inH),
						m / float64(inW), m / float64(inH)}
					if clamp {
						for q := range p {
							p[q] = math.Min(math.Max(p[q], 0), 1)
						}
					}
					ps = append(ps, p)
				}
			}
		}
	}
	return ps
}

// refSSDDecode is box_utils.convert_locations_to_boxes +
// center_form_to_corner_form (variances 0.1, 0.2), in input pixels.
func refSSDDecode(l []float32, p [4]float64, inW, inH int) (x1, y1, x2, y2 float64) {
	cx := float64(l[0])*0.1*p[2] + p[0]
	cy := float64(l[1])*0.1*p[3] + p[1]
	w := math.Exp(float64(l[2])*0.2) * p[2]
	h := math.Exp(float64(l[3])*0.2) * p[3]
	return (cx - w/2) * float64(inW), (cy - h/2) * float64(inH), (cx + w/2) * float64(inW), (cy + h/2) * float64(inH)
}

// refUltraFace follows UltraFace's predict (run_video_face_detect_onnx.py):
// probabilities of class 1 above the threshold; boxes already decoded
// (relative corners) unless priors are given.
func refUltraFace(scores, boxes []float32, n, inW, inH int, priors [][4]float64, conf float64) []refBox {
	var out []refBox
	for i := range n {
		s := float64(scores[2*i+1])
		if s <= conf {
			continue
		}
		b := boxes[4*i : 4*i+4]
		var x1, y1, x2, y2 float64
		if priors == nil {
			x1, y1, x2, y2 = float64(b[0])*float64(inW), float64(b[1])*float64(inH), float64(b[2])*float64(inW), float64(b[3])*float64(inH)
		} else {
			x1, y1, x2, y2 = refSSDDecode(b, priors[i], inW, inH)
		}
		out = append(out, refBox{x1, y1, x2, y2, s, 0, nil})
	}
	return out
}

// refRetinaFace follows the PyTorch RetinaFace's detect.py: decode and
// decode_landm on PriorBox priors, scores conf[:, 1].
func refRetinaFace(loc, conf, landms []float32, inW, inH int, thr float64) []refBox {
	priors := refPriors(inW, inH, []int{8, 16, 32}, [][]float64{{16, 32}, {64, 128}, {256, 512}}, false)
	var out []refBox
	for i, p := range priors {
		s := float64(conf[2*i+1])
		if s <= thr {
			continue
		}
		x1, y1, x2, y2 := refSSDDecode(loc[4*i:4*i+4], p, inW, inH)
		b := refBox{x1, y1, x2, y2, s, 0, nil}
		for j := range 5 {
			b.lms = append(b.lms, (p[0]+float64(landms[10*i+2*j])*0.1*p[2])*float64(inW),
				(p[1]+float64(landms[10*i+2*j+1])*0.1*p[3])*float64(inH))
		}
		out = append(out, b)
	}
	return out
}

// refSCRFD follows InsightFace's scrfd.py forward: anchor centres
// (x*stride, y*stride), each repeated num_anchors times, distance2bbox and
// distance2kps on predictions times the stride.
func refSCRFD(scores, boxes, kps [][]float32, inW, inH int, thr float64) []refBox {
	var out []refBox
	for l, s := range []int{8, 16, 32} {
		fw, fh := inW/s, inH/s
		na := len(scores[l]) / (fw * fh)
		var centres [][2]float64
		for y := range fh {
			for x := range fw {
				for range na {
					centres = append(centres, [2]float64{float64(x * s), float64(y * s)})
				}
			}
		}
		for i, c := range centres {
			sc := float64(scores[l][i])
			if sc < thr || sc == thr { // scrfd.py: pos_inds = where(scores >= thresh); strictly above here
				continue
			}
			d := boxes[l][4*i : 4*i+4]
			b := refBox{c[0] - float64(d[0])*float64(s), c[1] - float64(d[1])*float64(s),
				c[0] + float64(d[2])*float64(s), c[1] + float64(d[3])*float64(s), sc, 0, nil}
			for j := range 5 {
				b.lms = append(b.lms, c[0]+float64(kps[l][10*i+2*j])*float64(s), c[1]+float64(kps[l][10*i+2*j+1])*float64(s))
			}
			out = append(out, b)
		}
	}
	return out
}

// refYuNet follows OpenCV's FaceDetectorYN::postProcess (2023 model):
// score sqrt(clamp(cls) * clamp(obj)), centre (c + dx) * stride, size
// exp(dw) * stride, landmarks (kx + c) * stride.
func refYuNet(cls, obj, box, kps [][]float32, inW, inH int, thr float64) []refBox {
	var out []refBox
	for l, s := range []int{8, 16, 32} {
		cols, rows := inW/s, inH/s
		for r := range rows {
			for c := range cols {
				idx := r*cols + c
				cs := math.Min(math.Max(float64(cls[l][idx]), 0), 1)
				os := math.Min(math.Max(float64(obj[l][idx]), 0), 1)
				score := math.Sqrt(cs * os)
				if score <= thr {
					continue
				}
				b := box[l][idx*4 : idx*4+4]
				cx, cy := (float64(c)+float64(b[0]))*float64(s), (float64(r)+float64(b[1]))*float64(s)
				w, h := math.Exp(float64(b[2]))*float64(s), math.Exp(float64(b[3]))*float64(s)
				rb := refBox{cx - w/2, cy - h/2, cx + w/2, cy + h/2, score, 0, nil}
				for n := range 5 {
					rb.lms = append(rb.lms, (float64(kps[l][idx*10+2*n])+float64(c))*float64(s), (float64(kps[l][idx*10+2*n+1])+float64(r))*float64(s))
				}
				out = append(out, rb)
			}
		}
	}
	return out
}

// refBlazeFace follows MediaPipePyTorch's blazeface.py: anchors from
// MediaPipe's SsdAnchorsCalculator options for the front model (4 layers,
// strides 8, 16, 16, 16, aspect ratio 1 plus the interpolated scale,
// fixed anchor size, offset 0.5), _decode_boxes with x_scale = y_scale =
// w_scale = h_scale = 128, sigmoid of scores clipped to +-100, and
// _weighted_non_max_suppression.
func refBlazeFace(raw, logits []float32, thr, iouThr float64) []refBox {
	strides := []int{8, 16, 16, 16}
	var anchors [][2]float64
	for layer := 0; layer < len(strides); {
		last := layer
		perCell := 0
		for last < len(strides) && strides[last] == strides[layer] {
			perCell += 2 // aspect ratio 1.0 and the interpolated scale
			last++
		}
		f := int(math.Ceil(128 / float64(strides[layer])))
		for y := range f {
			for x := range f {
				for range perCell {
					anchors = append(anchors, [2]float64{(float64(x) + 0.5) / float64(f), (float64(y) + 0.5) / float64(f)})
				}
			}
		}
		layer = last
	}
	var dets []refBox
	for i, a := range anchors {
		s := sigmoid(math.Min(math.Max(float64(logits[i]), -100), 100))
		if s < thr || s == thr {
			continue
		}
		r := raw[16*i : 16*i+16]
		cx, cy := float64(r[0])/128+a[0], float64(r[1])/128+a[1]
		w, h := float64(r[2])/128, float64(r[3])/128
		b := refBox{(cx - w/2) * 128, (cy - h/2) * 128, (cx + w/2) * 128, (cy + h/2) * 128, s, 0, nil}
		for k := range 6 {
			b.lms = append(b.lms, (float64(r[4+2*k])/128+a[0])*128, (float64(r[5+2*k])/128+a[1])*128)
		}
		dets = append(dets, b)
	}
	sort.SliceStable(dets, func(i, j int) bool { return dets[i].score > dets[j].score })
	var out []refBox
	for len(dets) > 0 {
		first := dets[0]
		var overl, rest []refBox
		for _, d := range dets {
			if refIoU(first, d) > iouThr {
				overl = append(overl, d)
			} else {
				rest = append(rest, d)
			}
		}
		wd := first
		if len(overl) > 1 {
			var tot float64
			var acc [4]float64
			lms := make([]float64, len(first.lms))
			for _, d := range overl {
				tot += d.score
				for q, v := range [4]float64{d.x1, d.y1, d.x2, d.y2} {
					acc[q] += v * d.score
				}
				for q, v := range d.lms {
					lms[q] += v * d.score
				}
			}
			wd = refBox{acc[0] / tot, acc[1] / tot, acc[2] / tot, acc[3] / tot, tot / float64(len(overl)), 0, lms}
			for q := range lms {
				lms[q] /= tot
			}
		}
		out = append(out, wd)
		dets = rest
	}
	return out
}

// refLetterbox maps boxes from a letterboxed input back to the image as
// Ultralytics' scale_boxes does (gain = min ratio, pad = round(... - 0.1),
// centred) or, corner, as YOLOX, SCRFD and YuNet's code does (divide by
// the ratio), then clips to the image and drops the boxes left empty
// (wholly in the bars).
func refLetterbox(bs []refBox, inW, inH, w, h int, corner bool) []refBox {
	gain := math.Min(float64(inW)/float64(w), float64(inH)/float64(h))
	var px, py float64
	if !corner {
		px = math.Round((float64(inW)-float64(w)*gain)/2 - 0.1)
		py = math.Round((float64(inH)-float64(h)*gain)/2 - 0.1)
	}
	for i := range bs {
		b := &bs[i]
		b.x1, b.x2 = clampF((b.x1-px)/gain, w), clampF((b.x2-px)/gain, w)
		b.y1, b.y2 = clampF((b.y1-py)/gain, h), clampF((b.y2-py)/gain, h)
		for j := 0; j < len(b.lms); j += 2 {
			b.lms[j], b.lms[j+1] = (b.lms[j]-px)/gain, (b.lms[j+1]-py)/gain
		}
	}
	return dropEmpty(bs)
}

func dropEmpty(bs []refBox) []refBox {
	return slices.DeleteFunc(bs, func(b refBox) bool { return !(b.x2 > b.x1 && b.y2 > b.y1) })
}

// refStretch maps boxes of a stretched input back (UltraFace's boxes *
// [width, height], NanoDet's warp matrix inverse), clips them and drops
// the empty ones.
func refStretch(bs []refBox, inW, inH, w, h int) []refBox {
	sx, sy := float64(w)/float64(inW), float64(h)/float64(inH)
	for i := range bs {
		b := &bs[i]
		b.x1, b.x2 = clampF(b.x1*sx, w), clampF(b.x2*sx, w)
		b.y1, b.y2 = clampF(b.y1*sy, h), clampF(b.y2*sy, h)
	}
	return dropEmpty(bs)
}

func clampF(v float64, hi int) float64 { return math.Min(math.Max(v, 0), float64(hi)) }

// compareBoxes checks got against want box for box: each wanted box has
// its own got box of the same class with IoU >= 0.99 and a score within
// 1e-4 (landmarks within 0.5 pixel), and there are no others.
func compareBoxes(t *testing.T, what string, got []Box, want []refBox) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d boxes, the reference has %d", what, len(got), len(want))
	}
	used := make([]bool, len(got))
	for _, w := range want {
		bi, best := -1, 0.0
		for i, g := range got {
			if used[i] || g.Class != w.class {
				continue
			}
			if v := refIoU(refBox{x1: g.X1, y1: g.Y1, x2: g.X2, y2: g.Y2}, w); v > best {
				bi, best = i, v
			}
		}
		if bi < 0 || best < 0.99 {
			t.Errorf("%s: reference box %.2f,%.2f,%.2f,%.2f class %d score %.5f has no match (best IoU %.4f)", what, w.x1, w.y1, w.x2, w.y2, w.class, w.score, best)
			continue
		}
		used[bi] = true
		g := got[bi]
		if math.Abs(g.Score-w.score) > 1e-4 {
			t.Errorf("%s: box %.1f,%.1f score %.6f, reference %.6f", what, w.x1, w.y1, g.Score, w.score)
		}
		if len(g.Landmarks)*2 != len(w.lms) {
			t.Errorf("%s: box %.1f,%.1f has %d landmarks, reference %d", what, w.x1, w.y1, len(g.Landmarks), len(w.lms)/2)
			continue
		}
		for j, p := range g.Landmarks {
			if math.Abs(p.X-w.lms[2*j]) > 0.5 || math.Abs(p.Y-w.lms[2*j+1]) > 0.5 {
				t.Errorf("%s: box %.1f,%.1f landmark %d at %.2f,%.2f, reference %.2f,%.2f", what, w.x1, w.y1, j, p.X, p.Y, w.lms[2*j], w.lms[2*j+1])
			}
		}
	}
}
