//go:build !noasm

#include "textflag.h"
#include "neon.h"

// The NEON transforms: each call works on Lanes = 16 tiles as four groups
// of 4, one per vector lane. V31 holds the constants (4, 5, 2, 8), which
// FMLA and FMLS by element multiply by.

// CONSTS sets V31 to (4, 5, 2, 8).
#define CONSTS \
	MOVW $0x40800000, R9; \
	VMOV R9, V31.S[0];    \
	MOVW $0x40a00000, R9; \
	VMOV R9, V31.S[1];    \
	MOVW $0x40000000, R9; \
	VMOV R9, V31.S[2];    \
	MOVW $0x41000000, R9; \
	VMOV R9, V31.S[3]

// BTN computes Bᵀ z of V0-V5 (as bt does, with fused multiply-adds),
// leaving o0-o5 in V4, V8, V6, V10, V7, V5 and clobbering V9.
#define BTN \
	VMOVQ(6, 4);         \ // t1 = z4 - 4 z2
	FMLSS(6, 2, 31, 0);  \
	VMOVQ(7, 3);         \ // t2 = z3 - 4 z1
	FMLSS(7, 1, 31, 0);  \
	FADDV(8, 6, 7);      \ // o1 = t1 + t2
	FSUBV(6, 6, 7);      \ // o2 = t1 - t2
	FSUBV(7, 4, 2);      \ // t3 = z4 - z2
	FSUBV(9, 3, 1);      \ // t4 = z3 - z1
	VMOVQ(10, 7);        \ // o3 = t3 + 2 t4
	FMLAS(10, 9, 31, 2); \
	FMLSS(7, 9, 31, 2);  \ // o4 = t3 - 2 t4
	FMLAS(4, 0, 31, 0);  \ // o0 = z4 + 4 z0 - 5 z2
	FMLSS(4, 2, 31, 1);  \
	FMLAS(5, 1, 31, 0);  \ // o5 = z5 + 4 z1 - 5 z3
	FMLSS(5, 3, 31, 1)

// TILEROW loads row i of the tile at rp (then advanced to row i+1 by R2
// bytes): elements 0-3 to vq, 4-5 to the low half of fd.
#define TILEROW(rp, vq, fd) \
	FMOVD  16(rp), fd; \
	VLD1.P (rp)(R2), [vq.S4]

// func gatherNEON(xp *float32, idx *int32, wp int, d, dst *float32, stride int)
//
// For each group: row i of its 4 tiles is loaded and transposed so that
// V0-V5 hold element (i, j) of the 4 tiles, transformed (the rows of d B)
// and stored to d, element (i, n) of tile l at d[(i*6+n)*16+l]; then each
// column of d is loaded, transformed (Bᵀ of it) and point k*6+n stored to
// dst[(k*6+n)*stride+l]. Registers: R0 xp, R1 the group's idx, R2 wp, R5
// stride and R6 6*stride (bytes), R3 and R4 the group's d and dst, R7
// groups left, R8-R11 the tiles' rows, R12-R17 counts and pointers.
TEXT ·gatherNEON(SB), NOSPLIT, $0-48
	CONSTS
	MOVD xp+0(FP), R0
	MOVD idx+8(FP), R1
	MOVD wp+16(FP), R2
	MOVD d+24(FP), R3
	MOVD dst+32(FP), R4
	MOVD stride+40(FP), R5
	LSL  $2, R2, R2
	LSL  $2, R5, R5
	ADD  R5<<1, R5, R6
	LSL  $1, R6, R6
	MOVD $4, R7

group:
	MOVW 0(R1), R8
	ADD  R8<<2, R0, R8
	MOVW 4(R1), R9
	ADD  R9<<2, R0, R9
	MOVW 8(R1), R10
	ADD  R10<<2, R0, R10
	MOVW 12(R1), R11
	ADD  R11<<2, R0, R11
	MOVD R3, R13
	MOVD $6, R12

row:
	TILEROW(R8, V16, F20)
	TILEROW(R9, V17, F21)
	TILEROW(R10, V18, F22)
	TILEROW(R11, V19, F23)
	TRN1S(24, 16, 17)
	TRN2S(25, 16, 17)
	TRN1S(26, 18, 19)
	TRN2S(27, 18, 19)
	ZIP1D(0, 24, 26)
	ZIP1D(1, 25, 27)
	ZIP2D(2, 24, 26)
	ZIP2D(3, 25, 27)
	TRN1S(24, 20, 21)
	TRN2S(25, 20, 21)
	TRN1S(26, 22, 23)
	TRN2S(27, 22, 23)
	ZIP1D(4, 24, 26)
	ZIP1D(5, 25, 27)
	BTN
	FMOVQ F4, 0(R13)
	FMOVQ F8, 64(R13)
	FMOVQ F6, 128(R13)
	FMOVQ F10, 192(R13)
	FMOVQ F7, 256(R13)
	FMOVQ F5, 320(R13)
	ADD   $384, R13, R13
	SUB   $1, R12, R12
	CBNZ  R12, row

	// Columns: column n of d (its 6 rows 384 bytes apart) to points
	// k*6+n, k*6*stride floats apart.
	MOVD R3, R14
	MOVD R4, R16
	MOVD $6, R17

