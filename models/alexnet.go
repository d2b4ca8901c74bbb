package models

// alexnet builds torchvision.models.alexnet on a 3x224x224 input. Dropout
// layers are absent, as in an eval-mode export. AdaptiveAvgPool2d((6, 6))
// meets a 6x6 map at this input size, so torch.onnx writes it as a 1x1,
// stride-1 AveragePool (an identity), kept here for fidelity.
func (b *graphBuilder) alexnet(x string) string {
	x = b.relu("features.1", b.conv("features.0", x, 3, 64, 1, window{11, 4, 2}, true))
	x = b.pool("features.2", "MaxPool", x, window{3, 2, 0}, false)
	x = b.relu("features.4", b.conv("features.3", x, 64, 192, 1, window{5, 1, 2}, true))
	x = b.pool("features.5", "MaxPool", x, window{3, 2, 0}, false)
	x = b.relu("features.7", b.conv("features.6", x, 192, 384, 1, window{3, 1, 1}, true))
	x = b.relu("features.9", b.conv("features.8", x, 384, 256, 1, window{3, 1, 1}, true))
	x = b.relu("features.11", b.conv("features.10", x, 256, 256, 1, window{3, 1, 1}, true))
	x = b.pool("features.12", "MaxPool", x, window{3, 2, 0}, false)
	x = b.pool("avgpool", "AveragePool", x, window{1, 1, 0}, false)
	x = b.flatten(x)
	x = b.relu("classifier.2", b.linear("classifier.1", x, 256*6*6, 4096, 2))
	x = b.relu("classifier.5", b.linear("classifier.4", x, 4096, 4096, 2))
	return b.linear("classifier.6", x, 4096, imageNetClasses, 1)
}
