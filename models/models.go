// Package models holds the ImageNet and COCO label sets and builders of the benchmark
// networks as in-memory ONNX models with synthetic, seeded weights:
// torchvision's AlexNet, VGG-16, ResNet-18/34/50, MobileNetV2, MobileNetV3-Small and
// -Large, ShuffleNetV2 x1.0, EfficientNet-B0, SqueezeNet 1.1, DenseNet-121
// and GoogLeNet, and ultralytics' YOLOv8n detector.
//
// The built graphs match what torch.onnx.export writes for these networks
// in eval mode with a dynamic batch (opset 13 for AlexNet, VGG-16 and the ResNets,
// 17 for the others): the same layers, shapes, attributes and parameter
// names (their parameter counts equal the reference implementations'), so
// they exercise an inference runtime like real exports while needing no
// download. Their weights are deterministic pseudo-random values, not
// trained ones, scaled so that activations stay of order one: predictions
// are meaningless, but outputs are reproducible bit for bit, which the
// goldens in testdata/golden (computed by ONNX Runtime) rely on.
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

// imageSize is the side of the classifiers' square input image.
const imageSize = 224

// arch is one network the package builds, in a folded variant named base
// (batch norms absorbed into the convolutions, as a default torch.onnx
// export writes them) and, if it has batch norms, an explicit one named
// base+"-bn".
type arch struct {
	base   string
	origin string  // what the graph reproduces, e.g. "torchvision.models.resnet50"
	size   int64   // input image side
	out    []int64 // output dims after the batch dim
	opset  int64
	preset string // preprocessing (PresetFor)
	bn     bool   // has batch norms: a -bn variant exists
	build  func(b *graphBuilder, x string) string
}

// network is one buildable model: an arch and whether its batch norms are
// folded.
type network struct {
	arch
	name   string
	foldBN bool
}

// resnetOf adapts graphBuilder.resnet to a network's build function.
func resnetOf(blocks [4]int, bottleneck bool) func(*graphBuilder, string) string {
	return func(b *graphBuilder, x string) string { return b.resnet(x, blocks, bottleneck) }
}

// classifier is a torchvision ImageNet classifier's arch: a 224x224 input,
// 1000 logits.
func classifier(name, ctor string, opset int64, bn bool, build func(*graphBuilder, string) string) arch {
	return arch{name, "torchvision.models." + ctor, imageSize, []int64{imageNetClasses}, opset, "torchvision", bn, build}
}

// The original classifiers are opset 13 exports; the networks added with the
// benchmark suite are opset 17 (torch 2's default; HardSwish needs 14).
var archs = []arch{
	classifier("alexnet", "alexnet", 13, false, (*graphBuilder).alexnet),
	classifier("vgg16", "vgg16", 13, false, (*graphBuilder).vgg16),
	classifier("resnet18", "resnet18", 13, true, resnetOf([4]int{2, 2, 2, 2}, false)),
	classifier("resnet34", "resnet34", 13, true, resnetOf([4]int{3, 4, 6, 3}, false)),
	classifier("resnet50", "resnet50", 13, true, resnetOf([4]int{3, 4, 6, 3}, true)),
	classifier("mobilenetv2", "mobilenet_v2", 17, true, (*graphBuilder).mobilenetV2),
	classifier("mobilenetv3-small", "mobilenet_v3_small", 17, true, func(b *graphBuilder, x string) string {
		return b.mobilenetV3(x, mobilenetV3Small, 1024)
	}),
	classifier("mobilenetv3-large", "mobilenet_v3_large", 17, true, func(b *graphBuilder, x string) string {
		return b.mobilenetV3(x, mobilenetV3Large, 1280)
	}),
	classifier("shufflenetv2", "shufflenet_v2_x1_0", 17, true, (*graphBuilder).shuffleNetV2),
	classifier("efficientnet-b0", "efficientnet_b0", 17, true, (*graphBuilder).efficientNetB0),
	classifier("squeezenet1.1", "squeezenet1_1", 17, false, (*graphBuilder).squeezeNet11),
	classifier("densenet121", "densenet121", 17, true, (*graphBuilder).denseNet121),
	classifier("googlenet", "googlenet", 17, true, (*graphBuilder).googLeNet),
	{"yolov8n", "ultralytics YOLOv8n", yoloSize, []int64{84, yoloAnchors()}, 17, "unit", true, (*graphBuilder).yolov8n},
}

