// Package vision holds the image-geometry operators: Resize and Upsample,
// GridSample and AffineGrid, RoiAlign and MaxRoiPool, NonMaxSuppression,
// Col2Im and ImageDecoder. They register themselves with package ops when
// this package is imported.
package vision
