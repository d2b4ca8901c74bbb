package models

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// bnDefaults is torch.nn.BatchNorm2d's default eps and momentum.
var bnDefaults = bnConfig{eps: 1e-5, momentum: 0.1}

// bnConfig is a network's BatchNorm2d eps and momentum (torch.onnx writes
// momentum as 1 - momentum).
type bnConfig struct{ eps, momentum float32 }

// graphBuilder accumulates the nodes and initializers of one network in the
// shape of a torch.onnx export: initializers named after the module's
// state_dict keys, nodes named "/module/path/OpType" with outputs
// "<node name>_output_0".
type graphBuilder struct {
	seed   uint64
	foldBN bool
	bn     bnConfig
	layout layout // names the parts of a conv-norm-activation module
	g      onnx.Graph
	used   map[string]int // node names issued so far, to number repeats
}

// param adds a float initializer and returns its name.
func (b *graphBuilder) param(name string, dims []int64, value func(i int) float32) string {
	b.g.Initializer = append(b.g.Initializer, floatTensor(name, dims, value))
	return name
}

// drawn adds an initializer holding the first values of its own stream.
func (b *graphBuilder) drawn(name string, dims []int64, next func() float32) string {
	return b.param(name, dims, func(int) float32 { return next() })
}

// node appends a node for module path (e.g. "layer1.0.conv1") and returns its
// single output's name.
func (b *graphBuilder) node(path, op string, inputs []string, attrs ...*onnx.Attribute) string {
	return b.nodeN(path, op, inputs, 1, attrs...)[0]
}

// nodeN appends a node with n outputs ("<node name>_output_K") and returns
// their names.
func (b *graphBuilder) nodeN(path, op string, inputs []string, n int, attrs ...*onnx.Attribute) []string {
	name := "/" + op
	if path != "" {
		name = "/" + strings.ReplaceAll(path, ".", "/") + name
	}
	k := b.used[name]
	b.used[name]++
	if k > 0 {
		name = fmt.Sprintf("%s_%d", name, k)
	}
	outs := make([]string, n)
	for i := range outs {
		outs[i] = fmt.Sprintf("%s_output_%d", name, i)
	}
	b.g.Nodes = append(b.g.Nodes, &onnx.Node{Name: name, OpType: op, Inputs: inputs, Outputs: outs, Attrs: attrs})
	return outs
}

// constant emits a Constant node under module path, as torch.onnx writes the
// Python numbers a forward pass uses (a reshape's sizes, a Clip's bounds).
func (b *graphBuilder) constant(path string, t *onnx.Tensor) string {
	return b.node(path, "Constant", nil, &onnx.Attribute{Name: "value", Type: onnx.AttrTensor, T: t})
}

// ints emits a Constant holding the int64 vector v.
func (b *graphBuilder) ints(path string, v ...int64) string {
	return b.constant(path, int64Tensor([]int64{int64(len(v))}, v...))
}

// int64Tensor is an int64 tensor of the given dims (nil: a scalar) holding v.
func int64Tensor(dims []int64, v ...int64) *onnx.Tensor {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	return &onnx.Tensor{DataType: onnx.Int64, Dims: dims, RawData: raw}
}

// scalar emits a Constant holding the float scalar v.
func (b *graphBuilder) scalar(path string, v float32) string {
	return b.constant(path, floatTensor("", nil, func(int) float32 { return v }))
}

