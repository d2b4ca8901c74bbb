package models

import "fmt"

// efficientNetB0 builds torchvision.models.efficientnet_b0: a SiLU stem,
// seven stages of MBConv blocks (3x3 and 5x5 depthwise, squeeze-excite to a
// quarter of the block's input channels with SiLU and Sigmoid), a 1x1 conv
// to 1280 channels and the classifier.
func (b *graphBuilder) efficientNetB0(x string) string {
	b.layout = indexed
	x = b.cna("features.0", x, unit{cin: 3, cout: 32, k: 3, stride: 2, act: actSiLU})
	in := int64(32)
	for s, st := range []struct{ t, k, stride, out, n int64 }{
		{1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3}, {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1},
	} {
		for j := range st.n {
			stride := int64(1)
			if j == 0 {
				stride = st.stride
			}
			c := mbConv{in: in, exp: in * st.t, out: st.out, k: st.k, stride: stride, se: max(1, in/4), act: actSiLU}
			x = b.invertedBottleneck(fmt.Sprintf("features.%d.%d", s+1, j), x, c, actSiLU, actSigmoid)
			in = st.out
		}
	}
	x = b.cna("features.8", x, unit{cin: in, cout: 1280, k: 1, act: actSiLU})
	x = b.flatten(b.node("avgpool", "GlobalAveragePool", []string{x}))
	return b.linear("classifier.1", x, 1280, imageNetClasses, 1)
}
