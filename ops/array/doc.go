// Package array holds the operators that move, select and reshape
// elements without arithmetic: Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Concat, Split, Slice, Gather, Shape, Pad, Constant,
// ConstantOfShape, Identity and Dropout. They register themselves with
// package ops when this package is imported.
package array
