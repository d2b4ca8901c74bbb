//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// The armv7 NEON transforms (see transform_arm64.s, which they follow):
// each call works on Lanes = 16 tiles as four groups of 4, one per vector
// lane. Q7 holds the constants (4, 5, 2, 8) of tconsts: D14[0] 4, D14[1]
// 5, D15[0] 2, D15[1] 8, which VMLA and VMLS by scalar multiply by (not
// fused: each product is rounded, as in bt and at). R10 (g) and R11 (the
// linker's) are not used.

// CONSTS loads Q7.
#define CONSTS \
	MOVW $·tconsts(SB), R12; \
	VLD1x2(14, 12, 15)

// BTN computes Bᵀ z of Q0-Q5 (as bt does), leaving o0-o5 in Q4, Q9, Q6,
// Q11, Q8, Q5 and clobbering Q10.
#define BTN \
	VORRQ(6, 4, 4); \
	VMLSQS(6, 2, 14, 0); \
	VORRQ(8, 3, 3); \
	VMLSQS(8, 1, 14, 0); \
	VADDQ(9, 6, 8); \
	VSUBQ(6, 6, 8); \
	VSUBQ(8, 4, 2); \
	VSUBQ(10, 3, 1); \
	VORRQ(11, 8, 8); \
	VMLAQS(11, 10, 15, 0); \
	VMLSQS(8, 10, 15, 0); \
	VMLAQS(4, 0, 14, 0); \
	VMLSQS(4, 2, 14, 1); \
	VMLAQS(5, 1, 14, 0); \
	VMLSQS(5, 3, 14, 1)

// (BTN: t1 = z4 - 4 z2 in Q6, t2 = z3 - 4 z1 in Q8, o1 = t1 + t2, o2 =
// t1 - t2, t3 = z4 - z2 in Q8, t4 = z3 - z1 in Q10, o3 = t3 + 2 t4, o4 =
// t3 - 2 t4, o0 = z4 + 4 z0 - 5 z2, o5 = z5 + 4 z1 - 5 z3.)

// func gatherNEON(xp *float32, idx *int32, wp int, d, dst *float32, stride int)
//
// For each group: row i of its 4 tiles is loaded (elements 0-3 to Q0-Q3,
// 4-5 to D8, D10, D9, D11) and transposed so that Q0-Q5 hold element
// (i, j) of the 4 tiles, transformed (the rows of d B) and stored to d,
// element (i, n) of tile l at d[(i*6+n)*16+l]; then each column of d is
// loaded, transformed (Bᵀ of it) and point k*6+n stored to
// dst[(k*6+n)*stride+l]. Rows: R0-R3 the tiles' rows, R4 wp*4-16, R5 d,
// R6 64, R7 rows left; columns: R0 d's column, R1 384, R2 dst, R3
// 6*stride*4, R4 columns left, R5 the column of d, R6 that of dst, R7
// stride*4. R8 idx, R9 xp. Frame: 4(R13) the group's d, 8(R13) its dst,
// 12(R13) stride*4, 16(R13) groups left, 20(R13) wp*4-16.
TEXT ·gatherNEON(SB), NOSPLIT, $20-24
	CONSTS
	MOVW xp+0(FP), R9
	MOVW idx+4(FP), R8
	MOVW wp+8(FP), R12
	MOVW R12<<2, R12
	SUB  $16, R12
	MOVW R12, 20(R13)
	MOVW d+12(FP), R12
	MOVW R12, 4(R13)
	MOVW dst+16(FP), R12
	MOVW R12, 8(R13)
	MOVW stride+20(FP), R12
	MOVW R12<<2, R12
	MOVW R12, 12(R13)
	MOVW $4, R12
	MOVW R12, 16(R13)

group:
	MOVW 0(R8), R0
	ADD  R0<<2, R9, R0
	MOVW 4(R8), R1
	ADD  R1<<2, R9, R1
	MOVW 8(R8), R2
	ADD  R2<<2, R9, R2
	MOVW 12(R8), R3
	ADD  R3<<2, R9, R3
	MOVW 20(R13), R4
	MOVW 4(R13), R5
	MOVW $64, R6
	MOVW $6, R7

row:
	VLD1x2(0, 0, 13)
	VLD1x1(8, 0, 4)
	VLD1x2(2, 1, 13)
	VLD1x1(10, 1, 4)
	VLD1x2(4, 2, 13)
	VLD1x1(9, 2, 4)
	VLD1x2(6, 3, 13)
	VLD1x1(11, 3, 4)
	VTRNQ(0, 1)
	VTRNQ(2, 3)
	VSWPD(1, 4)
	VSWPD(3, 6)
	VTRND(8, 10)
	VTRND(9, 11)
	BTN
	VST1x2(8, 5, 6)
	VST1x2(18, 5, 6)
	VST1x2(12, 5, 6)
	VST1x2(22, 5, 6)
	VST1x2(16, 5, 6)
	VST1x2(10, 5, 6)
	SUB.S $1, R7
	BNE   row

	// Columns: column n of d (its 6 rows 384 bytes apart) to points
	// k*6+n, 6*stride floats apart.
	MOVW 4(R13), R5
	MOVW 8(R13), R6
	MOVW 12(R13), R7
	ADD  R7<<1, R7, R3
	MOVW R3<<1, R3
	MOVW $384, R1
	MOVW $6, R4

