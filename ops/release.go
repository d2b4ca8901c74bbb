package ops

// Releaser is implemented by ops whose Prepare copies constant inputs into
// a layout of their own (packed weights) and never reads the originals in
// Run. The runtime then lets the operating system drop the originals'
// pages of a memory-mapped model file, so the weights are not resident
// twice.
type Releaser interface {
	// Released lists the indices of the constant inputs the prepared op
	// does not read in Run.
	Released() []int
}
