//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// func maxNEON(dst, src []float32)
//
// Eight values a step, then four. VMAX gives NaN when either operand is
// NaN, like Go's max (the default NaN), +0 over -0, and flushes denormals
// to zero (all ARMv7 NEON arithmetic does).
TEXT ·maxNEON(SB), NOSPLIT, $0-24
	MOVW dst_base+0(FP), R0
	MOVW dst_len+4(FP), R2
	MOVW src_base+12(FP), R1
	MOVW R2>>3, R3
	CMP  $0, R3
	BEQ  four

loop8:
	VLD1x4(0, 0, 15)
	VLD1x4(4, 1, 13)
	VMAXQ(0, 0, 2)
	VMAXQ(1, 1, 3)
	VST1x4(0, 0, 13)
	SUB.S $1, R3
	BNE   loop8

four:
	AND.S $4, R2, R3
	BEQ   done
	VLD1x2(0, 0, 15)
	VLD1x2(4, 1, 13)
	VMAXQ(0, 0, 2)
	VST1x2(0, 0, 13)

done:
	RET

// func max3x3s2NEON(dst, r0, r1, r2 []float32)
//
// Per 4 outputs and row: VLD2 splits src[2i:2i+8] into even (Q0 or Q4)
// and odd (Q1 or Q5) values, and src[2i+1:2i+9] into odd and even ones,
// the even ones being src[2i+2], ..., src[2i+8] (Q3; a load from 2i+2
// would read one value past the last window); VMAX joins the nine.
TEXT ·max3x3s2NEON(SB), NOSPLIT, $0-48
	MOVW dst_base+0(FP), R0
	MOVW dst_len+4(FP), R2
	MOVW r0_base+12(FP), R1
	MOVW r1_base+24(FP), R4
	MOVW r2_base+36(FP), R5
	MOVW R2>>2, R2
	CMP  $0, R2
	BEQ  done

loop:
	ADD $4, R1, R3
	VLD2x4(4, 3, 15)
	VLD2x4(0, 1, 13)
	VMAXQ(0, 0, 1)
	VMAXQ(0, 0, 3)
	ADD $4, R4, R3
	VLD2x4(4, 3, 15)
	VLD2x4(8, 4, 13)
	VMAXQ(0, 0, 4)
	VMAXQ(0, 0, 5)
	VMAXQ(0, 0, 3)
	ADD $4, R5, R3
	VLD2x4(4, 3, 15)
	VLD2x4(8, 5, 13)
	VMAXQ(0, 0, 4)
	VMAXQ(0, 0, 5)
	VMAXQ(0, 0, 3)
	VST1x2(0, 0, 13)
	SUB.S $1, R2
	BNE   loop

done:
	RET

// ROW3S1 maxes into Q0 a row's 4 values at register reg (number n), at
// reg+4 and at reg+8 bytes (loaded into Q1-Q3 through R3).
#define ROW3S1(n, reg) \
	VLD1x2(2, n, 15); \
	ADD    $4, reg, R3; \
	VLD1x2(4, 3, 15); \
	ADD    $8, reg, R3; \
	VLD1x2(6, 3, 15); \
	VMAXQ(0, 0, 1); \
	VMAXQ(0, 0, 2); \
	VMAXQ(0, 0, 3)

// func max3x3s1NEON(dst, r0, r1, r2 []float32)
//
// Per 4 outputs: the three rows' values at offsets 0, 1 and 2 values,
// maxed together.
TEXT ·max3x3s1NEON(SB), NOSPLIT, $0-48
	MOVW dst_base+0(FP), R0
	MOVW dst_len+4(FP), R2
	MOVW r0_base+12(FP), R1
	MOVW r1_base+24(FP), R4
	MOVW r2_base+36(FP), R5
	MOVW R2>>2, R2
	CMP  $0, R2
	BEQ  done1

loop1:
	VLD1x2(0, 1, 15)
	ROW3S1(1, R1)
	ROW3S1(4, R4)
	ROW3S1(5, R5)
	VST1x2(0, 0, 13)
	ADD   $16, R1
	ADD   $16, R4
	ADD   $16, R5
	SUB.S $1, R2
	BNE   loop1

done1:
	RET
