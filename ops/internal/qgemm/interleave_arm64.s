//go:build !noasm

#include "textflag.h"

// func interleaveNEON(dst, s0, s1, s2, s3 *byte, n, stride int, flip byte)
//
// Interleave4 of n columns (a multiple of 16) at stride 1 or 2: 16 bytes of
// each row (LD1, or LD2 keeping the even bytes), XOR flip, stored as 16
// columns of four bytes by one ST4.
TEXT ·interleaveNEON(SB), NOSPLIT, $0-57
	MOVD  dst+0(FP), R0
	MOVD  s0+8(FP), R1
	MOVD  s1+16(FP), R2
	MOVD  s2+24(FP), R3
	MOVD  s3+32(FP), R4
	MOVD  n+40(FP), R5
	MOVD  stride+48(FP), R6
	MOVBU flip+56(FP), R7
	VDUP  R7, V31.B16
	CBZ   R5, done
	CMP   $1, R6
	BNE   loop2

loop1:
	VLD1.P 16(R1), [V0.B16]
	VLD1.P 16(R2), [V1.B16]
	VLD1.P 16(R3), [V2.B16]
	VLD1.P 16(R4), [V3.B16]
	VEOR   V31.B16, V0.B16, V0.B16
	VEOR   V31.B16, V1.B16, V1.B16
	VEOR   V31.B16, V2.B16, V2.B16
	VEOR   V31.B16, V3.B16, V3.B16
	VST4.P [V0.B16, V1.B16, V2.B16, V3.B16], 64(R0)
	SUBS   $16, R5, R5
	BNE    loop1
	RET

loop2:
	VLD2.P 32(R1), [V4.B16, V5.B16]
	VLD2.P 32(R2), [V6.B16, V7.B16]
	VLD2.P 32(R3), [V16.B16, V17.B16]
	VLD2.P 32(R4), [V18.B16, V19.B16]
	VEOR   V31.B16, V4.B16, V0.B16
	VEOR   V31.B16, V6.B16, V1.B16
	VEOR   V31.B16, V16.B16, V2.B16
	VEOR   V31.B16, V18.B16, V3.B16
	VST4.P [V0.B16, V1.B16, V2.B16, V3.B16], 64(R0)
	SUBS   $16, R5, R5
	BNE    loop2

done:
	RET
