package vec

// level is an instruction set the element-wise loops of Binary, the
// activations and the exp family run with.
type level int

// The instruction sets, each a superset of the Go loops.
const (
	levelGo     level = iota // plain Go: noasm builds, other architectures, older CPUs
	levelNEON                // Advanced SIMD, 4 lanes: arm64's, and armv7's for the exp family
	levelAVX2                // amd64's AVX2 with FMA, 8 lanes
	levelAVX512              // amd64's AVX-512F with BMI2, 16 lanes and masked tails
)

// String names the level in test and benchmark names.
func (l level) String() string {
	return [...]string{"go", "neon", "avx2", "avx512"}[l]
}

// simd is the level the loops run with: the best this build and CPU have,
// chosen once at start-up. Tests lower it to check every path.
var simd = levels()[0]
