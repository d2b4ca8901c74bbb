//go:build !noasm

#include "textflag.h"

// func gather2NEON(dst, src []float32)
//
// LD2 splits 8 values into the even and the odd ones; the even are stored.
TEXT ·gather2NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD src_base+24(FP), R1
	LSR  $2, R2, R2
	CBZ  R2, done

loop:
	VLD2.P 32(R1), [V0.S4, V1.S4]
	VST1.P [V0.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, loop

done:
	RET