col:
	MOVW R5, R0
	VLD1x2(0, 0, 1)
	VLD1x2(2, 0, 1)
	VLD1x2(4, 0, 1)
	VLD1x2(6, 0, 1)
	VLD1x2(8, 0, 1)
	VLD1x2(10, 0, 15)
	BTN
	MOVW R6, R2
	VST1x2(8, 2, 3)
	VST1x2(18, 2, 3)
	VST1x2(12, 2, 3)
	VST1x2(22, 2, 3)
	VST1x2(16, 2, 3)
	VST1x2(10, 2, 15)
	ADD   $64, R5
	ADD   R7, R6
	SUB.S $1, R4
	BNE   col

	ADD   $16, R8
	MOVW  4(R13), R12
	ADD   $16, R12
	MOVW  R12, 4(R13)
	MOVW  8(R13), R12
	ADD   $16, R12
	MOVW  R12, 8(R13)
	MOVW  16(R13), R12
	SUB.S $1, R12
	MOVW  R12, 16(R13)
	BNE   group
	RET

// AT computes Aᵀ m of Q0-Q5 in place (as at does): y0-y3 end in Q0, Q8,
// Q6, Q1 (s12 in Q6, d12 Q1, s34 Q2, d34 Q3).
#define AT \
	VADDQ(6, 1, 2); \
	VSUBQ(1, 1, 2); \
	VADDQ(2, 3, 4); \
	VSUBQ(3, 3, 4); \
	VADDQ(0, 0, 6); \
	VADDQ(0, 0, 2); \
	VORRQ(8, 1, 1); \
	VMLAQS(8, 3, 15, 0); \
	VMLAQS(6, 2, 14, 0); \
	VADDQ(1, 1, 5); \
	VMLAQS(1, 3, 15, 1)

// ATCOL transforms column j of the group's products (at R6, then
// advanced to column j+1 by R7 bytes; its points R1 bytes apart) and
// stores y0-y3 to the scratch at R8 (then advanced by 16), 96 bytes
// apart: element (a, j) at scratch + (a*6+j)*16.
#define ATCOL \
	MOVW R6, R5; \
	VLD1x2(0, 5, 1); \
	VLD1x2(2, 5, 1); \
	VLD1x2(4, 5, 1); \
	VLD1x2(6, 5, 1); \
	VLD1x2(8, 5, 1); \
	VLD1x2(10, 5, 15); \
	ADD  R7, R6; \
	AT; \
	MOVW R8, R12; \
	VST1x2(0, 12, 9); \
	VST1x2(16, 12, 9); \
	VST1x2(12, 12, 9); \
	VST1x2(2, 12, 15); \
	ADD  $16, R8

// ATROW transforms row a of the scratch (at R8, then advanced by 96),
// transposes the four values of each tile into one vector and stores the
// tiles' rows a at R2 + a*16, 64 bytes apart (R5).
#define ATROW(a) \
	VLD1x4(0, 8, 13); \
	VLD1x4(4, 8, 13); \
	VLD1x4(8, 8, 13); \
	AT; \
	VTRNQ(0, 8); \
	VTRNQ(6, 1); \
	VSWPD(1, 12); \
	VSWPD(17, 2); \
	ADD $(a*16), R2, R12; \
	VST1x2(0, 12, 5); \
	VST1x2(16, 12, 5); \
	VST1x2(12, 12, 5); \
	VST1x2(2, 12, 15)

// func outputNEON(m *float32, stride int, o *float32)
//
// For each group: the columns of its 4 products are loaded and
// transformed (Aᵀ M) into a scratch past o's tiles (o + 256 floats, 24
// vectors); then each row a of those is transformed (the rows of (Aᵀ M)
// A), its values transposed so that each vector holds row a of one tile,
// and stored to o[(l*4+a)*4]. Registers: R0 the group's m, R1 6*stride*4,
// R2 the group's first tile in o, R3 the scratch, R4 groups left, R5 and
// R12 pointers (R5 64 in the rows), R6 the column of m, R7 stride*4, R8
// the scratch's element, R9 96.
TEXT ·outputNEON(SB), NOSPLIT, $0-12
	CONSTS
	MOVW m+0(FP), R0
	MOVW stride+4(FP), R7
	MOVW o+8(FP), R2
	MOVW R7<<2, R7
	ADD  R7<<1, R7, R1
	MOVW R1<<1, R1
	ADD  $1024, R2, R3
	MOVW $96, R9
	MOVW $4, R4

outgroup:
	MOVW R0, R6
	MOVW R3, R8
	ATCOL
	ATCOL
	ATCOL
	ATCOL
	ATCOL
	ATCOL
	MOVW R3, R8
	MOVW $64, R5
	ATROW(0)
	ATROW(1)
	ATROW(2)
	ATROW(3)
	ADD   $16, R0
	ADD   $256, R2
	SUB.S $1, R4
	BNE   outgroup
	RET
