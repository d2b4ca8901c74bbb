// Package models holds the ImageNet and COCO label sets and builders of
// torchvision-equivalent classifiers (AlexNet, ResNet-18/34/50) as in-memory
// ONNX models with synthetic, seeded weights.
//
// The built graphs match what torch.onnx.export (opset 13) writes for the
// torchvision networks in eval mode: the same layers, shapes, attributes and
// parameter names, so they exercise an inference runtime exactly like real
// exports while needing no download. Their weights are deterministic
// pseudo-random values, not trained ones: predictions are meaningless, but
// outputs are reproducible bit for bit, which the goldens in
// testdata/golden (computed by ONNX Runtime) rely on.
package models

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// DefaultSeed is the weight seed of the committed golden outputs.
const DefaultSeed uint64 = 1

// InputName and OutputName are the graph's input (float [N, 3, 224, 224])
// and output (float [N, 1000] logits) names.
const (
	InputName  = "input"
	OutputName = "output"
)

// imageSize is the side of the square input image.
const imageSize = 224

// network is one buildable model.
type network struct {
	name   string
	foldBN bool
	arch   string // torchvision constructor
	build  func(b *graphBuilder, x string) string
}

// resnetOf adapts graphBuilder.resnet to a network's build function.
func resnetOf(blocks [4]int, bottleneck bool) func(*graphBuilder, string) string {
	return func(b *graphBuilder, x string) string { return b.resnet(x, blocks, bottleneck) }
}

var networks = []network{
	{"alexnet", false, "alexnet", (*graphBuilder).alexnet},
	{"resnet18", true, "resnet18", resnetOf([4]int{2, 2, 2, 2}, false)},
	{"resnet18-bn", false, "resnet18", resnetOf([4]int{2, 2, 2, 2}, false)},
	{"resnet34", true, "resnet34", resnetOf([4]int{3, 4, 6, 3}, false)},
	{"resnet34-bn", false, "resnet34", resnetOf([4]int{3, 4, 6, 3}, false)},
	{"resnet50", true, "resnet50", resnetOf([4]int{3, 4, 6, 3}, true)},
	{"resnet50-bn", false, "resnet50", resnetOf([4]int{3, 4, 6, 3}, true)},
}

// Names lists the models Build knows: alexnet; resnet18, resnet34 and
// resnet50 with batch norm folded into the convolutions (as a default
// torch.onnx export); and resnet18-bn, resnet34-bn and resnet50-bn with
// explicit BatchNormalization nodes (an export with do_constant_folding=False).
func Names() []string {
	names := make([]string, len(networks))
	for i, n := range networks {
		names[i] = n.name
	}
	return names
}

func lookup(name string) (network, bool) {
	for _, n := range networks {
		if n.name == name {
			return n, true
		}
	}
	return network{}, false
}

// PresetFor names the input preprocessing the model expects ("torchvision":
// RGB scaled to [0, 1], normalized by the ImageNet mean and std), or "" for
// an unknown model name.
func PresetFor(name string) string {
	if _, ok := lookup(name); ok {
		return "torchvision"
	}
	return ""
}

// Build returns the named model (see Names) with weights generated from seed.
// The model has opset 13, IR version 8, producer "pytorch", one input
// "input" float[N, 3, 224, 224] and one output "output" float[N, 1000]
// (logits); its metadata_props record that the weights are synthetic.
// Weights are bit-identical for equal seeds on every platform.
func Build(name string, seed uint64) (*onnx.Model, error) {
	n, ok := lookup(name)
	if !ok {
		return nil, fmt.Errorf("build model: unknown name %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	b := &graphBuilder{seed: seed, foldBN: n.foldBN, used: map[string]int{}}
	b.g.Name = "main_graph"
	n.build(b, InputName)
	// Name the final node's output as the graph output.
	b.g.Nodes[len(b.g.Nodes)-1].Outputs[0] = OutputName
	batch := onnx.Dim{Param: "N", Known: true}
	b.g.Inputs = []*onnx.ValueInfo{valueInfo(InputName, batch, fixed(3), fixed(imageSize), fixed(imageSize))}
	b.g.Outputs = []*onnx.ValueInfo{valueInfo(OutputName, batch, fixed(imageNetClasses))}
	bn := "folded into Conv"
	if !n.foldBN {
		bn = "explicit BatchNormalization"
	}
	return &onnx.Model{
		IRVersion:       8,
		OpsetImports:    []onnx.OpsetID{{Domain: "", Version: 13}},
		ProducerName:    "pytorch",
		ProducerVersion: "edgeinfer-synthetic",
		DocString: fmt.Sprintf("torchvision.models.%s equivalent (batch norm %s) built by edgeinfer/models "+
			"with synthetic seeded weights; not a trained model", n.arch, bn),
		Graph: &b.g,
		Metadata: []onnx.StringEntry{
			{Key: "edgeinfer.model", Value: name},
			{Key: "edgeinfer.weights", Value: "synthetic"},
			{Key: "edgeinfer.seed", Value: strconv.FormatUint(seed, 10)},
		},
	}, nil
}

func fixed(v int64) onnx.Dim { return onnx.Dim{Value: v, Known: true} }

func valueInfo(name string, dims ...onnx.Dim) *onnx.ValueInfo {
	return &onnx.ValueInfo{Name: name, Type: onnx.TypeInfo{Kind: onnx.KindTensor, Elem: onnx.Float, Shape: dims, HasShape: true}}
}

// SyntheticInput returns the deterministic test input of the given shape:
// element i (in row-major order) is float32(sin(i*0.001) * 1.5), the default
// input of the reference kit's refrun.mjs and of mktest.mjs's first data set,
// which the golden outputs were computed from.
func SyntheticInput(shape ...int) []float32 {
	n := 1
	for _, d := range shape {
		n *= d
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.001) * 1.5)
	}
	return x
}
