package detect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// Family is a detector family: the layout of its outputs, how they decode
// into boxes, and the preprocessing it was trained with. New recognises it
// from the model's outputs (see the rules on each constant and in
// docs/detect.md); WithFamily overrides the recognition.
type Family int

// The families. Shapes are written without the batch axis of one, which
// may be there or not; N counts anchors or grid cells, C classes.
const (
	// Auto asks New to recognise the family.
	Auto Family = iota
	// YOLOv5 is one output [N, 5+C] of decoded boxes (centre x, centre y,
	// width, height in input pixels), an objectness and C class scores,
	// score = objectness x class score: YOLOv5, YOLOv7, YOLOv6 and YOLOX
	// exported with its decoding. Recognised when N is three anchors per
	// cell of strides 8, 16, 32 (and 64), or one per cell with arithmetic
	// between the head's convolutions and the output, or any other N with
	// a layout that is no other family's.
	YOLOv5
	// YOLOv8 is one output [4+C, N], channels first: decoded centre, size
	// and C class scores, no objectness: YOLOv8, YOLOv9, YOLO11 (the
	// Ultralytics layout). Recognised when the first axis is the shorter.
	YOLOv8
	// YOLOX is YOLOX's raw head, [N, 5+C] with N one cell of strides 8, 16
	// and 32 each: centre offsets in cells, log sizes, objectness and class
	// scores (already through sigmoids). Recognised by N and by nothing but
	// layout operators, sigmoids and softmaxes between the convolutions and
	// the output.
	YOLOX
	// NanoDet is NanoDet-Plus's head, [N, C+4(R+1)] with N one cell of
	// strides 8, 16, 32 and 64 each: C sigmoid class scores, then for each
	// side a distribution over R+1 = 8 distances (generalised focal loss).
	// Recognised by N and a raw head.
	NanoDet
	// SSD is a pair boxes [N, 4] + scores [N, K], K >= 2 with class 0 the
	// background (UltraFace and other SSD exports). Boxes are corners
	// relative to the input (x1, y1, x2, y2 in 0..1) when the graph decodes
	// them, or raw offsets from UltraFace's prior boxes when the head is
	// raw (then N must be UltraFace's prior count for the input size).
	SSD
	// RetinaFace is three outputs [N, 4] offsets, [N, 2] scores and
	// [N, 10] five landmarks on RetinaFace's prior boxes (sizes 16, 32 /
	// 64, 128 / 256, 512 at strides 8, 16, 32), N the prior count.
	RetinaFace
	// BlazeFace is MediaPipe's face detector: [N, 4+2L] raw box and L
	// keypoint offsets and [N, 1] score logits on MediaPipe's SSD anchors
	// (2 per cell at stride s, 6 per cell at 2s, s = input/16), N the
	// anchor count.
	BlazeFace
	// SCRFD is InsightFace's SCRFD (and its RetinaFace re-exports): per
	// stride s (8, 16, 32, or 8 to 128), scores [N_s, 1], box distances
	// [N_s, 4] in strides and optionally landmarks [N_s, 10], N_s one or
	// two anchors per cell. Recognised by one score map per stride.
	SCRFD
	// YuNet is OpenCV's YuNet (2023): per stride 8, 16, 32, class and
	// objectness maps [N_s, 1] (score = sqrt(cls x obj)), boxes [N_s, 4]
	// (cell offsets, log sizes) and landmarks [N_s, 10]. Recognised by two
	// score maps per stride.
	YuNet
	// NMS is a model with non-maximum suppression inside, passed through:
	// one output [K, 6] (x1, y1, x2, y2, score, class: Ultralytics end to
	// end, YOLOv10), [K, 7] (batch, x1, y1, x2, y2, class, score: YOLOv7
	// end to end), or four outputs count [1], boxes [K, 4], scores [K] and
	// classes [K]. Boxes are in input pixels.
	NMS
)

var familyNames = [...]string{Auto: "auto", YOLOv5: "yolov5", YOLOv8: "yolov8", YOLOX: "yolox", NanoDet: "nanodet",
	SSD: "ssd", RetinaFace: "retinaface", BlazeFace: "blazeface", SCRFD: "scrfd", YuNet: "yunet", NMS: "nms"}

