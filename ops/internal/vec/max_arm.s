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

// func max3s2NEON(dst, src []float32)
//
// Per 4 outputs: VLD2 splits src[2i:2i+8] into even (Q0) and odd (Q1)
// values and src[2i+2:2i+10] into even ones (Q2); VMAX joins them.
TEXT ·max3s2NEON(SB), NOSPLIT, $0-24
	MOVW dst_base+0(FP), R0
	MOVW dst_len+4(FP), R2
	MOVW src_base+12(FP), R1
	MOVW R2>>2, R2
	CMP  $0, R2
	BEQ  done

loop:
	ADD $8, R1, R3
	VLD2x4(4, 3, 15)
	VLD2x4(0, 1, 13)
	VMAXQ(0, 0, 1)
	VMAXQ(0, 0, 2)
	VST1x2(0, 0, 13)
	SUB.S $1, R2
	BNE   loop

done:
	RET
