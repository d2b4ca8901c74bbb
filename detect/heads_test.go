package detect

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// headBuilder builds small detector-shaped ONNX graphs for the families
// with no real model in ../shared: for each stride, the image is
// average-pooled by the stride and a 1x1 convolution with seeded weights
// gives a map, laid out and combined as the family's exporters do. Their
// scores depend on the photo, so real photos give real (meaningless)
// detections with the family's output layout.
type headBuilder struct {
	g      onnx.Graph
	n      int
	seed   uint64
	w, h   int     // input size; 0 for symbolic
	wscale float32 // convolution weights' scale (1/255 for 0..255 inputs)
}

func newHeadBuilder(w, h int, seed uint64, wscale float32) *headBuilder {
	b := &headBuilder{seed: seed, w: w, h: h, wscale: wscale}
	dim := func(v int, name string) onnx.Dim {
		if v == 0 {
			return onnx.Dim{Param: name, Known: true}
		}
		return onnx.Dim{Value: int64(v), Known: true}
	}
	b.g.Name = "head"
	b.g.Inputs = []*onnx.ValueInfo{{Name: "images", Type: onnx.TypeInfo{Kind: onnx.KindTensor, Elem: onnx.Float,
		Shape: []onnx.Dim{dim(1, ""), dim(3, ""), dim(h, "height"), dim(w, "width")}, HasShape: true}}}
	return b
}

func (b *headBuilder) model() *onnx.Model {
	return &onnx.Model{IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: 13}}, ProducerName: "pytorch", Graph: &b.g}
}

func (b *headBuilder) next() float32 {
	b.seed = b.seed*6364136223846793005 + 1442695040888963407
	return float32(int64(b.seed>>11)%2001-1000) / 1000 // -1..1
}

func (b *headBuilder) tensor(dims []int64, vals []float32) string {
	b.n++
	name := fmt.Sprintf("c%d", b.n)
	raw := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	b.g.Initializer = append(b.g.Initializer, &onnx.Tensor{Name: name, DataType: onnx.Float, Dims: dims, RawData: raw})
	return name
}

func (b *headBuilder) ints(v ...int64) string {
	b.n++
	name := fmt.Sprintf("c%d", b.n)
	b.g.Initializer = append(b.g.Initializer, &onnx.Tensor{Name: name, DataType: onnx.Int64, Dims: []int64{int64(len(v))}, Int64Data: v})
	return name
}

func (b *headBuilder) node(op string, ins []string, attrs ...*onnx.Attribute) string {
	b.n++
	out := fmt.Sprintf("v%d", b.n)
	b.g.Nodes = append(b.g.Nodes, &onnx.Node{Name: out, OpType: op, Inputs: ins, Outputs: []string{out}, Attrs: attrs})
	return out
}