// String returns the family's name as ParseFamily reads it ("yolov8").
func (f Family) String() string {
	if f >= 0 && int(f) < len(familyNames) {
		return familyNames[f]
	}
	return fmt.Sprintf("Family(%d)", int(f))
}

// FamilyNames lists the names ParseFamily accepts, "auto" first.
func FamilyNames() []string { return append([]string(nil), familyNames[:]...) }

// ParseFamily reads a family name (case-insensitive). The names of the
// versions each family covers are accepted too: yolov7 and yolov6 for
// YOLOv5, yolov9 and yolo11 for YOLOv8, yolov10 for NMS, ultraface for SSD.
func ParseFamily(s string) (Family, error) {
	s = strings.ToLower(s)
	for f, name := range familyNames {
		if s == name {
			return Family(f), nil
		}
	}
	switch s {
	case "yolov6", "yolov7":
		return YOLOv5, nil
	case "yolov9", "yolo11", "yolov11":
		return YOLOv8, nil
	case "yolov10", "end2end":
		return NMS, nil
	case "ultraface":
		return SSD, nil
	}
	return 0, fmt.Errorf("detect: unknown family %q (want one of %s)", s, strings.Join(FamilyNames(), ", "))
}

// faces reports whether the head detects faces (one class, "face"): the
// face families, and one-class SSDs (UltraFace).
func (hd *head) faces() bool {
	switch hd.family {
	case RetinaFace, BlazeFace, SCRFD, YuNet:
		return true
	case SSD:
		return hd.classes == 1
	}
	return false
}

// output is a model output as recognition sees it: its name and shape
// (from a run, or declared when every dimension is fixed).
type output struct {
	name  string
	shape []int
}

// rows returns the output as a matrix [n, d]: the shape without a leading
// batch axis of one, when that leaves rank 2 (rank 1 is [n, 1]).
func (o output) rows() (n, d int, ok bool) {
	s := o.shape
	if len(s) == 3 && s[0] == 1 {
		s = s[1:]
	}
	switch len(s) {
	case 1:
		return s[0], 1, true
	case 2:
		return s[0], s[1], true
	}
	return 0, 0, false
}

// level is one stride of a per-stride head (SCRFD, YuNet): the outputs
// holding its maps (-1: absent), its stride and anchors per cell.
type level struct {
	stride, anchors     int
	score, obj, box, lm int
}

// head is a recognised detector head: the family, which model outputs
// play which part, and what decoding needs besides.
type head struct {
	family    Family
	outs      []int // model outputs in the family's order (see decoders)
	classes   int
	landmarks int     // points per box
	strides   []int   // grid families
	regMax    int     // NanoDet: R
	priors    *priors // SSD with a raw head, RetinaFace, BlazeFace
	decoded   bool    // SSD: boxes decoded by the graph
	levels    []level // SCRFD, YuNet
	nmsCols   int     // NMS: 6, 7, or 4 for the four-output form
}

// gridCells is the number of cells of strides at a w x h input (each
// side rounded up, as a padded stride-2 convolution does).
func gridCells(w, h int, strides []int) int {
	n := 0
	for _, s := range strides {
		n += ceilDiv(w, s) * ceilDiv(h, s)
	}
	return n
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

var (
	strides3 = []int{8, 16, 32}
	strides4 = []int{8, 16, 32, 64}
)

// recognise finds the family of a model with outputs outs for a w x h
// input; want is the family asked for (Auto: any). g is the graph (for
// the raw-head test; may be nil).
func recognise(outs []output, g *onnx.Graph, w, h int, want Family) (*head, error) {
	var tried []string
	for _, r := range recognisers {
		if want != Auto && r.family != want {
			continue
		}
		hd, why := r.match(outs, g, w, h)
		if hd != nil {
			hd.family = r.family
			return hd, nil
		}
		if want != Auto {
			return nil, fmt.Errorf("outputs %s are not %s's: %s: %w", describe(outs), want, why, ErrNotDetector)
		}
		tried = append(tried, why)
	}
	return nil, fmt.Errorf("outputs %s match no detector family (%s; -family names one): %w",
		describe(outs), strings.Join(tried, "; "), ErrNotDetector)
}

func describe(outs []output) string {
	var b strings.Builder
	for i, o := range outs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s%v", o.name, o.shape)
	}
	return b.String()
}

