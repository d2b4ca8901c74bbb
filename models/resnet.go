package models

import "fmt"

// resnet builds torchvision.models.resnet{18,34,50} (v1.5: a bottleneck's
// stride sits on its 3x3 conv) with the given number of blocks per stage.
func (b *graphBuilder) resnet(x string, blocks [4]int, bottleneck bool) string {
	x = b.relu("relu", b.convBN("conv1", "bn1", x, 3, 64, 1, same(7, 2), reluGammas))
	x = b.pool("maxpool", "MaxPool", x, same(3, 2), false)
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
		y = b.relu(p+".relu", b.convBN(p+".conv1", p+".bn1", x, in, planes, 1, same(1, 1), reluGammas))
		y = b.relu(p+".relu", b.convBN(p+".conv2", p+".bn2", y, planes, planes, 1, same(3, stride), reluGammas))
		y = b.convBN(p+".conv3", p+".bn3", y, planes, out, 1, same(1, 1), lastGammas)
	} else {
		y = b.relu(p+".relu", b.convBN(p+".conv1", p+".bn1", x, in, planes, 1, same(3, stride), reluGammas))
		y = b.convBN(p+".conv2", p+".bn2", y, planes, planes, 1, same(3, 1), lastGammas)
	}
	shortcut := x
	if stride != 1 || in != out {
		shortcut = b.convBN(p+".downsample.0", p+".downsample.1", x, in, out, 1, same(1, stride), reluGammas)
	}
	return b.relu(p+".relu", b.node(p, "Add", []string{y, shortcut})), out
}
