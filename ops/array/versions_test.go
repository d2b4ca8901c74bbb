package array

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestChangelogVersions checks that every operator of the package is
// registered at each version the ONNX changelog lists for it.
func TestChangelogVersions(t *testing.T) {
	opstest.WantChangelogVersions(t, "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
		"Concat", "Split", "Slice", "Gather", "Shape", "Pad", "Constant", "ConstantOfShape", "Identity", "Dropout",
		"Expand", "Tile", "Range", "Size", "Trilu", "EyeLike",
		"GatherElements", "GatherND", "Scatter", "ScatterElements", "ScatterND", "TensorScatter",
		"OneHot", "NonZero", "Compress", "Unique",
		"DepthToSpace", "SpaceToDepth", "ReverseSequence", "CenterCropPad", "OptionalHasElement", "OptionalGetElement")
}