// A recogniser tells whether outputs are its family's: a head, or nil
// and the reason it is not.
type recogniser struct {
	family Family
	match  func(outs []output, g *onnx.Graph, w, h int) (*head, string)
}

// recognisers are tried in order; the first match wins. Specific layouts
// come before the catch-all YOLOv5.
var recognisers = []recogniser{
	{NMS, matchNMS},
	{YOLOv8, matchYOLOv8},
	{YOLOX, matchYOLOX},
	{NanoDet, matchNanoDet},
	{SSD, matchSSD},
	{RetinaFace, matchRetinaFace},
	{BlazeFace, matchBlazeFace},
	{SCRFD, func(o []output, _ *onnx.Graph, w, h int) (*head, string) { return matchStrided(o, w, h, 1) }},
	{YuNet, func(o []output, _ *onnx.Graph, w, h int) (*head, string) { return matchStrided(o, w, h, 2) }},
	{YOLOv5, matchYOLOv5},
}

// single returns the one output's matrix form.
func single(outs []output) (n, d int, why string) {
	if len(outs) != 1 {
		return 0, 0, fmt.Sprintf("%d outputs, want 1", len(outs))
	}
	n, d, ok := outs[0].rows()
	if !ok {
		return 0, 0, fmt.Sprintf("output rank %d, want [1, A, B]", len(outs[0].shape))
	}
	return n, d, ""
}

// anchorsPerCell is the anchor count of YOLOv5-style heads.
const anchorsPerCell = 3

func matchYOLOv5(outs []output, g *onnx.Graph, w, h int) (*head, string) {
	n, d, why := single(outs)
	switch {
	case why != "":
		return nil, "yolov5: " + why
	case d < 6 || n < d:
		return nil, fmt.Sprintf("yolov5: [%d, %d] is not [N, 5+C]", n, d)
	}
	return &head{outs: []int{0}, classes: d - 5}, ""
}

func matchYOLOv8(outs []output, g *onnx.Graph, w, h int) (*head, string) {
	c, n, why := single(outs)
	switch {
	case why != "":
		return nil, "yolov8: " + why
	case c < 5 || c >= n:
		return nil, fmt.Sprintf("yolov8: [%d, %d] is not [4+C, N] with N > 4+C", c, n)
	}
	return &head{outs: []int{0}, classes: c - 4}, ""
}

func matchYOLOX(outs []output, g *onnx.Graph, w, h int) (*head, string) {
	n, d, why := single(outs)
	switch {
	case why != "":
		return nil, "yolox: " + why
	case d < 6 || n != gridCells(w, h, strides3):
		return nil, fmt.Sprintf("yolox: [%d, %d] is not [N, 5+C] with N = %d cells of strides 8, 16, 32", n, d, gridCells(w, h, strides3))
	case !rawHead(g, outs[0].name):
		return nil, "yolox: the graph decodes the boxes (a YOLOv5-style output)"
	}
	return &head{outs: []int{0}, classes: d - 5, strides: strides3}, ""
}

// nanoDetRegMax is NanoDet-Plus's R: distances are distributions over 8 bins.
const nanoDetRegMax = 7

func matchNanoDet(outs []output, g *onnx.Graph, w, h int) (*head, string) {
	n, d, why := single(outs)
	reg := 4 * (nanoDetRegMax + 1)
	switch {
	case why != "":
		return nil, "nanodet: " + why
	case d <= reg || n != gridCells(w, h, strides4):
		return nil, fmt.Sprintf("nanodet: [%d, %d] is not [N, C+32] with N = %d cells of strides 8 to 64", n, d, gridCells(w, h, strides4))
	case !rawHead(g, outs[0].name):
		return nil, "nanodet: the graph decodes the boxes"
	}
	return &head{outs: []int{0}, classes: d - reg, strides: strides4, regMax: nanoDetRegMax}, ""
}

// byWidth returns the index of the one output of matrix width d, -1 if
// none, -2 if several; n is its row count.
func byWidth(outs []output, d int) (idx, n int) {
	idx = -1
	for i, o := range outs {
		if rn, rd, ok := o.rows(); ok && rd == d {
			if idx >= 0 {
				return -2, 0
			}
			idx, n = i, rn
		}
	}
	return idx, n
}

