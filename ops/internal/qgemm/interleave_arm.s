//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// func interleaveNEON(dst, s0, s1, s2, s3 *byte, n, stride int, flip byte)
//
// Interleave4 of n columns (a multiple of 16) at stride 1 or 2, as
// interleave_arm64.s: 16 bytes of each row (VLD1, or VLD2 keeping the
// even bytes) XOR flip (in every byte of Q15) into Q0-Q3, stored as 16
// columns of four bytes by two VST4s (the low halves, D0, D2, D4, D6,
// then the high ones).
TEXT ·interleaveNEON(SB), NOSPLIT, $0-29
	MOVW dst+0(FP), R0
	MOVW s0+4(FP), R1
	MOVW s1+8(FP), R2
	MOVW s2+12(FP), R3
	MOVW s3+16(FP), R4
	MOVW n+20(FP), R5
	MOVW stride+24(FP), R6
	MOVW $flip+28(FP), R7
	VLD1DUP8(30, 7, 15)
	VLD1DUP8(31, 7, 15)
	CMP  $0, R5
	BEQ  done
	CMP  $1, R6
	BNE  loop2

loop1:
	VLD1x2(0, 1, 13)
	VLD1x2(2, 2, 13)
	VLD1x2(4, 3, 13)
	VLD1x2(6, 4, 13)
	VEORQ(0, 0, 15)
	VEORQ(1, 1, 15)
	VEORQ(2, 2, 15)
	VEORQ(3, 3, 15)
	VST4x4BS2(0, 0, 13)
	VST4x4BS2(1, 0, 13)
	SUB.S $16, R5
	BNE   loop1
	RET

loop2: // the even bytes of each row in Q0 (row 0), Q2, Q4, Q6, then moved
	VLD2x4B(0, 1, 13)
	VLD2x4B(4, 2, 13)
	VLD2x4B(8, 3, 13)
	VLD2x4B(12, 4, 13)
	VEORQ(0, 0, 15)
	VEORQ(1, 2, 15)
	VEORQ(2, 4, 15)
	VEORQ(3, 6, 15)
	VST4x4BS2(0, 0, 13)
	VST4x4BS2(1, 0, 13)
	SUB.S $16, R5
	BNE   loop2

done:
	RET

// func copyFlipNEON(dst, src *byte, n int, flip byte)
//
// CopyFlip of n bytes (a multiple of 16), 16 per step.
TEXT ·copyFlipNEON(SB), NOSPLIT, $0-13
	MOVW dst+0(FP), R0
	MOVW src+4(FP), R1
	MOVW n+8(FP), R2
	MOVW $flip+12(FP), R3
	VLD1DUP8(30, 3, 15)
	VLD1DUP8(31, 3, 15)

cfloop:
	VLD1x2(0, 1, 13)
	VEORQ(0, 0, 15)
	VST1x2(0, 0, 13)
	SUB.S $16, R2
	BNE   cfloop
	RET

// func minBytesNEON(p *byte, n int, m *[16]byte)
//
// The lane-wise signed minimum of n bytes (a multiple of 16, at least 16),
// 16 per step: VMIN.S8 into Q0, which starts from the first 16.
TEXT ·minBytesNEON(SB), NOSPLIT, $0-12
	MOVW p+0(FP), R0
	MOVW n+4(FP), R1
	MOVW m+8(FP), R2
	VLD1x2(0, 0, 13)
	SUB.S $16, R1
	BEQ   mindone

minloop:
	VLD1x2(2, 0, 13)
	VMINS8Q(0, 0, 1)
	SUB.S $16, R1
	BNE   minloop

mindone:
	VST1x2(0, 2, 15)
	RET

// func sumBytesNEON(p *byte, n int, flip byte, s *uint32)
//
// The sum of n bytes (a multiple of 16, at least 16) XOR flip (Q15), 16
// per step: VPADDL.U8 adds them in pairs to 8 uint16 lanes, VPADAL.U16
// those in pairs to the 4 uint32 lanes of Q1, added at the end.
TEXT ·sumBytesNEON(SB), NOSPLIT, $0-16
	MOVW p+0(FP), R0
	MOVW n+4(FP), R1
	MOVW $flip+8(FP), R2
	MOVW s+12(FP), R3
	VLD1DUP8(30, 2, 15)
	VLD1DUP8(31, 2, 15)
	VEORQ(1, 1, 1)

sbloop:
	VLD1x2(0, 0, 13)
	VEORQ(0, 0, 15)
	VPADDLU8Q(0, 0)
	VPADALU16Q(1, 0)
	SUB.S $16, R1
	BNE   sbloop
	VPADDI32(4, 2, 3)
	VPADDI32(4, 4, 4)
	VST1LANE32(4, 0, 3, 15)
	RET
