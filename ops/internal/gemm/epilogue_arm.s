//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// func clampRowNEON(c, add []float32, bias, lo, hi float32)
//
// c[x] = min(max((c[x] + bias) + add[x], lo), hi), without add when it is
// empty (else it is as long as c), eight values a step, then four, then
// one at a time (in lane 0 of Q0, through S0 and S4). VMAX and VMIN give a
// NaN for a NaN operand, as Go's max and min do (the default NaN), and
// flush denormals to zero, as all ARMv7 NEON arithmetic does. Bias, lo
// and hi are broadcast in Q13, Q14 and Q15.
TEXT ·clampRowNEON(SB), NOSPLIT, $0-36
	MOVW c_base+0(FP), R0
	MOVW c_len+4(FP), R1
	MOVW add_base+12(FP), R2
	MOVW add_len+16(FP), R3
	MOVW $bias+24(FP), R4
	VLD1DUP2(26, 4, 13)
	VLD1DUP2(28, 4, 13)
	VLD1DUP2(30, 4, 13)

loop8:
	CMP $8, R1
	BLT loop4
	VLD1x4(0, 0, 15)
	VADDQ(0, 0, 13)
	VADDQ(1, 1, 13)
	CMP $0, R3
	BEQ clamp8
	VLD1x4(4, 2, 13)
	VADDQ(0, 0, 2)
	VADDQ(1, 1, 3)

clamp8:
	VMAXQ(0, 0, 14)
	VMAXQ(1, 1, 14)
	VMINQ(0, 0, 15)
	VMINQ(1, 1, 15)
	VST1x4(0, 0, 13)
	SUB $8, R1
	B   loop8

loop4:
	CMP $4, R1
	BLT loop1
	VLD1x2(0, 0, 15)
	VADDQ(0, 0, 13)
	CMP $0, R3
	BEQ clamp4
	VLD1x2(4, 2, 13)
	VADDQ(0, 0, 2)

clamp4:
	VMAXQ(0, 0, 14)
	VMINQ(0, 0, 15)
	VST1x2(0, 0, 13)
	SUB $4, R1

loop1:
	CMP  $0, R1
	BEQ  done
	MOVF (R0), F0
	VADDQ(0, 0, 13)
	CMP  $0, R3
	BEQ  clamp1
	MOVF (R2), F2
	ADD  $4, R2
	VADDQ(0, 0, 1)

clamp1:
	VMAXQ(0, 0, 14)
	VMINQ(0, 0, 15)
	MOVF F0, (R0)
	ADD  $4, R0
	SUB  $1, R1
	B    loop1

done:
	RET