// networks are the archs' variants, in Names order.
var networks = func() []network {
	var ns []network
	for _, a := range archs {
		ns = append(ns, network{a, a.base, a.bn})
		if a.bn {
			ns = append(ns, network{a, a.base + "-bn", false})
		}
	}
	return ns
}()

// Names lists the models Build knows: for each network with batch norms, the
// variant with them folded into the convolutions (as a default torch.onnx
// export) and the -bn variant with explicit BatchNormalization nodes (an
// export with do_constant_folding=False). The classifiers are torchvision's
// alexnet, vgg16, resnet18, resnet34, resnet50, mobilenetv2 (mobilenet_v2),
// mobilenetv3-small and -large, shufflenetv2 (shufflenet_v2_x1_0),
// efficientnet-b0, squeezenet1.1, densenet121 and googlenet; yolov8n is
// ultralytics' detector.
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
// RGB scaled to [0, 1], normalized by the ImageNet mean and std; "unit":
// RGB scaled to [0, 1], for yolov8n), or "" for an unknown model name.
func PresetFor(name string) string {
	n, _ := lookup(name)
	return n.preset
}

// Shapes returns the named model's input and output shapes at batch 1
// (input [1, 3, side, side]; output [1, 1000] for the classifiers, [1, 84,
// 8400] for yolov8n), or false for an unknown name.
func Shapes(name string) (input, output []int, ok bool) {
	n, ok := lookup(name)
	if !ok {
		return nil, nil, false
	}
	input = []int{1, 3, int(n.size), int(n.size)}
	output = []int{1}
	for _, d := range n.out {
		output = append(output, int(d))
	}
	return input, output, true
}

// Build returns the named model (see Names) with weights generated from seed.
// The model has IR version 8, producer "pytorch", one input "input" float[N,
// 3, S, S] and one output "output" (see Shapes), the opset of the export it
// reproduces (13 for alexnet and the ResNets, 17 for the others), and
// metadata_props recording that the weights are synthetic. Weights are
// bit-identical for equal seeds on every platform.
func Build(name string, seed uint64) (*onnx.Model, error) {
	n, ok := lookup(name)
	if !ok {
		return nil, fmt.Errorf("build model: unknown name %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	b := &graphBuilder{seed: seed, foldBN: n.foldBN, bn: bnDefaults, used: map[string]int{}}
	b.g.Name = "main_graph"
	n.build(b, InputName)
	// Name the final node's output as the graph output.
	b.g.Nodes[len(b.g.Nodes)-1].Outputs[0] = OutputName
	batch := onnx.Dim{Param: "N", Known: true}
	b.g.Inputs = []*onnx.ValueInfo{valueInfo(InputName, batch, fixed(3), fixed(n.size), fixed(n.size))}
	out := []onnx.Dim{batch}
	for _, d := range n.out {
		out = append(out, fixed(d))
	}
	b.g.Outputs = []*onnx.ValueInfo{valueInfo(OutputName, out...)}
	bn := "folded into Conv"
	if !n.foldBN {
		bn = "explicit BatchNormalization"
	}
	if !n.bn {
		bn = "none"
	}
	return &onnx.Model{
		IRVersion:       8,
		OpsetImports:    []onnx.OpsetID{{Domain: "", Version: n.opset}},
		ProducerName:    "pytorch",
		ProducerVersion: "edgeinfer-synthetic",
		DocString: fmt.Sprintf("%s equivalent (batch norm %s) built by edgeinfer/models "+
			"with synthetic seeded weights; not a trained model", n.origin, bn),
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
