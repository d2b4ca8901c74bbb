package models

// Layers shared by the mobile and detector networks, each written as
// torch.onnx exports the PyTorch module it stands for.

// act is an activation function.
type act int

const (
	actNone        act = iota
	actReLU            // nn.ReLU: Relu
	actReLU6           // nn.ReLU6: Clip(x, 0, 6)
	actHardSwish       // nn.Hardswish: HardSwish (opset 14)
	actSiLU            // nn.SiLU: Mul(x, Sigmoid(x))
	actHardSigmoid     // nn.Hardsigmoid: HardSigmoid(alpha=1/6, beta=0.5)
	actSigmoid         // nn.Sigmoid: Sigmoid
)

// activate emits activation a of x under module path.
func (b *graphBuilder) activate(path, x string, a act) string {
	switch a {
	case actReLU:
		return b.relu(path, x)
	case actReLU6:
		return b.node(path, "Clip", []string{x, b.scalar(path, 0), b.scalar(path, 6)})
	case actHardSwish:
		return b.node(path, "HardSwish", []string{x})
	case actSiLU:
		return b.node(path, "Mul", []string{x, b.node(path, "Sigmoid", []string{x})})
	case actHardSigmoid:
		return b.node(path, "HardSigmoid", []string{x}, floatAttr("alpha", 1.0/6), floatAttr("beta", 0.5))
	case actSigmoid:
		return b.node(path, "Sigmoid", []string{x})
	}
	return x
}

// gammasBefore returns the gammas of a batch norm that activation a
// follows: reluGammas scaled by a factor f chosen so that a Kaiming conv,
// the norm and a keep the second moment of a unit Gaussian input z,
// E[gamma^2] E[1/var] 2 E[a(z)^2] = 1, which gives 1.15 for ReLU (whose
// E[a(z)^2] is 1/2 at any scale) and 0.81 for none (a linear projection).
// SiLU and HardSwish have E[a(z)^2] = 0.36 and 0.34 at unit variance, but
// approach ReLU's 1/2 for large inputs and 1/4 for small ones, so no factor
// keeps a deep chain of them steady: the exact 1.35 and 1.4 made YOLOv8n's
// and MobileNetV3's activations grow past an RMS of 15, ReLU's factor let
// them fade to 0.05, and 1.2 keeps them of order one. ResNet keeps the unscaled reluGammas.
func gammasBefore(a act) gammas {
	f := map[act]float64{actNone: 0.81, actReLU: 1.15, actReLU6: 1.15, actSiLU: 1.2, actHardSwish: 1.2}[a]
	return gammas{reluGammas.lo * f, reluGammas.hi * f}
}

// layout names the parts of a conv-norm-activation module at path p: its
// Conv, its BatchNorm2d and its activation.
type layout func(p string) (conv, bn, act string)

// indexed is torchvision's Conv2dNormActivation (an nn.Sequential): p.0,
// p.1, p.2.
func indexed(p string) (string, string, string) { return p + ".0", p + ".1", p + ".2" }

// named is ultralytics' Conv: p.conv, p.bn, p.act.
func named(p string) (string, string, string) { return p + ".conv", p + ".bn", p + ".act" }

// basicConv2d is GoogLeNet's BasicConv2d: p.conv, p.bn, F.relu at p.
func basicConv2d(p string) (string, string, string) { return p + ".conv", p + ".bn", p }

// unit is one conv-norm-activation module: cin -> cout channels through a
// bias-free k x k Conv with "same" padding, stride (0 means 1) and groups
// (0 means 1), its batch norm, then act. last marks the end of a residual
// branch: its norm gets small gammas (lastGammas), so that each block adds
// a modest update to its shortcut. afterSE marks a unit whose input a
// squeeze-excite scaled by about one half (a sigmoid near 0): otherwise its
// norm gets twice the gammas, to make up for it.
type unit struct {
	cin, cout, k, stride, groups int64
	act                          act
	last, afterSE                bool
}

// cna emits unit u at module path p, named after the network's layout.
func (b *graphBuilder) cna(p, x string, u unit) string {
	conv, bn, a := b.layout(p)
	g := gammasBefore(u.act)
	switch {
	case u.last:
		g = lastGammas
	case u.afterSE:
		g = gammas{2 * g.lo, 2 * g.hi}
	}
	y := b.convBN(conv, bn, x, u.cin, u.cout, max(u.groups, 1), same(u.k, max(u.stride, 1)), g)
	return b.activate(a, y, u.act)
}

// squeezeExcite emits torchvision's SqueezeExcitation at path p on c
// channels: GlobalAveragePool -> Conv (fc1, to squeeze channels) -> a ->
// Conv (fc2) -> scale -> Mul(scale, x).
func (b *graphBuilder) squeezeExcite(p, x string, c, squeeze int64, a, scale act) string {
	s := b.node(p+".avgpool", "GlobalAveragePool", []string{x})
	s = b.activate(p+".activation", b.conv(p+".fc1", s, c, squeeze, 1, same(1, 1), true), a)
	s = b.activate(p+".scale_activation", b.conv(p+".fc2", s, squeeze, c, 1, same(1, 1), true), scale)
	return b.node(p, "Mul", []string{s, x})
}

// concat emits torch.cat(xs, axis).
func (b *graphBuilder) concat(path string, axis int64, xs ...string) string {
	return b.node(path, "Concat", xs, intAttr("axis", axis))
}

// split emits x.split(sizes, axis) (and x.chunk) as a Split node whose sizes
// are a Constant input (opset 13).
func (b *graphBuilder) split(path, x string, axis int64, sizes ...int64) []string {
	return b.nodeN(path, "Split", []string{x, b.ints(path, sizes...)}, len(sizes), intAttr("axis", axis))
}

// view emits x.view(x.size(0), dims...) as torch.onnx writes it for a
// dynamic batch: Shape -> Gather(0) -> Unsqueeze gives the batch size, a
// Concat appends the constant sizes, a Reshape applies them.
func (b *graphBuilder) view(path, x string, dims ...int64) string {
	n := b.node(path, "Gather", []string{b.node(path, "Shape", []string{x}), b.constant(path, int64Tensor(nil, 0))}, intAttr("axis", 0))
	parts := []string{b.node(path, "Unsqueeze", []string{n, b.ints(path, 0)})}
	for _, d := range dims {
		parts = append(parts, b.ints(path, d))
	}
	return b.node(path, "Reshape", []string{x, b.concat(path, 0, parts...)})
}
