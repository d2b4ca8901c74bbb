package models

import "fmt"

// Batch-norm gamma ranges. With Kaiming-scaled convolutions and running
// variances in [0.5, 1.5), gammas in [0.4, 1.2) give each conv+BN+ReLU a gain
// near one. A residual branch's last BN gets a small gamma so each block adds
// a modest update to its shortcut: activations stay O(1) through ResNet-50's
// 16 blocks (RMS 1.2 after the stem, 2.0 before pooling; logits RMS 1.9)
// without the blocks collapsing to identities, as torchvision's
// zero_init_residual would make them.
const (
	gammaLo, gammaHi         = 0.4, 1.2
	lastGammaLo, lastGammaHi = 0.2, 0.5
)

// resnet builds torchvision.models.resnet{18,34,50} (v1.5: a bottleneck's
// stride sits on its 3x3 conv) with the given number of blocks per stage.
func (b *graphBuilder) resnet(x string, blocks [4]int, bottleneck bool) string {
	x = b.relu("relu", b.convBN("conv1", "bn1", x, 3, 64, window{7, 2, 3}, gammaLo, gammaHi))
	x = b.pool("maxpool", "MaxPool", x, window{3, 2, 1})
	in := int64(64)
	for stage, n := range blocks {
		planes := int64(64) << stage
		for i := range n {
			stride := int64(1)
			if i == 0 && stage > 0 {
				stride = 2
			}
			x, in = b.residual(fmt.Sprintf("layer%d.%d", stage+1, i), x, in, planes, stride, bottleneck)
		}
	}
	x = b.node("avgpool", "GlobalAveragePool", []string{x})
	x = b.flatten(x)
	return b.linear("fc", x, in, imageNetClasses, 1)
}

// residual emits one BasicBlock or Bottleneck at module path p and returns
// its output and output channel count.
func (b *graphBuilder) residual(p, x string, in, planes, stride int64, bottleneck bool) (string, int64) {
	var y string
	out := planes
	if bottleneck {
		out = 4 * planes
		y = b.relu(p+".relu", b.convBN(p+".conv1", p+".bn1", x, in, planes, window{1, 1, 0}, gammaLo, gammaHi))
		y = b.relu(p+".relu", b.convBN(p+".conv2", p+".bn2", y, planes, planes, window{3, stride, 1}, gammaLo, gammaHi))
		y = b.convBN(p+".conv3", p+".bn3", y, planes, out, window{1, 1, 0}, lastGammaLo, lastGammaHi)
	} else {
		y = b.relu(p+".relu", b.convBN(p+".conv1", p+".bn1", x, in, planes, window{3, stride, 1}, gammaLo, gammaHi))
		y = b.convBN(p+".conv2", p+".bn2", y, planes, planes, window{3, 1, 1}, lastGammaLo, lastGammaHi)
	}
	shortcut := x
	if stride != 1 || in != out {
		shortcut = b.convBN(p+".downsample.0", p+".downsample.1", x, in, out, window{1, stride, 0}, gammaLo, gammaHi)
	}
	return b.relu(p+".relu", b.node(p, "Add", []string{y, shortcut})), out
}
