// Package reduce holds the operators that combine or search elements along
// axes: the Reduce* family, ArgMax and ArgMin, CumSum and CumProd, TopK,
// and Softmax, LogSoftmax and Hardmax. They register themselves with
// package ops when this package is imported.
package reduce
