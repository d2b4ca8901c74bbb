//go:build !noasm

package vec

// levels returns the instruction sets this armv7 CPU runs, best first:
// with NEON, the exp family runs 4 lanes at a time (the other loops stay
// Go on 32-bit arm: their *Asm functions compute nothing at any level).
func levels() []level {
	if hasNEON {
		return []level{levelNEON, levelGo}
	}
	return []level{levelGo}
}

// lanes is the number of float32 values in one of l's vectors.
func (l level) lanes() int {
	if l == levelNEON {
		return 4
	}
	return 1
}

// expNEON computes Exp, Sigmoid or Swish (k, not exTanh) for the first
// len(d)/4*4 values; it trusts len(x) >= len(d).
//
//go:noescape
func expNEON(k expKind, d, x []float32, alpha float32)

// expAsm computes function k of the exp family for whole vectors of d.
// The NEON loops are the Go loops instruction for instruction: VMLA
// rounds its product as Go's arm code does, and the divisions are VFP
// VDIVs, lane by lane, so each result is the Go loops' bit for bit, but
// where NEON flushes a denormal input, intermediate or result to zero (a
// result below 2^-126 is 0) and NaNs lose their payload. Tanh, which no
// model of the suite uses, stays in Go.
func expAsm(k expKind, d, x []float32, alpha float32) {
	if k == exTanh {
		tanhF32(d, x)
		return
	}
	expNEON(k, d, x, alpha)
}
