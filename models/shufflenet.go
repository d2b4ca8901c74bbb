package models

import "fmt"

// shuffleNetV2 builds torchvision.models.shufflenet_v2_x1_0: a stride-2 stem
// and max pool, three stages of 4, 8 and 4 units (116, 232 and 464
// channels), a 1x1 conv to 1024 channels, the spatial mean (ReduceMean) and
// the classifier.
func (b *graphBuilder) shuffleNetV2(x string) string {
	x = b.relu("conv1.2", b.convBN("conv1.0", "conv1.1", x, 3, 24, 1, same(3, 2), gammasBefore(actReLU)))
	x = b.pool("maxpool", "MaxPool", x, same(3, 2), false)
	in, size := int64(24), int64(imageSize/4)
	for s, st := range []struct{ n, out int64 }{{4, 116}, {8, 232}, {4, 464}} {
		size /= 2
		for i := range st.n {
			x = b.shuffleUnit(fmt.Sprintf("stage%d.%d", s+2, i), x, in, st.out, i == 0, size)
			in = st.out
		}
	}
	x = b.relu("conv5.2", b.convBN("conv5.0", "conv5.1", x, in, 1024, 1, same(1, 1), gammasBefore(actReLU)))
	x = b.node("", "ReduceMean", []string{x}, intsAttr("axes", 2, 3), intAttr("keepdims", 0))
	return b.linear("fc", x, 1024, imageNetClasses, 1)
}

// shuffleUnit emits ShuffleNetV2's InvertedResidual at path p with an output
// of size x size: a downsampling unit runs branch1 (depthwise 3x3 stride 2,
// 1x1) and branch2 on the whole input, a basic unit splits the channels in
// two (Split) and runs branch2 (1x1, depthwise 3x3, 1x1) on the second half;
// the halves are concatenated and shuffled between the two groups
// (channel_shuffle: Reshape -> Transpose -> Reshape).
func (b *graphBuilder) shuffleUnit(p, x string, in, out int64, down bool, size int64) string {
	half, stride := out/2, int64(1)
	x1, x2, cin := "", x, half
	if down {
		stride, cin = 2, in
		x1 = b.convBN(p+".branch1.0", p+".branch1.1", x, in, in, in, same(3, 2), gammasBefore(actNone))
		x1 = b.relu(p+".branch1.4", b.convBN(p+".branch1.2", p+".branch1.3", x1, in, half, 1, same(1, 1), gammasBefore(actReLU)))
	} else {
		halves := b.split(p, x, 1, half, half)
		x1, x2 = halves[0], halves[1]
	}
	y := b.relu(p+".branch2.2", b.convBN(p+".branch2.0", p+".branch2.1", x2, cin, half, 1, same(1, 1), gammasBefore(actReLU)))
	y = b.convBN(p+".branch2.3", p+".branch2.4", y, half, half, half, same(3, stride), gammasBefore(actNone))
	y = b.relu(p+".branch2.7", b.convBN(p+".branch2.5", p+".branch2.6", y, half, half, 1, same(1, 1), gammasBefore(actReLU)))
	y = b.view(p, b.concat(p, 1, x1, y), 2, half, size, size)
	y = b.node(p, "Transpose", []string{y}, intsAttr("perm", 0, 2, 1, 3, 4))
	return b.view(p, y, -1, size, size)
}