func intAttr(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

func floatAttr(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

func intsAttr(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func stringAttr(name, v string) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrString, S: []byte(v)}
}

// window is the geometry of a square convolution or pooling window.
type window struct{ k, stride, pad int64 }

// same is the k x k window with the padding that keeps a stride-1 output
// the size of its input, (k-1)/2: torchvision's and ultralytics' default.
func same(k, stride int64) window { return window{k, stride, (k - 1) / 2} }

// attrs are the attributes torch.onnx writes for the window (dilations and
// group are added by conv).
func (w window) attrs() []*onnx.Attribute {
	return []*onnx.Attribute{
		intsAttr("kernel_shape", w.k, w.k),
		intsAttr("pads", w.pad, w.pad, w.pad, w.pad),
		intsAttr("strides", w.stride, w.stride),
	}
}

// convAttrs are the attributes of a Conv node with window w and the given
// number of channel groups.
func convAttrs(w window, groups int64) []*onnx.Attribute {
	return append([]*onnx.Attribute{intsAttr("dilations", 1, 1), intAttr("group", groups)}, w.attrs()...)
}

// convWeight returns the generator of a conv weight with Kaiming scale
// (std = sqrt(2/fan_in), fan_in = cin/groups*k*k) and the weight's dims.
func (b *graphBuilder) convWeight(name string, cin, cout, groups int64, w window) (func() float32, []int64) {
	fanIn := cin / groups * w.k * w.k
	return symmetric(b.seed, name, math.Sqrt(2/float64(fanIn))), []int64{cout, cin / groups, w.k, w.k}
}

// conv emits a Conv (a torch nn.Conv2d), with a bias uniform in
// [-0.05, 0.05) when bias is set.
func (b *graphBuilder) conv(path, in string, cin, cout, groups int64, w window, bias bool) string {
	next, dims := b.convWeight(path+".weight", cin, cout, groups, w)
	ins := []string{in, b.drawn(path+".weight", dims, next)}
	if bias {
		ins = append(ins, b.drawn(path+".bias", []int64{cout}, stream(b.seed, path+".bias", -0.05, 0.05)))
	}
	return b.node(path, "Conv", ins, convAttrs(w, groups)...)
}

// gammas is the range [lo, hi) a batch norm's gammas are drawn from.
type gammas struct{ lo, hi float64 }

// Batch-norm gamma ranges. With Kaiming-scaled convolutions and running
// variances in [0.5, 1.5), gammas in [0.4, 1.2) give each conv+BN+ReLU a gain
// near one. The last norm of a residual branch gets a small gamma so each
// block adds a modest update to its shortcut: activations stay O(1) through
// ResNet-50's 16 blocks (RMS 1.2 after the stem, 2.0 before pooling; logits
// RMS 1.9) without the blocks collapsing to identities, as torchvision's
// zero_init_residual would make them.
var (
	reluGammas = gammas{0.4, 1.2}
	lastGammas = gammas{0.2, 0.5}
)

// bnParams are a batch norm's parameters and running statistics: gamma is
// uniform in g; beta and the running mean are uniform in
// [-0.1, 0.1), the running variance in [0.5, 1.5).
func (b *graphBuilder) bnParams(bn string, n int, g gammas) (gamma, beta, mean, variance []float32) {
	return draw(b.seed, bn+".weight", n, g.lo, g.hi), draw(b.seed, bn+".bias", n, -0.1, 0.1),
		draw(b.seed, bn+".running_mean", n, -0.1, 0.1), draw(b.seed, bn+".running_var", n, 0.5, 1.5)
}

// batchNorm emits a BatchNormalization node for module path bn over c
// channels: the form torch.onnx keeps when no Conv precedes the norm (or
// without constant folding).
func (b *graphBuilder) batchNorm(bn, in string, c int64, g gammas) string {
	gamma, beta, mean, variance := b.bnParams(bn, int(c), g)
	ins := []string{in}
	for _, p := range []struct {
		suffix string
		v      []float32
	}{{"weight", gamma}, {"bias", beta}, {"running_mean", mean}, {"running_var", variance}} {
		ins = append(ins, b.param(bn+"."+p.suffix, []int64{c}, func(i int) float32 { return p.v[i] }))
	}
	return b.node(bn, "BatchNormalization", ins, floatAttr("epsilon", b.bn.eps), floatAttr("momentum", 1-b.bn.momentum))
}

// convBN emits Conv (no bias) + BatchNormalization for module paths conv and
// bn, or in the folded variant one Conv whose weight and bias absorb the
// batch norm, as torch.onnx's constant folding does; the norm's gammas
// are drawn from g.
func (b *graphBuilder) convBN(conv, bn, in string, cin, cout, groups int64, w window, g gammas) string {
	if !b.foldBN {
		return b.batchNorm(bn, b.conv(conv, in, cin, cout, groups, w, false), cout, g)
	}
	next, dims := b.convWeight(conv+".weight", cin, cout, groups, w)
	n := int(cout)
	gamma, beta, mean, variance := b.bnParams(bn, n, g)
	// y = (conv(x) - mean) * scale + beta with scale = gamma/sqrt(var+eps).
	// Explicit float64 conversions keep each product rounded on its own
	// (no fused multiply-add), so folding is bit-reproducible.
	scale := make([]float64, n)
	for c := range scale {
		scale[c] = float64(gamma[c]) / math.Sqrt(float64(variance[c])+float64(b.bn.eps))
	}
	per := int(dims[1] * dims[2] * dims[3])
	wt := b.param(conv+".weight", dims, func(i int) float32 { return float32(float64(next()) * scale[i/per]) })
	bias := b.param(conv+".bias", []int64{cout}, func(c int) float32 {
		return float32(float64(beta[c]) - float64(float64(mean[c])*scale[c]))
	})
	return b.node(conv, "Conv", []string{in, wt, bias}, convAttrs(w, groups)...)
}

// relu emits a Relu under module path.
func (b *graphBuilder) relu(path, in string) string { return b.node(path, "Relu", []string{in}) }

// pool emits a MaxPool or AveragePool node as torch.onnx writes nn.MaxPool2d,
// nn.AvgPool2d and a divisible nn.AdaptiveAvgPool2d; ceil is ceil_mode.
func (b *graphBuilder) pool(path, op, in string, w window, ceil bool) string {
	c := int64(0)
	if ceil {
		c = 1
	}
	return b.node(path, op, []string{in}, append([]*onnx.Attribute{intAttr("ceil_mode", c)}, w.attrs()...)...)
}

// linear emits nn.Linear as Gemm(x, W, b) with transB=1; weights have
// std = sqrt(gain/fan_in) (gain 2 before a ReLU, 1 for the logits layer),
// biases are uniform in [-0.05, 0.05).
func (b *graphBuilder) linear(path, in string, fanIn, fanOut int64, gain float64) string {
	wt := b.drawn(path+".weight", []int64{fanOut, fanIn}, symmetric(b.seed, path+".weight", math.Sqrt(gain/float64(fanIn))))
	bias := b.drawn(path+".bias", []int64{fanOut}, stream(b.seed, path+".bias", -0.05, 0.05))
	return b.node(path, "Gemm", []string{in, wt, bias}, floatAttr("alpha", 1), floatAttr("beta", 1), intAttr("transB", 1))
}

// flatten emits torch.flatten(x, 1).
func (b *graphBuilder) flatten(in string) string {
	return b.node("", "Flatten", []string{in}, intAttr("axis", 1))
}