func matchSSD(outs []output, g *onnx.Graph, w, h int) (*head, string) {
	if len(outs) != 2 {
		return nil, fmt.Sprintf("ssd: %d outputs, want boxes and scores", len(outs))
	}
	b, n := byWidth(outs, 4)
	if b < 0 {
		return nil, "ssd: no boxes output [N, 4]"
	}
	s := 1 - b
	sn, k, ok := outs[s].rows()
	if !ok || sn != n || k < 2 {
		return nil, fmt.Sprintf("ssd: scores %v are not [%d, K] with K >= 2", outs[s].shape, n)
	}
	hd := &head{outs: []int{b, s}, classes: k - 1, decoded: !rawHead(g, outs[b].name)}
	if !hd.decoded {
		hd.priors = &ultraFacePriors
		if c := hd.priors.count(w, h); c != n {
			return nil, fmt.Sprintf("ssd: raw boxes for %d priors, UltraFace's priors at %dx%d are %d", n, w, h, c)
		}
	}
	return hd, ""
}

func matchRetinaFace(outs []output, g *onnx.Graph, w, h int) (*head, string) {
	if len(outs) != 3 {
		return nil, fmt.Sprintf("retinaface: %d outputs, want 3", len(outs))
	}
	b, n := byWidth(outs, 4)
	s, sn := byWidth(outs, 2)
	l, ln := byWidth(outs, 10)
	switch {
	case b < 0 || s < 0 || l < 0 || sn != n || ln != n:
		return nil, "retinaface: not [N, 4], [N, 2] and [N, 10]"
	case retinaFacePriors.count(w, h) != n:
		return nil, fmt.Sprintf("retinaface: %d priors, RetinaFace's at %dx%d are %d", n, w, h, retinaFacePriors.count(w, h))
	}
	return &head{outs: []int{b, s, l}, classes: 1, landmarks: 5, priors: &retinaFacePriors}, ""
}

func matchBlazeFace(outs []output, g *onnx.Graph, w, h int) (*head, string) {
	if len(outs) != 2 {
		return nil, fmt.Sprintf("blazeface: %d outputs, want 2", len(outs))
	}
	s, n := byWidth(outs, 1)
	if s < 0 {
		return nil, "blazeface: no score output [N, 1]"
	}
	b := 1 - s
	bn, d, ok := outs[b].rows()
	if !ok || bn != n || d < 4 || (d-4)%2 != 0 {
		return nil, fmt.Sprintf("blazeface: %v is not [%d, 4+2L]", outs[b].shape, n)
	}
	p := blazeFaceAnchors(w, h, n)
	if p == nil {
		return nil, fmt.Sprintf("blazeface: %d anchors is not MediaPipe's count at %dx%d", n, w, h)
	}
	return &head{outs: []int{b, s}, classes: 1, landmarks: (d - 4) / 2, priors: p}, ""
}

