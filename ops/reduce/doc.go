// Package reduce holds the operators that combine elements along axes:
// the Reduce* family and Softmax / LogSoftmax. They register themselves
// with package ops when this package is imported.
package reduce
