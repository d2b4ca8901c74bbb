package nn

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dwconv"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// convAlgo is an algorithm a convolution runs with.
type convAlgo uint8

// The algorithms, each in its own file.
const (
	// algoIm2col multiplies each group's weights by its im2col matrix,
	// packed a tile of output positions at a time (conv_im2col.go).
	algoIm2col convAlgo = iota
	// algoPointwise is a 1x1 unpadded window: X, or its strided
	// positions gathered once, is the GEMM's right operand
	// (conv_pointwise.go).
	algoPointwise
	// algoPadded computes a 2-D window over a padded copy of the input
	// split by stride phase, reading im2col in place where the kernel can
	// (see convDims.padded, conv_im2col.go).
	algoPadded
	// algoTransposed computes Yᵀ = im2col(X)ᵀ Wᵀ (conv_transposed.go).
	algoTransposed
	// algoWinograd is F(4x4, 3x3) or F(6x6, 3x3) (conv_winograd.go).
	algoWinograd
	// algoDepthwise is one input channel per group (conv_depthwise.go).
	algoDepthwise
)

// weightForm is what Prepare made of W.
type weightForm uint8

const (
	// formRaw is W as it is: not constant, or not transformed.
	formRaw weightForm = iota
	// formUndecided is a constant W that Prepare is about to transform
	// for the algorithm chooseConv picks.
	formUndecided
	// formLean is formUndecided with no memory for a form bigger than W
	// (the Winograd one; see ops.Budget).
	formLean
	// formPacked is each group's weights packed as a GEMM left operand.
	formPacked
	// formTransposed is each group's Wᵀ packed as a right operand.
	formTransposed
	// formWinograd is W transformed for F(4x4, 3x3) or F(6x6, 3x3).
	formWinograd
	// formDepthwise is W packed for the depthwise kernels.
	formDepthwise
)

// chooseConv decides the algorithm of a convolution of sizes d in group
// groups whose W has form w: the one place the choice is made. Prepare
// asks with formUndecided and transforms W for the answer; runs,
// workspace sizing and profiles ask with the form Prepare made, so that a
// plan for other input shapes than Prepare saw runs an algorithm its W
// is ready for.
func chooseConv(d *convDims, group int, w weightForm) convAlgo {
	switch {
	case d.depthwise:
		return algoDepthwise
	case w == formHalf:
		return algoHalf
	case winogradShape(d, group) && (w == formWinograd || w == formUndecided && winogradUse(*d)):
		return algoWinograd
	case w == formTransposed || (w == formUndecided || w == formLean) && transposedFaster(d):
		return algoTransposed
	case d.padded:
		return algoPadded
	case d.direct || d.gathered():
		return algoPointwise
	}
	return algoIm2col
}

// readInPlace reports whether a unit 1x1 convolution, whose right operand
// (X itself) the GEMM kernel can read in place (gemm.Indirect), should be
// read so rather than packed by the GEMM. On arm64's NEON kernel the
// in-place form costs a load of a row offset for every step of K, which a
// packed operand saves on every row panel of W: with 128 output channels
// (16 panels) or more, packing costs fewer instructions on the A72. M
// instructions per inference under qemu-aarch64 with GOMAXPROCS=1 (which
// repeat to about 0.5 M): SqueezeNet 125.2 all in place, 127.1, 122.0 and
// 126.4 with the 1x1 layers packed from 64, 128 and 256 output channels;
// ResNet-50 1248.8 in place, 1214.7 packed from 128. So are the gathered
// positions of the strided 1x1 layers (ResNet's downsamples, 128 to 2048
// output channels): ResNet-50's kernels and packing took 8 M fewer
// (1,023.0 -> 1,016.8 M in all with the Winograd changes of that day,
// 2026-12-08). The same rule for the padded windows of the stride-2 3x3 layers was not clearly better (in
// noisier counts: ResNet-18 -4.6 M, ResNet-50 +7 M, AlexNet +2.4 M), so
// they stay in place. The other kernels keep reading in place.
func readInPlace(d *convDims) bool {
	return !neonArm64 || d.mg < 128
}

// neonArm64 reports whether the GEMM kernel is arm64's NEON one.
var neonArm64 = runtime.GOARCH == "arm64" && strings.HasPrefix(gemm.KernelName(), "neon")

// winogradUse reports whether winogradPolicy runs d as Winograd. It
// takes a copy of d, which the policy (a variable) makes escape.
func winogradUse(d convDims) bool {
	return winogradPolicy(&d).use
}

// Algorithm names the path Run takes for inputs of these shapes, for
// profiles (ops.AlgorithmNamer), with the number of groups of a grouped
// convolution.
func (c *convOp) Algorithm(in []ops.Value) string {
	if len(in) < 2 {
		return ""
	}
	d, err := convDimsOf(&c.sp, c.group, in[0].Shape, in[1].Shape)
	if err != nil {
		return ""
	}
	name := c.algorithmName(&d)
	if c.group > 1 && !d.depthwise {
		name += fmt.Sprintf(", %d groups", c.group)
	}
	return name
}

// algorithmName names the path Run takes for d.
func (c *convOp) algorithmName(d *convDims) string {
	k := d.g.Kernel
	window := fmt.Sprintf("%dx%d", k[1], k[2])
	switch chooseConv(d, c.group, c.form()) {
	case algoHalf:
		return "fp16 " + halfName(d, window)
	case algoDepthwise:
		if s := d.g.Strides; s[1] != 1 || s[2] != 1 {
			window += fmt.Sprintf(" s%d", max(s[1], s[2]))
		}
		if d.planar() {
			if p, err := dwconv.NewPlan(d.dwShape()); err == nil && c.blocked(d, &p) {
				window += ", blocked"
			}
		}
		return "depthwise " + window
	case algoWinograd:
		return c.halfPrefix() + c.wino.k.name
	case algoTransposed:
		if d.pointwise() {
			return "transposed 1x1"
		}
		return "transposed " + window
	case algoPadded:
		if d.indirect {
			return "implicit im2col " + window
		}
		return "padded im2col " + window
	case algoPointwise:
		switch {
		case d.inPlace() && d.direct:
			return "1x1 in place"
		case d.inPlace():
			return "strided 1x1 gathered"
		case d.gathered():
			return "strided 1x1 gathered, packed"
		}
		return "1x1 packed"
	}
	return "im2col " + window
}
