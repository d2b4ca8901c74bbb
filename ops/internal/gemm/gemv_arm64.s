//go:build !noasm

#include "textflag.h"
#include "neon.h"

// func gemvNEON8(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)
//
// The GEMV form of the 8x8 kernel (see gemvFunc), panels of 8 columns:
// each step is two vectors of B (V17-V24 for four steps), multiplied by
// one lane of x's four values in V16 (FMLA by element, so x needs no
// broadcasts). Steps p = 0, 1, 2, 3 mod 4 accumulate into V0-V1, V2-V3,
// V4-V5 and V6-V7, the last k mod 4 steps into V0-V1; the sums are added
// as (s0 + s1) + (s2 + s3), the bias added and the result clipped to
// [lo, hi] (V30, V31) before it is stored.
//
// Registers: R0 k, R1 panels left, R2 x, R3 the panel, R4 ldb and R5
// pstride (bytes), R6 y, R7 bias (or 0), R8 the step, R9 x's step, R10
// the step count.
TEXT ·gemvNEON8(SB), NOSPLIT, $0-72
	MOVD  k+0(FP), R0
	MOVD  panels+8(FP), R1
	MOVD  x+16(FP), R2
	MOVD  b+24(FP), R3
	MOVD  ldb+32(FP), R4
	MOVD  pstride+40(FP), R5
	MOVD  y+48(FP), R6
	MOVD  bias+56(FP), R7
	FMOVS lo+64(FP), F30
	FMOVS hi+68(FP), F31
	VDUP  V30.S[0], V30.S4
	VDUP  V31.S[0], V31.S4
	LSL   $2, R4, R4
	LSL   $2, R5, R5
	CBZ   R1, done

panel:
	MOVD R3, R8
	MOVD R2, R9
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	LSR  $2, R0, R10
	CBZ  R10, tail

loop:
	VLD1.P 16(R9), [V16.S4]
	VLD1.P (R8)(R4), [V17.S4, V18.S4]
	VLD1.P (R8)(R4), [V19.S4, V20.S4]
	VLD1.P (R8)(R4), [V21.S4, V22.S4]
	VLD1.P (R8)(R4), [V23.S4, V24.S4]
	FMLAS(0, 17, 16, 0)
	FMLAS(1, 18, 16, 0)
	FMLAS(2, 19, 16, 1)
	FMLAS(3, 20, 16, 1)
	FMLAS(4, 21, 16, 2)
	FMLAS(5, 22, 16, 2)
	FMLAS(6, 23, 16, 3)
	FMLAS(7, 24, 16, 3)
	SUB    $1, R10, R10
	CBNZ   R10, loop

tail:
	AND $3, R0, R10
	CBZ R10, sum

step:
	FMOVS  (R9), F16
	ADD    $4, R9, R9
	VLD1.P (R8)(R4), [V17.S4, V18.S4]
	FMLAS(0, 17, 16, 0)
	FMLAS(1, 18, 16, 0)
	SUB    $1, R10, R10
	CBNZ   R10, step

sum:
	FADDV(0, 0, 2)
	FADDV(1, 1, 3)
	FADDV(4, 4, 6)
	FADDV(5, 5, 7)
	FADDV(0, 0, 4)
	FADDV(1, 1, 5)
	CBZ    R7, clamp
	VLD1.P 32(R7), [V16.S4, V17.S4]
	FADDV(0, 0, 16)
	FADDV(1, 1, 17)

clamp:
	FMAXV(0, 0, 30)
	FMAXV(1, 1, 30)
	FMINV(0, 0, 31)
	FMINV(1, 1, 31)
	VST1.P [V0.S4, V1.S4], 32(R6)
	ADD    R5, R3, R3
	SUB    $1, R1, R1
	CBNZ   R1, panel

done:
	RET
