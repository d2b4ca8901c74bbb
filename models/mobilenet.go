package models

import "fmt"

// mobilenetV2 builds torchvision.models.mobilenet_v2 (width 1.0): a stride-2
// stem, 17 inverted residual blocks (1x1 expansion, 3x3 depthwise, linear
// 1x1 projection; ReLU6 as Clip), a 1x1 conv to 1280 channels and the
// classifier.
func (b *graphBuilder) mobilenetV2(x string) string {
	b.layout = indexed
	x = b.cna("features.0", x, unit{cin: 3, cout: 32, k: 3, stride: 2, act: actReLU6})
	in, i := int64(32), 1
	for _, s := range []struct{ t, c, n, s int64 }{
		{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
	} {
		for j := range s.n {
			stride := int64(1)
			if j == 0 {
				stride = s.s
			}
			x = b.invertedResidualV2(fmt.Sprintf("features.%d", i), x, in, s.c, stride, s.t)
			in, i = s.c, i+1
		}
	}
	x = b.cna(fmt.Sprintf("features.%d", i), x, unit{cin: in, cout: 1280, k: 1, act: actReLU6})
	x = b.flatten(b.node("", "GlobalAveragePool", []string{x}))
	return b.linear("classifier.1", x, 1280, imageNetClasses, 1)
}

// invertedResidualV2 emits MobileNetV2's InvertedResidual at path p with
// expansion ratio t; its projection is a plain Conv and BatchNorm2d
// (conv.K, conv.K+1), not a Conv2dNormActivation.
func (b *graphBuilder) invertedResidualV2(p, x string, in, out, stride, t int64) string {
	hidden, k := in*t, 0
	part := func() string { k++; return fmt.Sprintf("%s.conv.%d", p, k-1) }
	y := x
	if t != 1 {
		y = b.cna(part(), y, unit{cin: in, cout: hidden, k: 1, act: actReLU6})
	}
	y = b.cna(part(), y, unit{cin: hidden, cout: hidden, k: 3, stride: stride, groups: hidden, act: actReLU6})
	residual, g := stride == 1 && in == out, gammasBefore(actNone)
	if residual {
		g = lastGammas
	}
	y = b.convBN(part(), part(), y, hidden, out, 1, same(1, 1), g)
	if !residual {
		return y
	}
	return b.node(p, "Add", []string{x, y})
}

// mbConv is one inverted-residual block of MobileNetV3 or EfficientNet: in
// -> exp channels by a 1x1 conv (absent when exp == in), a k x k depthwise
// conv, a squeeze-excite to se channels (none when se is 0), and a linear
// 1x1 projection to out; act is the block's activation.
type mbConv struct {
	in, exp, out, k, stride, se int64
	act                         act
}

// invertedBottleneck emits block c at path p (p.block.0, p.block.1, ...),
// with the squeeze-excite's activations seAct and seScale; a block that
// keeps its shape adds its input.
func (b *graphBuilder) invertedBottleneck(p, x string, c mbConv, seAct, seScale act) string {
	k := 0
	part := func() string { k++; return fmt.Sprintf("%s.block.%d", p, k-1) }
	y := x
	if c.exp != c.in {
		y = b.cna(part(), y, unit{cin: c.in, cout: c.exp, k: 1, act: c.act})
	}
	y = b.cna(part(), y, unit{cin: c.exp, cout: c.exp, k: c.k, stride: c.stride, groups: c.exp, act: c.act})
	if c.se > 0 {
		y = b.squeezeExcite(part(), y, c.exp, c.se, seAct, seScale)
	}
	residual := c.stride == 1 && c.in == c.out
	y = b.cna(part(), y, unit{cin: c.exp, cout: c.out, k: 1, last: residual, afterSE: c.se > 0})
	if !residual {
		return y
	}
	return b.node(p, "Add", []string{y, x})
}

// mobilenetV3Small and mobilenetV3Large are torchvision's block tables
// (_mobilenet_v3_conf): input channels, kernel, expanded channels, output
// channels, squeeze-excite, HardSwish (else ReLU), stride.
var (
	mobilenetV3Small = []mbConvRow{
		{16, 3, 16, 16, true, false, 2}, {16, 3, 72, 24, false, false, 2}, {24, 3, 88, 24, false, false, 1},
		{24, 5, 96, 40, true, true, 2}, {40, 5, 240, 40, true, true, 1}, {40, 5, 240, 40, true, true, 1},
		{40, 5, 120, 48, true, true, 1}, {48, 5, 144, 48, true, true, 1}, {48, 5, 288, 96, true, true, 2},
		{96, 5, 576, 96, true, true, 1}, {96, 5, 576, 96, true, true, 1},
	}
	mobilenetV3Large = []mbConvRow{
		{16, 3, 16, 16, false, false, 1}, {16, 3, 64, 24, false, false, 2}, {24, 3, 72, 24, false, false, 1},
		{24, 5, 72, 40, true, false, 2}, {40, 5, 120, 40, true, false, 1}, {40, 5, 120, 40, true, false, 1},
		{40, 3, 240, 80, false, true, 2}, {80, 3, 200, 80, false, true, 1}, {80, 3, 184, 80, false, true, 1},
		{80, 3, 184, 80, false, true, 1}, {80, 3, 480, 112, true, true, 1}, {112, 3, 672, 112, true, true, 1},
		{112, 5, 672, 160, true, true, 2}, {160, 5, 960, 160, true, true, 1}, {160, 5, 960, 160, true, true, 1},
	}
)

// mbConvRow is a row of torchvision's InvertedResidualConfig table.
type mbConvRow struct {
	in, k, exp, out int64
	se, hs          bool
	stride          int64
}

// mobilenetV3 builds torchvision.models.mobilenet_v3_small or _large from
// its block table and last channel count (1024 or 1280): a HardSwish stem,
// the blocks (squeeze-excite GlobalAveragePool -> Conv -> Relu -> Conv ->
// HardSigmoid -> Mul), a 1x1 conv to 6x the last block's channels, and a
// Linear -> HardSwish -> Linear classifier.
func (b *graphBuilder) mobilenetV3(x string, rows []mbConvRow, last int64) string {
	b.layout = indexed
	b.bn = bnConfig{eps: 0.001, momentum: 0.01}
	x = b.cna("features.0", x, unit{cin: 3, cout: 16, k: 3, stride: 2, act: actHardSwish})
	for i, r := range rows {
		c := mbConv{in: r.in, exp: r.exp, out: r.out, k: r.k, stride: r.stride, act: actReLU}
		if r.hs {
			c.act = actHardSwish
		}
		if r.se {
			c.se = makeDivisible(r.exp/4, 8)
		}
		x = b.invertedBottleneck(fmt.Sprintf("features.%d", i+1), x, c, actReLU, actHardSigmoid)
	}
	in := rows[len(rows)-1].out
	x = b.cna(fmt.Sprintf("features.%d", len(rows)+1), x, unit{cin: in, cout: 6 * in, k: 1, act: actHardSwish})
	x = b.flatten(b.node("avgpool", "GlobalAveragePool", []string{x}))
	x = b.activate("classifier.1", b.linear("classifier.0", x, 6*in, last, 2), actHardSwish)
	return b.linear("classifier.3", x, last, imageNetClasses, 1)
}

// makeDivisible is torchvision's _make_divisible: v rounded to the nearest
// multiple of d, at least d, and not below 90% of v.
func makeDivisible(v, d int64) int64 {
	n := max(d, (v+d/2)/d*d)
	if 10*n < 9*v {
		n += d
	}
	return n
}
