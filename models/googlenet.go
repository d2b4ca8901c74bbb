package models

// googLeNet builds torchvision.models.googlenet (Inception v1) as eval mode
// exports it: without the auxiliary classifiers (they run only in training)
// and without transform_input (false unless pretrained weights are loaded).
// Every conv is a BasicConv2d (conv, batch norm with eps 0.001, ReLU).
func (b *graphBuilder) googLeNet(x string) string {
	b.layout = basicConv2d
	b.bn = bnConfig{eps: 0.001, momentum: 0.1}
	x = b.cna("conv1", x, unit{cin: 3, cout: 64, k: 7, stride: 2, act: actReLU})
	x = b.pool("maxpool1", "MaxPool", x, window{3, 2, 0}, true)
	x = b.cna("conv2", x, unit{cin: 64, cout: 64, k: 1, act: actReLU})
	x = b.cna("conv3", x, unit{cin: 64, cout: 192, k: 3, act: actReLU})
	x = b.pool("maxpool2", "MaxPool", x, window{3, 2, 0}, true)
	// Inception channels: 1x1; 3x3 reduce, 3x3; "5x5" reduce, "5x5"; pool projection.
	x, in := b.inception("inception3a", x, 192, [6]int64{64, 96, 128, 16, 32, 32})
	x, in = b.inception("inception3b", x, in, [6]int64{128, 128, 192, 32, 96, 64})
	x = b.pool("maxpool3", "MaxPool", x, window{3, 2, 0}, true)
	x, in = b.inception("inception4a", x, in, [6]int64{192, 96, 208, 16, 48, 64})
	x, in = b.inception("inception4b", x, in, [6]int64{160, 112, 224, 24, 64, 64})
	x, in = b.inception("inception4c", x, in, [6]int64{128, 128, 256, 24, 64, 64})
	x, in = b.inception("inception4d", x, in, [6]int64{112, 144, 288, 32, 64, 64})
	x, in = b.inception("inception4e", x, in, [6]int64{256, 160, 320, 32, 128, 128})
	x = b.pool("maxpool4", "MaxPool", x, window{2, 2, 0}, true)
	x, in = b.inception("inception5a", x, in, [6]int64{256, 160, 320, 32, 128, 128})
	x, in = b.inception("inception5b", x, in, [6]int64{384, 192, 384, 48, 128, 128})
	x = b.flatten(b.node("avgpool", "GlobalAveragePool", []string{x}))
	return b.linear("fc", x, in, imageNetClasses, 1)
}

// inception emits an Inception module at path p on in channels and returns
// its output and channel count: four branches concatenated, a 1x1 conv; 1x1
// then 3x3; 1x1 then another 3x3 (torchvision's "5x5" branch, 3x3 as in its
// reference weights); a 3x3 stride-1 max pool then a 1x1 projection.
func (b *graphBuilder) inception(p, x string, in int64, c [6]int64) (string, int64) {
	u := func(cin, cout, k int64) unit { return unit{cin: cin, cout: cout, k: k, act: actReLU} }
	b1 := b.cna(p+".branch1", x, u(in, c[0], 1))
	b2 := b.cna(p+".branch2.1", b.cna(p+".branch2.0", x, u(in, c[1], 1)), u(c[1], c[2], 3))
	b3 := b.cna(p+".branch3.1", b.cna(p+".branch3.0", x, u(in, c[3], 1)), u(c[3], c[4], 3))
	b4 := b.cna(p+".branch4.1", b.pool(p+".branch4.0", "MaxPool", x, same(3, 1), true), u(in, c[5], 1))
	return b.concat(p, 1, b1, b2, b3, b4), c[0] + c[2] + c[4] + c[5]
}
