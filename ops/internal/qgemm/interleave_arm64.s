//go:build !noasm

#include "textflag.h"

// func interleaveNEON(dst, s0, s1, s2, s3 *byte, n, stride int, flip byte, rows, lds, ldd int)
//
// Interleave4 of rows rows of n ≥ 1 columns at stride 1 or 2, row r of
// each source lds bytes after row r-1 and its columns ldd bytes after: 16
// bytes of each row (LD1, or LD2 keeping the even bytes), XOR flip,
// stored as 16 columns of four bytes by one ST4, then 8 columns by the
// same on D registers while 8 are left, and fewer than 8 by moving back
// to the last 8 columns and storing some again (the same bytes: dst does
// not overlap the rows). At stride 2 the loads of 16 or 8 columns read 32
// or 16 bytes, the last one past a row's last column's: the caller keeps
// it inside the sources. Rows of fewer than 8 columns take short (below).
// R9-R13 hold the row's bases, R14 n, R15 the rows left.
TEXT ·interleaveNEON(SB), NOSPLIT, $0-88
	MOVD  dst+0(FP), R9
	MOVD  s0+8(FP), R10
	MOVD  s1+16(FP), R11
	MOVD  s2+24(FP), R12
	MOVD  s3+32(FP), R13
	MOVD  n+40(FP), R14
	MOVD  stride+48(FP), R6
	MOVBU flip+56(FP), R7
	MOVD  rows+64(FP), R15
	MOVD  lds+72(FP), R19
	MOVD  ldd+80(FP), R20
	VDUP  R7, V31.B16

row:
	CBZ  R15, done
	MOVD R9, R0
	MOVD R10, R1
	MOVD R11, R2
	MOVD R12, R3
	MOVD R13, R4
	MOVD R14, R5
	ADD  R20, R9, R9
	ADD  R19, R10, R10
	ADD  R19, R11, R11
	ADD  R19, R12, R12
	ADD  R19, R13, R13
	SUB  $1, R15, R15
	CMP  $8, R14
	BLT  short
	CMP  $1, R6
	BNE  loop2

loop1:
	CMP    $16, R5
	BLT    tail1
	VLD1.P 16(R1), [V0.B16]
	VLD1.P 16(R2), [V1.B16]
	VLD1.P 16(R3), [V2.B16]
	VLD1.P 16(R4), [V3.B16]
	VEOR   V31.B16, V0.B16, V0.B16
	VEOR   V31.B16, V1.B16, V1.B16
	VEOR   V31.B16, V2.B16, V2.B16
	VEOR   V31.B16, V3.B16, V3.B16
	VST4.P [V0.B16, V1.B16, V2.B16, V3.B16], 64(R0)
	SUB    $16, R5, R5
	B      loop1

tail1:
	CBZ R5, row
	CMP $8, R5
	BGE eight1
	MOVD $8, R8 // back to the last 8 columns
	SUB  R5, R8, R8
	SUB  R8, R1, R1
	SUB  R8, R2, R2
	SUB  R8, R3, R3
	SUB  R8, R4, R4
	SUB  R8<<2, R0, R0
	MOVD $8, R5

eight1:
	VLD1.P 8(R1), [V0.B8]
	VLD1.P 8(R2), [V1.B8]
	VLD1.P 8(R3), [V2.B8]
	VLD1.P 8(R4), [V3.B8]
	VEOR   V31.B8, V0.B8, V0.B8
	VEOR   V31.B8, V1.B8, V1.B8
	VEOR   V31.B8, V2.B8, V2.B8
	VEOR   V31.B8, V3.B8, V3.B8
	VST4.P [V0.B8, V1.B8, V2.B8, V3.B8], 32(R0)
	SUB    $8, R5, R5
	B      tail1

loop2:
	CMP    $16, R5
	BLT    tail2
	VLD2.P 32(R1), [V4.B16, V5.B16]
	VLD2.P 32(R2), [V6.B16, V7.B16]
	VLD2.P 32(R3), [V16.B16, V17.B16]
	VLD2.P 32(R4), [V18.B16, V19.B16]
	VEOR   V31.B16, V4.B16, V0.B16
	VEOR   V31.B16, V6.B16, V1.B16
	VEOR   V31.B16, V16.B16, V2.B16
	VEOR   V31.B16, V18.B16, V3.B16
	VST4.P [V0.B16, V1.B16, V2.B16, V3.B16], 64(R0)
	SUB    $16, R5, R5
	B      loop2

tail2:
	CBZ R5, row
	CMP $8, R5
	BGE eight2
	MOVD $8, R8 // back to the last 8 columns
	SUB  R5, R8, R8
	SUB  R8<<1, R1, R1
	SUB  R8<<1, R2, R2
	SUB  R8<<1, R3, R3
	SUB  R8<<1, R4, R4
	SUB  R8<<2, R0, R0
	MOVD $8, R5

eight2:
	VLD2.P 16(R1), [V4.B8, V5.B8]
	VLD2.P 16(R2), [V6.B8, V7.B8]
	VLD2.P 16(R3), [V16.B8, V17.B8]
	VLD2.P 16(R4), [V18.B8, V19.B8]
	VEOR   V31.B8, V4.B8, V0.B8
	VEOR   V31.B8, V6.B8, V1.B8
	VEOR   V31.B8, V16.B8, V2.B8
	VEOR   V31.B8, V18.B8, V3.B8
	VST4.P [V0.B8, V1.B8, V2.B8, V3.B8], 32(R0)
	SUB    $8, R5, R5
	B      tail2

// A row of n < 8 columns: 8 loaded from each source (LD1, or LD2
// keeping the even bytes: 8·stride bytes, past the row's end), XOR flip,
// interleaved in registers by ZIP (bytes, then halfwords: columns 0-3 in
// V6, 4-7 in V7), and 4n bytes stored: 16, 8 and 4 by the bits of n.
short:
	CMP    $1, R6
	BNE    short2
	VLD1   (R1), [V0.B8]
	VLD1   (R2), [V1.B8]
	VLD1   (R3), [V2.B8]
	VLD1   (R4), [V3.B8]
	B      shortzip

short2:
	VLD2 (R1), [V4.B8, V5.B8]
	VLD2 (R2), [V6.B8, V7.B8]
	VLD2 (R3), [V16.B8, V17.B8]
	VLD2 (R4), [V18.B8, V19.B8]
	VMOV V4.B16, V0.B16
	VMOV V6.B16, V1.B16
	VMOV V16.B16, V2.B16
	VMOV V18.B16, V3.B16

shortzip:
	VEOR  V31.B16, V0.B16, V0.B16
	VEOR  V31.B16, V1.B16, V1.B16
	VEOR  V31.B16, V2.B16, V2.B16
	VEOR  V31.B16, V3.B16, V3.B16
	VZIP1 V1.B16, V0.B16, V4.B16
	VZIP1 V3.B16, V2.B16, V5.B16
	VZIP1 V5.H8, V4.H8, V6.H8
	VZIP2 V5.H8, V4.H8, V7.H8
	TBZ   $2, R5, short8
	VST1.P [V6.B16], 16(R0)
	VMOV  V7.B16, V6.B16

short8:
	TBZ   $1, R5, short4
	FMOVD F6, (R0)
	ADD   $8, R0, R0
	VEXT  $8, V6.B16, V6.B16, V6.B16

short4:
	TBZ   $0, R5, row
	FMOVS F6, (R0)
	B     row

done:
	RET
