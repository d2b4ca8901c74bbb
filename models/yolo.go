package models

import "fmt"

// yoloSize is the YOLOv8 detector's input side.
const yoloSize = 640

// yoloStrides are the downsampling factors of the detector's three levels.
var yoloStrides = []int64{8, 16, 32}

// yoloAnchors is the number of grid cells (anchors) over the three levels
// at yoloSize: 80x80 + 40x40 + 20x20 = 8400.
func yoloAnchors() int64 {
	var n int64
	for _, s := range yoloStrides {
		n += (yoloSize / s) * (yoloSize / s)
	}
	return n
}

// yolov8n builds ultralytics' YOLOv8n (yolov8.yaml at depth 0.33, width
// 0.25, 80 classes) as its ONNX export writes it: Conv modules of conv,
// batch norm (eps 0.001) and SiLU; C2f blocks (Split, bottlenecks,
// Concat); SPPF (three chained 5x5 max pools); a neck with nearest Resize
// upsampling; and the Detect head with its box decoding (distribution focal
// loss softmax, anchors, strides), giving [N, 84, 8400]: box centre x, y,
// width, height in pixels, then the 80 class probabilities.
func (b *graphBuilder) yolov8n(x string) string {
	b.layout = named
	b.bn = bnConfig{eps: 0.001, momentum: 0.03}
	conv := func(i int, x string, cin, cout int64) string {
		return b.cna(fmt.Sprintf("model.%d", i), x, unit{cin: cin, cout: cout, k: 3, stride: 2, act: actSiLU})
	}
	x = conv(0, x, 3, 16)
	x = b.c2f("model.2", conv(1, x, 16, 32), 32, 32, 1, true)
	p3 := b.c2f("model.4", conv(3, x, 32, 64), 64, 64, 2, true)
	p4 := b.c2f("model.6", conv(5, p3, 64, 128), 128, 128, 2, true)
	x = b.c2f("model.8", conv(7, p4, 128, 256), 256, 256, 1, true)
	p5 := b.sppf("model.9", x, 256, 256)
	h4 := b.c2f("model.12", b.concat("model.11", 1, b.upsample("model.10", p5), p4), 384, 128, 1, false)
	o3 := b.c2f("model.15", b.concat("model.14", 1, b.upsample("model.13", h4), p3), 192, 64, 1, false)
	o4 := b.c2f("model.18", b.concat("model.17", 1, conv(16, o3, 64, 64), h4), 192, 128, 1, false)
	o5 := b.c2f("model.21", b.concat("model.20", 1, conv(19, o4, 128, 128), p5), 384, 256, 1, false)
	return b.detect("model.22", []string{o3, o4, o5}, []int64{64, 128, 256})
}

// silu1 is a Conv module with a k x k window, stride 1 and SiLU.
func silu1(cin, cout, k int64) unit { return unit{cin: cin, cout: cout, k: k, act: actSiLU} }

// c2f emits ultralytics' C2f at path p with n bottlenecks: a 1x1 conv to
// cout channels split in two halves, each bottleneck (two 3x3 convs, plus
// its input if shortcut) applied to the last piece, all pieces concatenated
// and mixed by a 1x1 conv.
func (b *graphBuilder) c2f(p, x string, cin, cout int64, n int, shortcut bool) string {
	c := cout / 2
	ys := b.split(p, b.cna(p+".cv1", x, silu1(cin, 2*c, 1)), 1, c, c)
	for i := range n {
		q := fmt.Sprintf("%s.m.%d", p, i)
		in := ys[len(ys)-1]
		u := silu1(c, c, 3)
		u.last = shortcut
		y := b.cna(q+".cv2", b.cna(q+".cv1", in, silu1(c, c, 3)), u)
		if shortcut {
			y = b.node(q, "Add", []string{in, y})
		}
		ys = append(ys, y)
	}
	return b.cna(p+".cv2", b.concat(p, 1, ys...), silu1(int64(2+n)*c, cout, 1))
}

// sppf emits ultralytics' SPPF at path p: a 1x1 conv halving the channels,
// three chained 5x5 stride-1 max pools, the four maps concatenated and a
// 1x1 conv.
func (b *graphBuilder) sppf(p, x string, cin, cout int64) string {
	ys := []string{b.cna(p+".cv1", x, silu1(cin, cin/2, 1))}
	for range 3 {
		ys = append(ys, b.pool(p+".m", "MaxPool", ys[len(ys)-1], same(5, 1), false))
	}
	return b.cna(p+".cv2", b.concat(p, 1, ys...), silu1(2*cin, cout, 1))
}

