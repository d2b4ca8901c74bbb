package models

import "fmt"

// denseNet121 builds torchvision.models.densenet121: a 7x7 stem and max
// pool, four dense blocks of 6, 12, 24 and 16 layers (growth 32) joined by
// transitions (norm, ReLU, 1x1 conv halving the channels, 2x2 average pool),
// a final norm, ReLU, global average pooling and the classifier. Each layer
// concatenates every earlier output of its block and normalizes the result
// (a BatchNormalization no Conv precedes, so it stays in the folded
// variant) before its 1x1 and 3x3 convs.
func (b *graphBuilder) denseNet121(x string) string {
	const growth = 32
	x = b.relu("features.relu0", b.convBN("features.conv0", "features.norm0", x, 3, 64, 1, same(7, 2), gammasBefore(actReLU)))
	x = b.pool("features.pool0", "MaxPool", x, same(3, 2), false)
	c := int64(64)
	for i, n := range []int64{6, 12, 24, 16} {
		p := fmt.Sprintf("features.denseblock%d", i+1)
		feats := []string{x}
		for j := range n {
			q := fmt.Sprintf("%s.denselayer%d", p, j+1)
			cin := c + j*growth
			y := b.relu(q+".relu1", b.batchNorm(q+".norm1", b.concat(q, 1, feats...), cin, gammasBefore(actReLU)))
			y = b.relu(q+".relu2", b.convBN(q+".conv1", q+".norm2", y, cin, 4*growth, 1, same(1, 1), gammasBefore(actReLU)))
			feats = append(feats, b.conv(q+".conv2", y, 4*growth, growth, 1, same(3, 1), false))
		}
		x, c = b.concat(p, 1, feats...), c+n*growth
		if i < 3 {
			t := fmt.Sprintf("features.transition%d", i+1)
			x = b.relu(t+".relu", b.batchNorm(t+".norm", x, c, gammasBefore(actReLU)))
			x = b.pool(t+".pool", "AveragePool", b.conv(t+".conv", x, c, c/2, 1, same(1, 1), false), window{2, 2, 0}, false)
			c /= 2
		}
	}
	x = b.relu("", b.batchNorm("features.norm5", x, c, gammasBefore(actReLU)))
	x = b.flatten(b.node("", "GlobalAveragePool", []string{x}))
	return b.linear("classifier", x, c, imageNetClasses, 1)
}
