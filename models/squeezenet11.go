package models

import "fmt"

// squeezeNet11 builds torchvision.models.squeezenet1_1: a 3x3 stride-2 conv,
// eight fire modules with ceil-mode max pools after the first, second and
// fourth, and a 1x1 conv to the 1000 classes, ReLU and global average
// pooling. Convolutions carry biases; there is no batch norm.
func (b *graphBuilder) squeezeNet11(x string) string {
	x = b.relu("features.1", b.conv("features.0", x, 3, 64, 1, window{3, 2, 0}, true))
	x = b.pool("features.2", "MaxPool", x, window{3, 2, 0}, true)
	in := int64(64)
	// Squeeze channels of features.3 onwards; 0 is a max pool. A fire
	// module's expand layers have 4x its squeeze channels each.
	for i, sq := range []int64{16, 16, 0, 32, 32, 0, 48, 48, 64, 64} {
		p := fmt.Sprintf("features.%d", i+3)
		if sq == 0 {
			x = b.pool(p, "MaxPool", x, window{3, 2, 0}, true)
			continue
		}
		x = b.fire(p, x, in, sq, 4*sq)
		in = 8 * sq
	}
	x = b.relu("classifier.2", b.conv("classifier.1", x, in, imageNetClasses, 1, same(1, 1), true))
	return b.flatten(b.node("classifier.3", "GlobalAveragePool", []string{x}))
}

// fire emits SqueezeNet's Fire module at path p: a 1x1 squeeze conv, then
// 1x1 and 3x3 expand convs whose outputs are concatenated.
func (b *graphBuilder) fire(p, x string, in, squeeze, expand int64) string {
	s := b.relu(p+".squeeze_activation", b.conv(p+".squeeze", x, in, squeeze, 1, same(1, 1), true))
	e1 := b.relu(p+".expand1x1_activation", b.conv(p+".expand1x1", s, squeeze, expand, 1, same(1, 1), true))
	e3 := b.relu(p+".expand3x3_activation", b.conv(p+".expand3x3", s, squeeze, expand, 1, same(3, 1), true))
	return b.concat(p, 1, e1, e3)
}