col:
	FMOVQ  0(R14), F0
	FMOVQ  384(R14), F1
	FMOVQ  768(R14), F2
	FMOVQ  1152(R14), F3
	FMOVQ  1536(R14), F4
	FMOVQ  1920(R14), F5
	BTN
	MOVD   R16, R15
	VST1.P [V4.S4], (R15)(R6)
	VST1.P [V8.S4], (R15)(R6)
	VST1.P [V6.S4], (R15)(R6)
	VST1.P [V10.S4], (R15)(R6)
	VST1.P [V7.S4], (R15)(R6)
	VST1   [V5.S4], (R15)
	ADD    $64, R14, R14
	ADD    R5, R16, R16
	SUB    $1, R17, R17
	CBNZ   R17, col

	ADD  $16, R1, R1
	ADD  $16, R3, R3
	ADD  $16, R4, R4
	SUB  $1, R7, R7
	CBNZ R7, group
	RET

// ATCOL loads column j of the products (R6, then advanced to column j+1
// by R1 bytes; its points 6*stride floats, R3 bytes, apart) to V0-V5 and
// computes Aᵀ of it (as at does) into d0-d3, clobbering V0-V6.
#define ATCOL(d0, d1, d2, d3) \
	MOVD   R6, R5;               \
	VLD1.P (R5)(R3), [V0.S4];    \
	VLD1.P (R5)(R3), [V1.S4];    \
	VLD1.P (R5)(R3), [V2.S4];    \
	VLD1.P (R5)(R3), [V3.S4];    \
	VLD1.P (R5)(R3), [V4.S4];    \
	VLD1   (R5), [V5.S4];        \
	ADD    R1, R6, R6;           \
	FADDV(6, 1, 2);              \ // s12
	FSUBV(1, 1, 2);              \ // d12
	FADDV(2, 3, 4);              \ // s34
	FSUBV(3, 3, 4);              \ // d34
	FADDV(d0, 0, 6);             \ // y0 = m0 + s12 + s34
	FADDV(d0, d0, 2);            \
	VMOVQ(d1, 1);                \ // y1 = d12 + 2 d34
	FMLAS(d1, 3, 31, 2);         \
	VMOVQ(d2, 6);                \ // y2 = s12 + 4 s34
	FMLAS(d2, 2, 31, 0);         \
	FADDV(d3, 1, 5);             \ // y3 = d12 + m5 + 8 d34
	FMLAS(d3, 3, 31, 3)

// ATROW computes Aᵀ of r0-r5 (row a of the column transforms, in place:
// y0-y3 end in r0, V1, V0 and r1), transposes the four values of each
// tile into one vector and stores the tiles' rows a at o0-o3 bytes from
// R2, clobbering V0-V6.
#define ATROW(r0, r1, r2, r3, r4, r5, o0, o1, o2, o3) \
	FADDV(0, r1, r2);    \ // s12
	FSUBV(r1, r1, r2);   \ // d12
	FADDV(r2, r3, r4);   \ // s34
	FSUBV(r3, r3, r4);   \ // d34
	FADDV(r0, r0, 0);    \ // y0 = m0 + s12 + s34
	FADDV(r0, r0, r2);   \
	VMOVQ(1, r1);        \ // y1 = d12 + 2 d34
	FMLAS(1, r3, 31, 2); \
	FMLAS(0, r2, 31, 0); \ // y2 = s12 + 4 s34
	FADDV(r1, r1, r5);   \ // y3 = d12 + m5 + 8 d34
	FMLAS(r1, r3, 31, 3); \
	TRN1S(2, r0, 1);     \
	TRN2S(3, r0, 1);     \
	TRN1S(4, 0, r1);     \
	TRN2S(5, 0, r1);     \
	ZIP1D(6, 2, 4);      \
	ZIP2D(1, 2, 4);      \
	ZIP1D(0, 3, 5);      \
	ZIP2D(2, 3, 5);      \
	FMOVQ F6, o0(R2);    \
	FMOVQ F0, o1(R2);    \
	FMOVQ F1, o2(R2);    \
	FMOVQ F2, o3(R2)

// func outputNEON(m *float32, stride int, o *float32)
//
// For each group: the columns of its 4 products are loaded and
// transformed (Aᵀ M), element (a, j) kept in V(7+6a+j); then each row a of
// those is transformed (the rows of (Aᵀ M) A), its values transposed so
// that each vector holds row a of one tile, and stored to o[(l*4+a)*4].
// Registers: R0 the group's m, R1 stride and R3 6*stride (bytes), R2 the
// group's first tile in o, R4 groups left, R5 and R6 pointers.
TEXT ·outputNEON(SB), NOSPLIT, $0-24
	CONSTS
	MOVD m+0(FP), R0
	MOVD stride+8(FP), R1
	MOVD o+16(FP), R2
	LSL  $2, R1, R1
	ADD  R1<<1, R1, R3
	LSL  $1, R3, R3
	MOVD $4, R4

outgroup:
	MOVD R0, R6
	ATCOL(7, 13, 19, 25)
	ATCOL(8, 14, 20, 26)
	ATCOL(9, 15, 21, 27)
	ATCOL(10, 16, 22, 28)
	ATCOL(11, 17, 23, 29)
	ATCOL(12, 18, 24, 30)
	ATROW(7, 8, 9, 10, 11, 12, 0, 64, 128, 192)
	ATROW(13, 14, 15, 16, 17, 18, 16, 80, 144, 208)
	ATROW(19, 20, 21, 22, 23, 24, 32, 96, 160, 224)
	ATROW(25, 26, 27, 28, 29, 30, 48, 112, 176, 240)
	ADD  $16, R0, R0
	ADD  $256, R2, R2
	SUB  $1, R4, R4
	CBNZ R4, outgroup
	RET
