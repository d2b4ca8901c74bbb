package models

import "strconv"

// vgg16 builds torchvision.models.vgg16 (configuration D, no batch norm)
// on a 3x224x224 input: thirteen 3x3 convolutions in five stages, each
// stage ending in a 2x2 max pool, then three fully connected layers.
// Dropout layers are absent, as in an eval-mode export; AdaptiveAvgPool2d
// ((7, 7)) meets a 7x7 map at this input size and is written as a 1x1,
// stride-1 AveragePool, as torch.onnx writes it (see alexnet). At 528 MB
// of weights it is the suite's memory test rather than a speed one.
func (b *graphBuilder) vgg16(x string) string {
	cfg := []int64{64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0}
	cin, module := int64(3), 0 // module: the index in torchvision's features
	for _, c := range cfg {
		path := "features." + strconv.Itoa(module)
		if c == 0 {
			x = b.pool(path, "MaxPool", x, window{2, 2, 0}, false)
			module++
			continue
		}
		x = b.conv(path, x, cin, c, 1, window{3, 1, 1}, true)
		x = b.relu("features."+strconv.Itoa(module+1), x)
		cin, module = c, module+2
	}
	x = b.pool("avgpool", "AveragePool", x, window{1, 1, 0}, false)
	x = b.flatten(x)
	x = b.relu("classifier.1", b.linear("classifier.0", x, 512*7*7, 4096, 2))
	x = b.relu("classifier.4", b.linear("classifier.3", x, 4096, 4096, 2))
	return b.linear("classifier.6", x, 4096, imageNetClasses, 1)
}
