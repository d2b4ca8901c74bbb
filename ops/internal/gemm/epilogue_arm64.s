//go:build !noasm

#include "textflag.h"
#include "neon.h"

// func clampRowNEON(c, add []float32, bias, lo, hi float32)
//
// c[x] = min(max((c[x] + bias) + add[x], lo), hi), without add when it is
// empty (else it is as long as c), four values a step and then one at a
// time. FMAX and FMIN return a NaN operand, as Go's max and min do.
TEXT ·clampRowNEON(SB), NOSPLIT, $0-60
	MOVD  c_base+0(FP), R0
	MOVD  c_len+8(FP), R1
	MOVD  add_base+24(FP), R2
	MOVD  add_len+32(FP), R3
	FMOVS bias+48(FP), F1
	FMOVS lo+52(FP), F2
	FMOVS hi+56(FP), F3
	VDUP  V1.S[0], V1.S4
	VDUP  V2.S[0], V2.S4
	VDUP  V3.S[0], V3.S4

loop4:
	CMP   $4, R1
	BLT   loop1
	VLD1  (R0), [V0.S4]
	FADDV(0, 0, 1)
	CBZ   R3, clamp4
	VLD1.P 16(R2), [V4.S4]
	FADDV(0, 0, 4)

clamp4:
	FMAXV(0, 0, 2)
	FMINV(0, 0, 3)
	VST1.P [V0.S4], 16(R0)
	SUB    $4, R1, R1
	B      loop4

loop1:
	CBZ   R1, done
	FMOVS (R0), F0
	FADDS F1, F0, F0
	CBZ   R3, clamp1
	FMOVS.P 4(R2), F4
	FADDS F4, F0, F0

clamp1:
	FMAXS   F2, F0, F0
	FMINS   F3, F0, F0
	FMOVS.P F0, 4(R0)
	SUB     $1, R1, R1
	B       loop1

done:
	RET
