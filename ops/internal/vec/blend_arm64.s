//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// func lerpNEON(dst, x, y []float32, a, b float32)
//
// a*x[i] is rounded, then b*y[i] is added to it in one fused step (FMLA),
// as Go's arm64 compiler computes the same expression.
TEXT ·lerpNEON(SB), NOSPLIT, $0-80
	MOVD  dst_base+0(FP), R0
	MOVD  dst_len+8(FP), R3
	MOVD  x_base+24(FP), R1
	MOVD  y_base+48(FP), R2
	FMOVS a+72(FP), F0
	FMOVS b+76(FP), F1
	VDUP  V0.S[0], V0.S4
	VDUP  V1.S[0], V1.S4
	LSR   $2, R3, R3
	CBZ   R3, done

loop:
	VLD1.P 16(R1), [V2.S4]
	VLD1.P 16(R2), [V3.S4]
	FMULV(2, 2, 0)
	VFMLA  V1.S4, V3.S4, V2.S4
	VST1.P [V2.S4], 16(R0)
	SUB    $1, R3, R3
	CBNZ   R3, loop

done:
	RET

// func axpyNEON(dst, x []float32, a float32)
TEXT ·axpyNEON(SB), NOSPLIT, $0-52
	MOVD  dst_base+0(FP), R0
	MOVD  dst_len+8(FP), R2
	MOVD  x_base+24(FP), R1
	FMOVS a+48(FP), F0
	VDUP  V0.S[0], V0.S4
	LSR   $2, R2, R2
	CBZ   R2, done

loop:
	VLD1   (R0), [V1.S4]
	VLD1.P 16(R1), [V2.S4]
	VFMLA  V0.S4, V2.S4, V1.S4
	VST1.P [V1.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, loop

done:
	RET
