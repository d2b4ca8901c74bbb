//go:build !noasm

#include "textflag.h"
#include "neon.h"

// The NEON transforms of F(6x6, 3x3): each call works on Lanes = 16 tiles
// as four groups of 4, one per vector lane, as those of F(4x4, 3x3) do.
// The constants are multiplied by FMLA and FMLS by element.

// ZIP1S and ZIP2S are ZIP1 and ZIP2 Vd.4S, Vn.4S, Vm.4S.
#define ZIP1S(d, n, m) WORD $(0x4E803800 | (m)<<16 | (n)<<5 | (d))
#define ZIP2S(d, n, m) WORD $(0x4E807800 | (m)<<16 | (n)<<5 | (d))

// SETC sets lane i of vector register v to the float32 with bits b.
#define SETC(v, i, b) \
	MOVW $b, R9; \
	VMOV R9, v.S[i]

// BT63 computes Bᵀ z of V0-V7 (as bt63 does) into V8-V15, clobbering V24
// and V25; V29 = (5.25, 4.25, 0.25, 1.25), V30 = (0.5, 2.5, 4, 5).
#define BT63 \
	FSUBV(24, 4, 2);      \ // o0 = z0 - z6 + 5.25 (z4 - z2)
	FSUBV(8, 0, 6);       \
	FMLAS(8, 24, 29, 0);  \
	FSUBV(24, 3, 5);      \ // o7 = z7 - z1 + 5.25 (z3 - z5)
	FSUBV(15, 7, 1);      \
	FMLAS(15, 24, 29, 0); \
	FADDV(24, 2, 6);      \ // t1 = z2 + z6 - 4.25 z4
	FMLSS(24, 4, 29, 1);  \
	FADDV(25, 1, 5);      \ // t2 = z1 + z5 - 4.25 z3
	FMLSS(25, 3, 29, 1);  \
	FADDV(9, 24, 25);     \
	FSUBV(10, 24, 25);    \
	VMOVQ(24, 6);         \ // t3 = z6 + 0.25 z2 - 1.25 z4
	FMLAS(24, 2, 29, 2);  \
	FMLSS(24, 4, 29, 3);  \
	FADDV(25, 5, 5);      \ // t4 = 2 z5 + 0.5 z1 - 2.5 z3
	FMLAS(25, 1, 30, 0);  \
	FMLSS(25, 3, 30, 1);  \
	FADDV(11, 24, 25);    \
	FSUBV(12, 24, 25);    \
	VMOVQ(24, 6);         \ // t5 = z6 + 4 z2 - 5 z4
	FMLAS(24, 2, 30, 2);  \
	FMLSS(24, 4, 30, 3);  \
	FADDV(25, 1, 1);      \ // t6 = 2 z1 - 2.5 z3 + 0.5 z5
	FMLSS(25, 3, 30, 1);  \
	FMLAS(25, 5, 30, 0);  \
	FADDV(13, 24, 25);    \
	FSUBV(14, 24, 25)

// TRANS4 transposes the 4x4 blocks in a, b, c, d (one tile's four values
// each) into V(o), V(o+1), V(o+2), V(o+3) (value i of the four tiles
// each), clobbering V24-V27.
#define TRANS4(a, b, c, d, o0, o1, o2, o3) \
	TRN1S(24, a, b); \
	TRN2S(25, a, b); \
	TRN1S(26, c, d); \
	TRN2S(27, c, d); \
	ZIP1D(o0, 24, 26); \
	ZIP1D(o1, 25, 27); \
	ZIP2D(o2, 24, 26); \
	ZIP2D(o3, 25, 27)

// func gather63NEON(xp *float32, idx *int32, wp int, d, dst *float32, stride int)
//
// For each group: row i of its 4 tiles is loaded and transposed so that
// V0-V7 hold element (i, j) of the 4 tiles, transformed (the rows of d B)
// and stored to d, element (i, n) of tile l at d[(i*8+n)*16+l]; then each
// column of d is loaded, transformed (Bᵀ of it) and point k*8+n stored to
// dst[(k*8+n)*stride+l]. Registers: R0 xp, R1 the group's idx, R2 wp, R5
// stride and R6 8*stride (bytes), R3 and R4 the group's d and dst, R7
// groups left, R8-R11 the tiles' rows, R12-R17 counts and pointers.
TEXT ·gather63NEON(SB), NOSPLIT, $0-48
	SETC(V29, 0, 0x40a80000)
	SETC(V29, 1, 0x40880000)
	SETC(V29, 2, 0x3e800000)
	SETC(V29, 3, 0x3fa00000)
	SETC(V30, 0, 0x3f000000)
	SETC(V30, 1, 0x40200000)
	SETC(V30, 2, 0x40800000)
	SETC(V30, 3, 0x40a00000)
	MOVD xp+0(FP), R0
	MOVD idx+8(FP), R1
	MOVD wp+16(FP), R2
	MOVD d+24(FP), R3
	MOVD dst+32(FP), R4
	MOVD stride+40(FP), R5
	LSL  $2, R2, R2
	LSL  $2, R5, R5
	LSL  $3, R5, R6
	MOVD $4, R7