// upsample emits nn.Upsample(scale_factor=2, mode="nearest") as a Resize
// with scales [1, 1, 2, 2] and no roi.
func (b *graphBuilder) upsample(p, x string) string {
	scales := b.constant(p, floatTensor("", []int64{4}, func(i int) float32 { return float32(1 + i/2) }))
	return b.node(p, "Resize", []string{x, "", scales},
		stringAttr("coordinate_transformation_mode", "asymmetric"), floatAttr("cubic_coeff_a", -0.75),
		stringAttr("mode", "nearest"), stringAttr("nearest_mode", "floor"))
}

// detect emits ultralytics' Detect head at path p on the three levels xs
// (channels chs): per level, a box branch (two 3x3 Conv modules, a 1x1 conv
// to 4x16 distribution bins) and a class branch (two 3x3, a 1x1 to 80),
// concatenated and flattened to [N, 144, cells]; then the levels
// concatenated, the bins turned into distances (softmax, expectation by a
// fixed 1x1 conv), distances into boxes around the anchors, scaled by the
// strides, beside the class sigmoids.
func (b *graphBuilder) detect(p string, xs []string, chs []int64) string {
	const classes, bins = 80, 16
	boxC, clsC := max(16, chs[0]/4, 4*bins), max(chs[0], min(classes, 100))
	levels := make([]string, len(xs))
	for i, x := range xs {
		q := func(branch string, j int) string { return fmt.Sprintf("%s.%s.%d.%d", p, branch, i, j) }
		box := b.cna(q("cv2", 1), b.cna(q("cv2", 0), x, silu1(chs[i], boxC, 3)), silu1(boxC, boxC, 3))
		box = b.conv(q("cv2", 2), box, boxC, 4*bins, 1, same(1, 1), true)
		cls := b.cna(q("cv3", 1), b.cna(q("cv3", 0), x, silu1(chs[i], clsC, 3)), silu1(clsC, clsC, 3))
		cls = b.conv(q("cv3", 2), cls, clsC, classes, 1, same(1, 1), true)
		levels[i] = b.view(p, b.concat(p, 1, box, cls), 4*bins+classes, -1)
	}
	cells := yoloAnchors()
	parts := b.split(p, b.concat(p, 2, levels...), 1, 4*bins, classes)
	d := b.view(p+".dfl", parts[0], 4, bins, cells)
	d = b.node(p+".dfl", "Softmax", []string{b.node(p+".dfl", "Transpose", []string{d}, intsAttr("perm", 0, 2, 1, 3))}, intAttr("axis", 1))
	bins01 := b.param(p+".dfl.conv.weight", []int64{1, bins, 1, 1}, func(i int) float32 { return float32(i) })
	d = b.view(p+".dfl", b.node(p+".dfl.conv", "Conv", []string{d, bins01}, convAttrs(same(1, 1), 1)...), 4, cells)
	lt := b.node(p, "Slice", []string{d, b.ints(p, 0), b.ints(p, 2), b.ints(p, 1)})
	rb := b.node(p, "Slice", []string{d, b.ints(p, 2), b.ints(p, 4), b.ints(p, 1)})
	anchors, strides := yoloGrid()
	a := b.constant(p, floatTensor("", []int64{1, 2, cells}, func(i int) float32 { return anchors[i] }))
	x1y1 := b.node(p, "Sub", []string{a, lt})
	x2y2 := b.node(p, "Add", []string{a, rb})
	centre := b.node(p, "Div", []string{b.node(p, "Add", []string{x1y1, x2y2}), b.scalar(p, 2)})
	wh := b.node(p, "Sub", []string{x2y2, x1y1})
	s := b.constant(p, floatTensor("", []int64{1, cells}, func(i int) float32 { return strides[i] }))
	boxes := b.node(p, "Mul", []string{b.concat(p, 1, centre, wh), s})
	return b.concat(p, 1, boxes, b.node(p, "Sigmoid", []string{parts[1]}))
}

// yoloGrid returns ultralytics' make_anchors at yoloSize, transposed as the
// head uses them: the cell centres in grid units (all x, then all y; rows
// of each level in order) and each cell's stride.
func yoloGrid() (anchors, strides []float32) {
	cells := int(yoloAnchors())
	anchors, strides = make([]float32, 2*cells), make([]float32, 0, cells)
	for _, s := range yoloStrides {
		side := int(yoloSize / s)
		for y := range side {
			for x := range side {
				i := len(strides)
				anchors[i], anchors[cells+i] = float32(x)+0.5, float32(y)+0.5
				strides = append(strides, float32(s))
			}
		}
	}
	return anchors, strides
}
