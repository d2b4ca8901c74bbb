//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// func maxNEON(dst, src []float32)
//
// FMAX gives NaN when either operand is NaN, like Go's max.
TEXT ·maxNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD src_base+24(FP), R1
	LSR  $2, R2, R2
	CBZ  R2, done

loop:
	VLD1   (R0), [V0.S4]
	VLD1.P 16(R1), [V1.S4]
	FMAXV(0, 0, 1)
	VST1.P [V0.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, loop

done:
	RET