// matchStrided recognises per-stride heads with k score maps per stride
// (1: SCRFD, 2: YuNet). Outputs are told apart by width (1 score, 4 box,
// 10 landmarks) and their strides by their row counts; YuNet's class and
// objectness maps are told apart by name ("cls", "obj") or else by order.
func matchStrided(outs []output, w, h, k int) (*head, string) {
	name := map[int]string{1: "scrfd", 2: "yunet"}[k]
	groups := map[int][]int{} // width -> outputs
	for i, o := range outs {
		_, d, ok := o.rows()
		if !ok || (d != 1 && d != 4 && d != 10) {
			return nil, fmt.Sprintf("%s: output %s%v is not [N, 1], [N, 4] or [N, 10]", name, o.name, o.shape)
		}
		groups[d] = append(groups[d], i)
	}
	nl := len(groups[4])
	if nl < 2 || len(groups[1]) != k*nl || (len(groups[10]) != 0 && len(groups[10]) != nl) || (k == 2 && len(groups[10]) == 0) {
		return nil, fmt.Sprintf("%s: want per stride (two or more) %d score map(s), a box map%s", name, k,
			map[bool]string{true: " and a landmark map", false: " and maybe a landmark map"}[k == 2])
	}
	rows := func(i int) int { n, _, _ := outs[i].rows(); return n }
	sortByRows := func(idx []int) {
		slices.SortStableFunc(idx, func(a, b int) int { return rows(b) - rows(a) })
	}
	boxes := slices.Clone(groups[4])
	sortByRows(boxes)
	scores := slices.Clone(groups[1])
	if k == 2 {
		slices.SortStableFunc(scores, func(a, b int) int {
			return yunetRank(outs[a].name) - yunetRank(outs[b].name)
		})
	}
	hd := &head{classes: 1}
	if len(groups[10]) > 0 {
		hd.landmarks = 5
	}
	lms := slices.Clone(groups[10])
	sortByRows(lms)
	s := 8
	for li, b := range boxes {
		n := rows(b)
		lv := level{box: b, score: -1, obj: -1, lm: -1}
		for ; s <= 128; s *= 2 {
			c := ceilDiv(w, s) * ceilDiv(h, s)
			if n == c || (k == 1 && n == 2*c) {
				lv.stride, lv.anchors = s, n/c
				break
			}
		}
		if lv.stride == 0 {
			return nil, fmt.Sprintf("%s: %d rows are no stride's cells at %dx%d", name, n, w, h)
		}
		s *= 2
		// the score maps of this stride: the first unused ones with n rows,
		// class before objectness
		for _, si := range scores {
			if rows(si) != n || si == lv.score {
				continue
			}
			if lv.score < 0 {
				lv.score = si
			} else if k == 2 && lv.obj < 0 {
				lv.obj = si
			}
		}
		if lv.score < 0 || (k == 2 && lv.obj < 0) {
			return nil, fmt.Sprintf("%s: stride %d has no score map of %d rows", name, lv.stride, n)
		}
		scores = slices.DeleteFunc(scores, func(i int) bool { return i == lv.score || i == lv.obj })
		if hd.landmarks > 0 {
			if rows(lms[li]) != n {
				return nil, fmt.Sprintf("%s: stride %d's landmarks have %d rows, want %d", name, lv.stride, rows(lms[li]), n)
			}
			lv.lm = lms[li]
		}
		hd.levels = append(hd.levels, lv)
	}
	return hd, ""
}

// yunetRank orders YuNet's score maps: class before objectness by name,
// else as given.
func yunetRank(name string) int {
	switch n := strings.ToLower(name); {
	case strings.Contains(n, "cls"):
		return 0
	case strings.Contains(n, "obj"):
		return 1
	}
	return 0
}

func matchNMS(outs []output, g *onnx.Graph, w, h int) (*head, string) {
	if len(outs) == 4 {
		b, k := byWidth(outs, 4)
		if b >= 0 {
			hd := &head{outs: []int{b, -1, -1, -1}, nmsCols: 4}
			// the others: a count of one element, then scores and classes
			// of k elements, in that order
			for i, o := range outs {
				if i == b {
					continue
				}
				n, d, ok := o.rows()
				switch {
				case ok && n*d == 1 && hd.outs[1] < 0:
					hd.outs[1] = i
				case ok && n*d == k && hd.outs[2] < 0:
					hd.outs[2] = i
				case ok && n*d == k:
					hd.outs[3] = i
				}
			}
			if !slices.Contains(hd.outs, -1) {
				if strings.Contains(strings.ToLower(outs[hd.outs[2]].name), "class") {
					hd.outs[2], hd.outs[3] = hd.outs[3], hd.outs[2]
				}
				return hd, ""
			}
		}
		return nil, "nms: four outputs that are not a count, boxes [K, 4], scores [K] and classes [K]"
	}
	n, d, why := single(outs)
	switch {
	case why != "":
		return nil, "nms: " + why
	case (d == 6 || d == 7) && n > 0 && !denseCount(n, w, h):
		return &head{outs: []int{0}, nmsCols: d}, ""
	}
	return nil, fmt.Sprintf("nms: [%d, %d] is not detections [K, 6] or [K, 7] (K not a count of grid cells or anchors)", n, d)
}

// denseCount reports whether n is the row count of a dense YOLO-style
// head at w x h: one or three anchors per cell of strides 8 to 32 or 8
// to 64. A [N, 6] or [N, 7] output with such N is a one- or two-class
// YOLO head, not detections after a suppression.
func denseCount(n, w, h int) bool {
	for _, s := range [][]int{strides3, strides4} {
		if c := gridCells(w, h, s); n == c || n == anchorsPerCell*c {
			return true
		}
	}
	return false
}