func ints(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func intAttr(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

// conv is a stride-s map of ch channels: AveragePool(s) then a 1x1 Conv
// with weights spread std and bias bias (plus a small seeded spread).
func (b *headBuilder) conv(s, ch int, std, bias float32) string {
	p := b.node("AveragePool", []string{"images"}, ints("kernel_shape", int64(s), int64(s)), ints("strides", int64(s), int64(s)),
		intAttr("ceil_mode", 1))
	w := make([]float32, ch*3)
	for i := range w {
		w[i] = b.next() * std * b.wscale
	}
	bs := make([]float32, ch)
	for i := range bs {
		bs[i] = bias + 0.5*b.next()
	}
	return b.node("Conv", []string{p, b.tensor([]int64{int64(ch), 3, 1, 1}, w), b.tensor([]int64{int64(ch)}, bs)},
		ints("kernel_shape", 1, 1))
}

// rows lays a map [1, a*c, h, w] out as [1, h*w*a, c]: cell by cell, the
// anchors of a cell consecutive.
func (b *headBuilder) rows(x string, c, a int) string {
	x = b.node("Reshape", []string{x, b.ints(1, int64(a*c), -1)})
	x = b.node("Transpose", []string{x}, ints("perm", 0, 2, 1))
	return b.node("Reshape", []string{x, b.ints(1, -1, int64(c))})
}

func (b *headBuilder) concat(axis int64, xs ...string) string {
	return b.node("Concat", xs, intAttr("axis", axis))
}

// output names x as a graph output called name, its shape undeclared.
func (b *headBuilder) output(x, name string) {
	b.g.Nodes = append(b.g.Nodes, &onnx.Node{Name: "out_" + name, OpType: "Identity", Inputs: []string{x}, Outputs: []string{name}})
	b.g.Outputs = append(b.g.Outputs, &onnx.ValueInfo{Name: name, Type: onnx.TypeInfo{Kind: onnx.KindTensor, Elem: onnx.Float}})
}

// gridConsts returns the per-row constants [1, N, 4] of a decoding in the
// graph: grid (x, y, base, base) and scale (s, s, k s, k s) for cells of
// strides at w x h with a anchors per cell.
func (b *headBuilder) gridConsts(strides []int, a int, base, k float32) (grid, scale string) {
	var g, s []float32
	for _, st := range strides {
		for y := range ceilDiv(b.h, st) {
			for x := range ceilDiv(b.w, st) {
				for range a {
					g = append(g, float32(x), float32(y), base, base)
					f := float32(st)
					s = append(s, f, f, k*f, k*f)
				}
			}
		}
	}
	n := int64(len(g) / 4)
	return b.tensor([]int64{1, n, 4}, g), b.tensor([]int64{1, n, 4}, s)
}

// yoloModel is a YOLOv8-shaped head ([1, 4+C, N], decoded boxes, sigmoid
// class scores) or, with v5, a YOLOv5-shaped one ([1, 3N, 5+C] with an
// objectness).
func yoloModel(w, h, classes int, v5 bool) *onnx.Model {
	b := newHeadBuilder(w, h, 5, 1)
	a := 1
	if v5 {
		a = 3
	}
	var boxes, objs, clss []string
	for _, s := range strides3 {
		boxes = append(boxes, b.rows(b.conv(s, 4*a, 2, 0), 4, a))
		clss = append(clss, b.rows(b.conv(s, classes*a, 1.5, map[bool]float32{false: -4.5, true: -2.5}[v5]), classes, a))
		if v5 {
			objs = append(objs, b.rows(b.conv(s, a, 1, 1), 1, a))
		}
	}
	grid, scale := b.gridConsts(strides3, a, 0.5, 4)
	box := b.node("Mul", []string{b.node("Add", []string{b.node("Sigmoid", []string{b.concat(1, boxes...)}), grid}), scale})
	cls := b.node("Sigmoid", []string{b.concat(1, clss...)})
	if v5 {
		obj := b.node("Sigmoid", []string{b.concat(1, objs...)})
		b.output(b.concat(2, box, obj, cls), "output0")
	} else {
		b.output(b.node("Transpose", []string{b.concat(2, box, cls)}, ints("perm", 0, 2, 1)), "output0")
	}
	return b.model()
}

// nanoDetModel is a NanoDet-Plus-shaped raw head [1, N, C+32] over
// strides 8 to 64.
func nanoDetModel(w, h, classes int) *onnx.Model {
	b := newHeadBuilder(w, h, 7, 1)
	var levels []string
	for _, s := range strides4 {
		cls := b.node("Sigmoid", []string{b.rows(b.conv(s, classes, 1.5, -3), classes, 1)})
		reg := b.rows(b.conv(s, 32, 3, 0), 32, 1)
		levels = append(levels, b.concat(2, cls, reg))
	}
	b.output(b.concat(1, levels...), "output")
	return b.model()
}

// ssdModel is an UltraFace-shaped raw SSD head: scores [1, N, 2] (softmax)
// and boxes [1, N, 4] on UltraFace's priors.
func ssdModel(w, h int) *onnx.Model {
	b := newHeadBuilder(w, h, 11, 1)
	var scores, boxes []string
	for l, s := range ultraFacePriors.strides {
		a := len(ultraFacePriors.sizes[l])
		scores = append(scores, b.rows(b.conv(s, 2*a, 3, 0), 2, a))
		boxes = append(boxes, b.rows(b.conv(s, 4*a, 2, 0), 4, a))
	}
	b.output(b.node("Softmax", []string{b.concat(1, scores...)}, intAttr("axis", -1)), "scores")
	b.output(b.concat(1, boxes...), "boxes")
	return b.model()
}

// retinaFaceModel is a RetinaFace-shaped head: loc [1, N, 4], conf
// [1, N, 2] (softmax), landmarks [1, N, 10] on RetinaFace's priors.
func retinaFaceModel(w, h int) *onnx.Model {
	b := newHeadBuilder(w, h, 13, 1.0/255)
	var loc, conf, lms []string
	for _, s := range retinaFacePriors.strides {
		loc = append(loc, b.rows(b.conv(s, 8, 2, 0), 4, 2))
		conf = append(conf, b.rows(b.conv(s, 4, 4, 0), 2, 2))
		lms = append(lms, b.rows(b.conv(s, 20, 2, 0), 10, 2))
	}
	b.output(b.concat(1, loc...), "loc")
	b.output(b.node("Softmax", []string{b.concat(1, conf...)}, intAttr("axis", -1)), "conf")
	b.output(b.concat(1, lms...), "landms")
	return b.model()
}

// scrfdModel is an SCRFD-shaped head (InsightFace's export: per stride 8,
// 16, 32 with two anchors per cell, scores [N, 1], distances [N, 4] and
// landmarks [N, 10] without a batch axis, outputs grouped by kind).
func scrfdModel(w, h int) *onnx.Model {
	b := newHeadBuilder(w, h, 17, 1)
	flat := func(x string, c int) string {
		return b.node("Reshape", []string{b.rows(x, c, 2), b.ints(-1, int64(c))})
	}
	var scores, boxes, lms []string
	for _, s := range strides3 {
		scores = append(scores, b.node("Sigmoid", []string{flat(b.conv(s, 2, 3, -1), 1)}))
		d := b.node("Sigmoid", []string{flat(b.conv(s, 8, 2, 0), 4)})
		boxes = append(boxes, b.node("Mul", []string{d, b.tensor(nil, []float32{3})}))
		lms = append(lms, flat(b.conv(s, 20, 2, 0), 10))
	}
	for i, s := range strides3 {
		b.output(scores[i], fmt.Sprintf("score_%d", s))
	}
	for i, s := range strides3 {
		b.output(boxes[i], fmt.Sprintf("bbox_%d", s))
	}
	for i, s := range strides3 {
		b.output(lms[i], fmt.Sprintf("kps_%d", s))
	}
	return b.model()
}

// yuNetModel is a YuNet-shaped head (OpenCV's 2023 export: per stride 8,
// 16, 32, cls, obj [1, N, 1], bbox [1, N, 4], kps [1, N, 10]).
func yuNetModel(w, h int) *onnx.Model {
	b := newHeadBuilder(w, h, 19, 1.0/255)
	outs := map[string][]string{}
	for _, s := range strides3 {
		outs["cls"] = append(outs["cls"], b.node("Sigmoid", []string{b.rows(b.conv(s, 1, 4, 0), 1, 1)}))
		outs["obj"] = append(outs["obj"], b.node("Sigmoid", []string{b.rows(b.conv(s, 1, 4, 1), 1, 1)}))
		outs["bbox"] = append(outs["bbox"], b.rows(b.conv(s, 4, 1, 0.5), 4, 1))
		outs["kps"] = append(outs["kps"], b.rows(b.conv(s, 10, 2, 0), 10, 1))
	}
	for _, kind := range []string{"cls", "obj", "bbox", "kps"} {
		for i, s := range strides3 {
			b.output(outs[kind][i], fmt.Sprintf("%s_%d", kind, s))
		}
	}
	return b.model()
}

// constModel outputs fixed tensors (plus 0 x the image's mean, so that the
// image is an input): detections of a model that suppresses inside.
func constModel(w, h int, outs map[string][]float32, dims map[string][]int64, order []string) *onnx.Model {
	b := newHeadBuilder(w, h, 1, 1)
	zero := b.node("Mul", []string{b.node("ReduceMean", []string{"images"}, intAttr("keepdims", 0)), b.tensor(nil, []float32{0})})
	for _, name := range order {
		b.output(b.node("Add", []string{b.tensor(dims[name], outs[name]), zero}), name)
	}
	return b.model()
}
