// Package loss holds the loss functions: NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss. They register themselves with package ops when
// this package is imported.
package loss
