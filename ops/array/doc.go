// Package array holds the operators that move, select and reshape
// elements without arithmetic (or with the little scatter reductions
// need): Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split,
// Slice, Shape, Size, Pad, CenterCropPad, Crop, Expand, Tile,
// DepthToSpace, SpaceToDepth, ReverseSequence, Trilu; Gather,
// GatherElements, GatherND, Scatter, ScatterElements, ScatterND,
// TensorScatter, OneHot; the value-dependent NonZero, Compress, Unique and
// Range; Constant, ConstantOfShape, GivenTensorFill, EyeLike; Identity,
// Dropout, OptionalHasElement and OptionalGetElement. They register
// themselves with package ops when this package is imported.
//
// Most are copies planned once in Bind: a movePlan (a strided view of the
// input, simplified so that contiguous runs are block copies) serves
// Transpose, Slice, Expand, Tile, DepthToSpace, SpaceToDepth and Crop;
// Pad's row kernel serves CenterCropPad.
package array