group63:
	MOVW 0(R1), R8
	ADD  R8<<2, R0, R8
	MOVW 4(R1), R9
	ADD  R9<<2, R0, R9
	MOVW 8(R1), R10
	ADD  R10<<2, R0, R10
	MOVW 12(R1), R11
	ADD  R11<<2, R0, R11
	MOVD R3, R13
	MOVD $8, R12

row63:
	VLD1.P (R8)(R2), [V16.S4, V17.S4]
	VLD1.P (R9)(R2), [V18.S4, V19.S4]
	VLD1.P (R10)(R2), [V20.S4, V21.S4]
	VLD1.P (R11)(R2), [V22.S4, V23.S4]
	TRANS4(16, 18, 20, 22, 0, 1, 2, 3)
	TRANS4(17, 19, 21, 23, 4, 5, 6, 7)
	BT63
	FMOVQ F8, 0(R13)
	FMOVQ F9, 64(R13)
	FMOVQ F10, 128(R13)
	FMOVQ F11, 192(R13)
	FMOVQ F12, 256(R13)
	FMOVQ F13, 320(R13)
	FMOVQ F14, 384(R13)
	FMOVQ F15, 448(R13)
	ADD   $512, R13, R13
	SUB   $1, R12, R12
	CBNZ  R12, row63

	// Columns: column n of d (its 8 rows 512 bytes apart) to points
	// k*8+n, k*8*stride floats apart.
	MOVD R3, R14
	MOVD R4, R16
	MOVD $8, R17

col63:
	FMOVQ  0(R14), F0
	FMOVQ  512(R14), F1
	FMOVQ  1024(R14), F2
	FMOVQ  1536(R14), F3
	FMOVQ  2048(R14), F4
	FMOVQ  2560(R14), F5
	FMOVQ  3072(R14), F6
	FMOVQ  3584(R14), F7
	BT63
	MOVD   R16, R15
	VST1.P [V8.S4], (R15)(R6)
	VST1.P [V9.S4], (R15)(R6)
	VST1.P [V10.S4], (R15)(R6)
	VST1.P [V11.S4], (R15)(R6)
	VST1.P [V12.S4], (R15)(R6)
	VST1.P [V13.S4], (R15)(R6)
	VST1.P [V14.S4], (R15)(R6)
	VST1   [V15.S4], (R15)
	ADD    $64, R14, R14
	ADD    R5, R16, R16
	SUB    $1, R17, R17
	CBNZ   R17, col63

	ADD  $16, R1, R1
	ADD  $16, R3, R3
	ADD  $16, R4, R4
	SUB  $1, R7, R7
	CBNZ R7, group63
	RET

// AT63 computes Aᵀ m of V0-V7 (as at63 does) into V8-V13, clobbering
// V16-V21; V29 = (2, 0.5, 4, 0.25), V30 = (8, 0.125, 16, 0.0625), V31 =
// (32, 0.03125, 0, 0).
#define AT63 \
	FADDV(16, 1, 2);      \ // s12
	FSUBV(17, 1, 2);      \ // d12
	FADDV(18, 3, 4);      \ // s34
	FSUBV(19, 3, 4);      \ // d34
	FADDV(20, 5, 6);      \ // s56
	FSUBV(21, 5, 6);      \ // d56
	FADDV(8, 0, 16);      \ // y0 = m0 + s12 + s34 + s56
	FADDV(8, 8, 18);      \
	FADDV(8, 8, 20);      \
	VMOVQ(9, 17);         \ // y1 = d12 + 2 d34 + d56 / 2
	FMLAS(9, 19, 29, 0);  \
	FMLAS(9, 21, 29, 1);  \
	VMOVQ(10, 16);        \ // y2 = s12 + 4 s34 + s56 / 4
	FMLAS(10, 18, 29, 2); \
	FMLAS(10, 20, 29, 3); \
	VMOVQ(11, 17);        \ // y3 = d12 + 8 d34 + d56 / 8
	FMLAS(11, 19, 30, 0); \
	FMLAS(11, 21, 30, 1); \
	VMOVQ(12, 16);        \ // y4 = s12 + 16 s34 + s56 / 16
	FMLAS(12, 18, 30, 2); \
	FMLAS(12, 20, 30, 3); \
	FADDV(13, 17, 7);     \ // y5 = d12 + m7 + 32 d34 + d56 / 32
	FMLAS(13, 19, 31, 0); \
	FMLAS(13, 21, 31, 1)

// func output63NEON(m *float32, stride int, o *float32)
//
// For each group: each column j of its 4 products is loaded and
// transformed (Aᵀ M), element (a, j) stored to the scratch t past the
// tiles at t[(a*8+j)*4]; then each row a of t is loaded and transformed
// (the rows of (Aᵀ M) A), and its values transposed so that values 0-3
// of row a of one tile are in one vector and values 4-5 of two tiles in
// another, stored to o[(l*6+a)*8]: first the vectors of values 4-5 (16
// bytes at value 4 of tiles 0 and 2, at value 2 of tiles 1 and 3), then
// those of values 0-3 over the values 2-3 they wrote. Registers: R0 the
// group's m, R1 stride and R3 8*stride (bytes), R2 the group's first
// tile in o, R4 groups left, R5-R10 pointers and counts.
TEXT ·output63NEON(SB), NOSPLIT, $0-24
	SETC(V29, 0, 0x40000000)
	SETC(V29, 1, 0x3f000000)
	SETC(V29, 2, 0x40800000)
	SETC(V29, 3, 0x3e800000)
	SETC(V30, 0, 0x41000000)
	SETC(V30, 1, 0x3e000000)
	SETC(V30, 2, 0x41800000)
	SETC(V30, 3, 0x3d800000)
	SETC(V31, 0, 0x42000000)
	SETC(V31, 1, 0x3d000000)
	MOVD m+0(FP), R0
	MOVD stride+8(FP), R1
	MOVD o+16(FP), R2
	LSL  $2, R1, R1
	LSL  $3, R1, R3
	MOVD $4, R4

outgroup63:
	// Columns: column j's points are R3 bytes apart, to t + j*16.
	MOVD R0, R6
	ADD  $3072, R2, R8
	MOVD $8, R9

outcol63:
	MOVD   R6, R5
	VLD1.P (R5)(R3), [V0.S4]
	VLD1.P (R5)(R3), [V1.S4]
	VLD1.P (R5)(R3), [V2.S4]
	VLD1.P (R5)(R3), [V3.S4]
	VLD1.P (R5)(R3), [V4.S4]
	VLD1.P (R5)(R3), [V5.S4]
	VLD1.P (R5)(R3), [V6.S4]
	VLD1   (R5), [V7.S4]
	AT63
	FMOVQ  F8, 0(R8)
	FMOVQ  F9, 128(R8)
	FMOVQ  F10, 256(R8)
	FMOVQ  F11, 384(R8)
	FMOVQ  F12, 512(R8)
	FMOVQ  F13, 640(R8)
	ADD    R1, R6, R6
	ADD    $16, R8, R8
	SUB    $1, R9, R9
	CBNZ   R9, outcol63

	// Rows: row a of t (8 vectors at t + a*128) to row a of the tiles
	// (R7, 32 bytes further each row; tiles 192 bytes apart).
	MOVD R2, R7
	ADD  $3072, R2, R8
	MOVD $6, R9

outrow63:
	VLD1.P 64(R8), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R8), [V4.S4, V5.S4, V6.S4, V7.S4]
	AT63
	TRANS4(8, 9, 10, 11, 20, 21, 22, 23)
	ZIP1S(16, 12, 13)
	ZIP2S(17, 12, 13)
	ADD   $192, R7, R10
	FMOVQ F16, 16(R7)
	FMOVQ F16, 8(R10)
	FMOVQ F17, 208(R10)
	FMOVQ F17, 392(R10)
	FMOVQ F20, 0(R7)
	FMOVQ F21, 0(R10)
	FMOVQ F22, 192(R10)
	FMOVQ F23, 384(R10)
	ADD   $32, R7, R7
	SUB   $1, R9, R9
	CBNZ  R9, outrow63

	ADD  $16, R0, R0
	ADD  $768, R2, R2
	SUB  $1, R4, R4
	CBNZ R4, outgroup63
	RET

// CLIPROW63 biases (V4) and clips (V5, V6) a tile row in registers lo
// (values 0-3) and hi (4-5), stores its 6 values at R10, then advances
// R10 by a row of y (R3 bytes).
#define CLIPROW63(lo, vlo, hi, fhi) \
	FADDV(lo, lo, 4); \
	FMAXV(lo, lo, 5); \
	FMINV(lo, lo, 6); \
	FADDV(hi, hi, 4); \
	FMAXV(hi, hi, 5); \
	FMINV(hi, hi, 6); \
	VST1  [vlo.S4], (R10); \
	FMOVD fhi, 16(R10); \
	ADD   R3, R10, R10

// func store63NEON(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
TEXT ·store63NEON(SB), NOSPLIT, $0-56
	STOREARGS

tile63:
	MOVW   (R1), R6
	ADD    $4, R1, R1
	VLD1R  (R5), [V4.S4]
	ADD    $4, R5, R5
	VLD1.P 64(R2), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R2), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R2), [V24.S4, V25.S4, V26.S4, V27.S4]
	TBNZ   $31, R6, next63
	ADD    R6<<2, R0, R10
	CLIPROW63(16, V16, 17, F17)
	CLIPROW63(18, V18, 19, F19)
	CLIPROW63(20, V20, 21, F21)
	CLIPROW63(22, V22, 23, F23)
	CLIPROW63(24, V24, 25, F25)
	CLIPROW63(26, V26, 27, F27)

next63:
	SUB    $1, R4, R4
	CBNZ   R4, tile63
	RET
