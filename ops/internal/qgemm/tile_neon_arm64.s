//go:build !noasm

#include "textflag.h"
#include "neon.h"

// DOTSTEP is one k step of the 8x12 dot-product tile: A's rows 0-3 and
// 4-7 in V0 and V1 (four bytes each), B's columns 0-3, 4-7 and 8-11 in
// V2-V4. Row r of the tile is V(8+3r) (columns 0-3), V(9+3r), V(10+3r).
#define DOTSTEP \
	SDOT(8, 2, 0, 0); \
	SDOT(9, 3, 0, 0); \
	SDOT(10, 4, 0, 0); \
	SDOT(11, 2, 0, 1); \
	SDOT(12, 3, 0, 1); \
	SDOT(13, 4, 0, 1); \
	SDOT(14, 2, 0, 2); \
	SDOT(15, 3, 0, 2); \
	SDOT(16, 4, 0, 2); \
	SDOT(17, 2, 0, 3); \
	SDOT(18, 3, 0, 3); \
	SDOT(19, 4, 0, 3); \
	SDOT(20, 2, 1, 0); \
	SDOT(21, 3, 1, 0); \
	SDOT(22, 4, 1, 0); \
	SDOT(23, 2, 1, 1); \
	SDOT(24, 3, 1, 1); \
	SDOT(25, 4, 1, 1); \
	SDOT(26, 2, 1, 2); \
	SDOT(27, 3, 1, 2); \
	SDOT(28, 4, 1, 2); \
	SDOT(29, 2, 1, 3); \
	SDOT(30, 3, 1, 3); \
	SDOT(31, 4, 1, 3)

// DSTEP loads step s of A (advancing R1) and B (at R2 plus the offset
// at R3, advanced) and runs DOTSTEP.
#define DSTEP \
	MOVWU.P 4(R3), R20; \
	ADD     R2, R20, R20; \
	VLD1.P  32(R1), [V0.B16, V1.B16]; \
	VLD1    (R20), [V2.B16, V3.B16, V4.B16]; \
	DOTSTEP

// func tileNEONDot8x12(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)
//
// n 8x12 tiles of one column panel (see Kernel.tile) with the dot product.
// A tile stays in V8-V31, starting from rowOff[r] + colOff[c]; each k step
// is two loads of A (32 bytes at a, which runs on through the n panels),
// three of B (48 bytes at b+offs[s]) and 24 SDOT by element, so A needs
// no broadcasts. The rank-one term is then added with MLA by element and
// the rows stored as ep.mode says, row by row: Int32 as they are; Float
// converted (SCVTF) and multiplied by the row's scale (LD1R) or the
// columns' (FMUL); Byte requantized like Requantize: FMAXNM with lo (NaN
// becomes lo), FMIN with hi, FCVTNS (to nearest, ties to even), plus zp,
// narrowed to bytes by UZP1 (truncation: the values lie in -128..255).
//
// Registers: R0 kq, R1 a, R2 b, R3 offs, R4 the output row, R5 ldc, R6
// ep, R7 tiles left, R8 steps left, R9 offs, R10 rowOff, R11 rowMul (or
// 0), R12 colOff, R13 colMul, R14 scale, R15 scaleCols, R19 mode, R20
// scratch.
TEXT ·tileNEONDot8x12(SB), NOSPLIT, $0-64
	MOVD kq+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD offs+24(FP), R9
	MOVD c+32(FP), R4
	MOVD ldc+40(FP), R5
	MOVD ep+48(FP), R6
	MOVD n+56(FP), R7
	MOVD 0(R6), R10
	MOVD 24(R6), R12
	MOVD 48(R6), R11
	MOVD 72(R6), R13
	MOVD 96(R6), R14
	MOVD 120(R6), R15
	MOVW 140(R6), R19
dtile:
	MOVD R9, R3
	MOVD R0, R8
	VLD1 (R12), [V2.S4, V3.S4, V4.S4]
	VLD1R.P 4(R10), [V0.S4]
	VADD V0.S4, V2.S4, V8.S4
	VADD V0.S4, V3.S4, V9.S4
	VADD V0.S4, V4.S4, V10.S4
	VLD1R.P 4(R10), [V0.S4]
	VADD V0.S4, V2.S4, V11.S4
	VADD V0.S4, V3.S4, V12.S4
	VADD V0.S4, V4.S4, V13.S4
	VLD1R.P 4(R10), [V0.S4]
	VADD V0.S4, V2.S4, V14.S4
	VADD V0.S4, V3.S4, V15.S4
	VADD V0.S4, V4.S4, V16.S4
	VLD1R.P 4(R10), [V0.S4]
	VADD V0.S4, V2.S4, V17.S4
	VADD V0.S4, V3.S4, V18.S4
	VADD V0.S4, V4.S4, V19.S4
	VLD1R.P 4(R10), [V0.S4]
	VADD V0.S4, V2.S4, V20.S4
	VADD V0.S4, V3.S4, V21.S4
	VADD V0.S4, V4.S4, V22.S4
	VLD1R.P 4(R10), [V0.S4]
	VADD V0.S4, V2.S4, V23.S4
	VADD V0.S4, V3.S4, V24.S4
	VADD V0.S4, V4.S4, V25.S4
	VLD1R.P 4(R10), [V0.S4]
	VADD V0.S4, V2.S4, V26.S4
	VADD V0.S4, V3.S4, V27.S4
	VADD V0.S4, V4.S4, V28.S4
	VLD1R.P 4(R10), [V0.S4]
	VADD V0.S4, V2.S4, V29.S4
	VADD V0.S4, V3.S4, V30.S4
	VADD V0.S4, V4.S4, V31.S4
	TBZ  $0, R8, dpairs
	DSTEP
	SUB  $1, R8, R8

dpairs:
	CBZ  R8, drank

dloop:
	DSTEP
	DSTEP
	SUBS $2, R8, R8
	BNE  dloop

drank:
	CBZ    R11, dep
	VLD1   (R13), [V2.S4, V3.S4, V4.S4]
	VLD1.P 32(R11), [V0.S4, V1.S4]
	MLAS(8, 2, 0, 0)
	MLAS(9, 3, 0, 0)
	MLAS(10, 4, 0, 0)
	MLAS(11, 2, 0, 1)
	MLAS(12, 3, 0, 1)
	MLAS(13, 4, 0, 1)
	MLAS(14, 2, 0, 2)
	MLAS(15, 3, 0, 2)
	MLAS(16, 4, 0, 2)
	MLAS(17, 2, 0, 3)
	MLAS(18, 3, 0, 3)
	MLAS(19, 4, 0, 3)
	MLAS(20, 2, 1, 0)
	MLAS(21, 3, 1, 0)
	MLAS(22, 4, 1, 0)
	MLAS(23, 2, 1, 1)
	MLAS(24, 3, 1, 1)
	MLAS(25, 4, 1, 1)
	MLAS(26, 2, 1, 2)
	MLAS(27, 3, 1, 2)
	MLAS(28, 4, 1, 2)
	MLAS(29, 2, 1, 3)
	MLAS(30, 3, 1, 3)
	MLAS(31, 4, 1, 3)

dep:
	CMP  $2, R19
	BEQ  dbyte
	CBNZ R19, dfloat
	VST1 [V8.S4, V9.S4, V10.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V11.S4, V12.S4, V13.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V14.S4, V15.S4, V16.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V17.S4, V18.S4, V19.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V20.S4, V21.S4, V22.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V23.S4, V24.S4, V25.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V26.S4, V27.S4, V28.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V29.S4, V30.S4, V31.S4], (R4)
	ADD  R5, R4, R4
	B    dnext
dfloat:
	CBNZ R15, dfloatcol
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(8, 8)
	SCVTF(9, 9)
	SCVTF(10, 10)
	FMULV(8, 8, 0)
	FMULV(9, 9, 0)
	FMULV(10, 10, 0)
	VST1 [V8.S4, V9.S4, V10.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(11, 11)
	SCVTF(12, 12)
	SCVTF(13, 13)
	FMULV(11, 11, 0)
	FMULV(12, 12, 0)
	FMULV(13, 13, 0)
	VST1 [V11.S4, V12.S4, V13.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(14, 14)
	SCVTF(15, 15)
	SCVTF(16, 16)
	FMULV(14, 14, 0)
	FMULV(15, 15, 0)
	FMULV(16, 16, 0)
	VST1 [V14.S4, V15.S4, V16.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(17, 17)
	SCVTF(18, 18)
	SCVTF(19, 19)
	FMULV(17, 17, 0)
	FMULV(18, 18, 0)
	FMULV(19, 19, 0)
	VST1 [V17.S4, V18.S4, V19.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(20, 20)
	SCVTF(21, 21)
	SCVTF(22, 22)
	FMULV(20, 20, 0)
	FMULV(21, 21, 0)
	FMULV(22, 22, 0)
	VST1 [V20.S4, V21.S4, V22.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(23, 23)
	SCVTF(24, 24)
	SCVTF(25, 25)
	FMULV(23, 23, 0)
	FMULV(24, 24, 0)
	FMULV(25, 25, 0)
	VST1 [V23.S4, V24.S4, V25.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(26, 26)
	SCVTF(27, 27)
	SCVTF(28, 28)
	FMULV(26, 26, 0)
	FMULV(27, 27, 0)
	FMULV(28, 28, 0)
	VST1 [V26.S4, V27.S4, V28.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(29, 29)
	SCVTF(30, 30)
	SCVTF(31, 31)
	FMULV(29, 29, 0)
	FMULV(30, 30, 0)
	FMULV(31, 31, 0)
	VST1 [V29.S4, V30.S4, V31.S4], (R4)
	ADD  R5, R4, R4
	B    dnext
dfloatcol:
	VLD1 (R14), [V0.S4, V1.S4, V2.S4]
	SCVTF(8, 8)
	SCVTF(9, 9)
	SCVTF(10, 10)
	FMULV(8, 8, 0)
	FMULV(9, 9, 1)
	FMULV(10, 10, 2)
	VST1 [V8.S4, V9.S4, V10.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(11, 11)
	SCVTF(12, 12)
	SCVTF(13, 13)
	FMULV(11, 11, 0)
	FMULV(12, 12, 1)
	FMULV(13, 13, 2)
	VST1 [V11.S4, V12.S4, V13.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(14, 14)
	SCVTF(15, 15)
	SCVTF(16, 16)
	FMULV(14, 14, 0)
	FMULV(15, 15, 1)
	FMULV(16, 16, 2)
	VST1 [V14.S4, V15.S4, V16.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(17, 17)
	SCVTF(18, 18)
	SCVTF(19, 19)
	FMULV(17, 17, 0)
	FMULV(18, 18, 1)
	FMULV(19, 19, 2)
	VST1 [V17.S4, V18.S4, V19.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(20, 20)
	SCVTF(21, 21)
	SCVTF(22, 22)
	FMULV(20, 20, 0)
	FMULV(21, 21, 1)
	FMULV(22, 22, 2)
	VST1 [V20.S4, V21.S4, V22.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(23, 23)
	SCVTF(24, 24)
	SCVTF(25, 25)
	FMULV(23, 23, 0)
	FMULV(24, 24, 1)
	FMULV(25, 25, 2)
	VST1 [V23.S4, V24.S4, V25.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(26, 26)
	SCVTF(27, 27)
	SCVTF(28, 28)
	FMULV(26, 26, 0)
	FMULV(27, 27, 1)
	FMULV(28, 28, 2)
	VST1 [V26.S4, V27.S4, V28.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(29, 29)
	SCVTF(30, 30)
	SCVTF(31, 31)
	FMULV(29, 29, 0)
	FMULV(30, 30, 1)
	FMULV(31, 31, 2)
	VST1 [V29.S4, V30.S4, V31.S4], (R4)
	ADD  R5, R4, R4
	B    dnext
dbyte:
	FMOVS 128(R6), F3
	FMOVS 132(R6), F4
	MOVW  136(R6), R20
	VDUP  V3.S[0], V3.S4
	VDUP  V4.S[0], V4.S4
	VDUP  R20, V5.S4
dbyterow:
	CBNZ R15, dbytecol
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(8, 8)
	SCVTF(9, 9)
	SCVTF(10, 10)
	FMULV(8, 8, 0)
	FMULV(9, 9, 0)
	FMULV(10, 10, 0)
	FMAXNMV(8, 8, 3)
	FMAXNMV(9, 9, 3)
	FMAXNMV(10, 10, 3)
	FMINV(8, 8, 4)
	FMINV(9, 9, 4)
	FMINV(10, 10, 4)
	FCVTNS(8, 8)
	FCVTNS(9, 9)
	FCVTNS(10, 10)
	VADD V5.S4, V8.S4, V8.S4
	VADD V5.S4, V9.S4, V9.S4
	VADD V5.S4, V10.S4, V10.S4
	UZP1H(6, 8, 9)
	UZP1H(7, 10, 10)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(11, 11)
	SCVTF(12, 12)
	SCVTF(13, 13)
	FMULV(11, 11, 0)
	FMULV(12, 12, 0)
	FMULV(13, 13, 0)
	FMAXNMV(11, 11, 3)
	FMAXNMV(12, 12, 3)
	FMAXNMV(13, 13, 3)
	FMINV(11, 11, 4)
	FMINV(12, 12, 4)
	FMINV(13, 13, 4)
	FCVTNS(11, 11)
	FCVTNS(12, 12)
	FCVTNS(13, 13)
	VADD V5.S4, V11.S4, V11.S4
	VADD V5.S4, V12.S4, V12.S4
	VADD V5.S4, V13.S4, V13.S4
	UZP1H(6, 11, 12)
	UZP1H(7, 13, 13)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(14, 14)
	SCVTF(15, 15)
	SCVTF(16, 16)
	FMULV(14, 14, 0)
	FMULV(15, 15, 0)
	FMULV(16, 16, 0)
	FMAXNMV(14, 14, 3)
	FMAXNMV(15, 15, 3)
	FMAXNMV(16, 16, 3)
	FMINV(14, 14, 4)
	FMINV(15, 15, 4)
	FMINV(16, 16, 4)
	FCVTNS(14, 14)
	FCVTNS(15, 15)
	FCVTNS(16, 16)
	VADD V5.S4, V14.S4, V14.S4
	VADD V5.S4, V15.S4, V15.S4
	VADD V5.S4, V16.S4, V16.S4
	UZP1H(6, 14, 15)
	UZP1H(7, 16, 16)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(17, 17)
	SCVTF(18, 18)
	SCVTF(19, 19)
	FMULV(17, 17, 0)
	FMULV(18, 18, 0)
	FMULV(19, 19, 0)
	FMAXNMV(17, 17, 3)
	FMAXNMV(18, 18, 3)
	FMAXNMV(19, 19, 3)
	FMINV(17, 17, 4)
	FMINV(18, 18, 4)
	FMINV(19, 19, 4)
	FCVTNS(17, 17)
	FCVTNS(18, 18)
	FCVTNS(19, 19)
	VADD V5.S4, V17.S4, V17.S4
	VADD V5.S4, V18.S4, V18.S4
	VADD V5.S4, V19.S4, V19.S4
	UZP1H(6, 17, 18)
	UZP1H(7, 19, 19)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(20, 20)
	SCVTF(21, 21)
	SCVTF(22, 22)
	FMULV(20, 20, 0)
	FMULV(21, 21, 0)
	FMULV(22, 22, 0)
	FMAXNMV(20, 20, 3)
	FMAXNMV(21, 21, 3)
	FMAXNMV(22, 22, 3)
	FMINV(20, 20, 4)
	FMINV(21, 21, 4)
	FMINV(22, 22, 4)
	FCVTNS(20, 20)
	FCVTNS(21, 21)
	FCVTNS(22, 22)
	VADD V5.S4, V20.S4, V20.S4
	VADD V5.S4, V21.S4, V21.S4
	VADD V5.S4, V22.S4, V22.S4
	UZP1H(6, 20, 21)
	UZP1H(7, 22, 22)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(23, 23)
	SCVTF(24, 24)
	SCVTF(25, 25)
	FMULV(23, 23, 0)
	FMULV(24, 24, 0)
	FMULV(25, 25, 0)
	FMAXNMV(23, 23, 3)
	FMAXNMV(24, 24, 3)
	FMAXNMV(25, 25, 3)
	FMINV(23, 23, 4)
	FMINV(24, 24, 4)
	FMINV(25, 25, 4)
	FCVTNS(23, 23)
	FCVTNS(24, 24)
	FCVTNS(25, 25)
	VADD V5.S4, V23.S4, V23.S4
	VADD V5.S4, V24.S4, V24.S4
	VADD V5.S4, V25.S4, V25.S4
	UZP1H(6, 23, 24)
	UZP1H(7, 25, 25)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(26, 26)
	SCVTF(27, 27)
	SCVTF(28, 28)
	FMULV(26, 26, 0)
	FMULV(27, 27, 0)
	FMULV(28, 28, 0)
	FMAXNMV(26, 26, 3)
	FMAXNMV(27, 27, 3)
	FMAXNMV(28, 28, 3)
	FMINV(26, 26, 4)
	FMINV(27, 27, 4)
	FMINV(28, 28, 4)
	FCVTNS(26, 26)
	FCVTNS(27, 27)
	FCVTNS(28, 28)
	VADD V5.S4, V26.S4, V26.S4
	VADD V5.S4, V27.S4, V27.S4
	VADD V5.S4, V28.S4, V28.S4
	UZP1H(6, 26, 27)
	UZP1H(7, 28, 28)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(29, 29)
	SCVTF(30, 30)
	SCVTF(31, 31)
	FMULV(29, 29, 0)
	FMULV(30, 30, 0)
	FMULV(31, 31, 0)
	FMAXNMV(29, 29, 3)
	FMAXNMV(30, 30, 3)
	FMAXNMV(31, 31, 3)
	FMINV(29, 29, 4)
	FMINV(30, 30, 4)
	FMINV(31, 31, 4)
	FCVTNS(29, 29)
	FCVTNS(30, 30)
	FCVTNS(31, 31)
	VADD V5.S4, V29.S4, V29.S4
	VADD V5.S4, V30.S4, V30.S4
	VADD V5.S4, V31.S4, V31.S4
	UZP1H(6, 29, 30)
	UZP1H(7, 31, 31)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	B    dnext
dbytecol:
	VLD1 (R14), [V0.S4, V1.S4, V2.S4]
	SCVTF(8, 8)
	SCVTF(9, 9)
	SCVTF(10, 10)
	FMULV(8, 8, 0)
	FMULV(9, 9, 1)
	FMULV(10, 10, 2)
	FMAXNMV(8, 8, 3)
	FMAXNMV(9, 9, 3)
	FMAXNMV(10, 10, 3)
	FMINV(8, 8, 4)
	FMINV(9, 9, 4)
	FMINV(10, 10, 4)
	FCVTNS(8, 8)
	FCVTNS(9, 9)
	FCVTNS(10, 10)
	VADD V5.S4, V8.S4, V8.S4
	VADD V5.S4, V9.S4, V9.S4
	VADD V5.S4, V10.S4, V10.S4
	UZP1H(6, 8, 9)
	UZP1H(7, 10, 10)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	SCVTF(11, 11)
	SCVTF(12, 12)
	SCVTF(13, 13)
	FMULV(11, 11, 0)
	FMULV(12, 12, 1)
	FMULV(13, 13, 2)
	FMAXNMV(11, 11, 3)
	FMAXNMV(12, 12, 3)
	FMAXNMV(13, 13, 3)
	FMINV(11, 11, 4)
	FMINV(12, 12, 4)
	FMINV(13, 13, 4)
	FCVTNS(11, 11)
	FCVTNS(12, 12)
	FCVTNS(13, 13)
	VADD V5.S4, V11.S4, V11.S4
	VADD V5.S4, V12.S4, V12.S4
	VADD V5.S4, V13.S4, V13.S4
	UZP1H(6, 11, 12)
	UZP1H(7, 13, 13)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	SCVTF(14, 14)
	SCVTF(15, 15)
	SCVTF(16, 16)
	FMULV(14, 14, 0)
	FMULV(15, 15, 1)
	FMULV(16, 16, 2)
	FMAXNMV(14, 14, 3)
	FMAXNMV(15, 15, 3)
	FMAXNMV(16, 16, 3)
	FMINV(14, 14, 4)
	FMINV(15, 15, 4)
	FMINV(16, 16, 4)
	FCVTNS(14, 14)
	FCVTNS(15, 15)
	FCVTNS(16, 16)
	VADD V5.S4, V14.S4, V14.S4
	VADD V5.S4, V15.S4, V15.S4
	VADD V5.S4, V16.S4, V16.S4
	UZP1H(6, 14, 15)
	UZP1H(7, 16, 16)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	SCVTF(17, 17)
	SCVTF(18, 18)
	SCVTF(19, 19)
	FMULV(17, 17, 0)
	FMULV(18, 18, 1)
	FMULV(19, 19, 2)
	FMAXNMV(17, 17, 3)
	FMAXNMV(18, 18, 3)
	FMAXNMV(19, 19, 3)
	FMINV(17, 17, 4)
	FMINV(18, 18, 4)
	FMINV(19, 19, 4)
	FCVTNS(17, 17)
	FCVTNS(18, 18)
	FCVTNS(19, 19)
	VADD V5.S4, V17.S4, V17.S4
	VADD V5.S4, V18.S4, V18.S4
	VADD V5.S4, V19.S4, V19.S4
	UZP1H(6, 17, 18)
	UZP1H(7, 19, 19)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	SCVTF(20, 20)
	SCVTF(21, 21)
	SCVTF(22, 22)
	FMULV(20, 20, 0)
	FMULV(21, 21, 1)
	FMULV(22, 22, 2)
	FMAXNMV(20, 20, 3)
	FMAXNMV(21, 21, 3)
	FMAXNMV(22, 22, 3)
	FMINV(20, 20, 4)
	FMINV(21, 21, 4)
	FMINV(22, 22, 4)
	FCVTNS(20, 20)
	FCVTNS(21, 21)
	FCVTNS(22, 22)
	VADD V5.S4, V20.S4, V20.S4
	VADD V5.S4, V21.S4, V21.S4
	VADD V5.S4, V22.S4, V22.S4
	UZP1H(6, 20, 21)
	UZP1H(7, 22, 22)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	SCVTF(23, 23)
	SCVTF(24, 24)
	SCVTF(25, 25)
	FMULV(23, 23, 0)
	FMULV(24, 24, 1)
	FMULV(25, 25, 2)
	FMAXNMV(23, 23, 3)
	FMAXNMV(24, 24, 3)
	FMAXNMV(25, 25, 3)
	FMINV(23, 23, 4)
	FMINV(24, 24, 4)
	FMINV(25, 25, 4)
	FCVTNS(23, 23)
	FCVTNS(24, 24)
	FCVTNS(25, 25)
	VADD V5.S4, V23.S4, V23.S4
	VADD V5.S4, V24.S4, V24.S4
	VADD V5.S4, V25.S4, V25.S4
	UZP1H(6, 23, 24)
	UZP1H(7, 25, 25)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	SCVTF(26, 26)
	SCVTF(27, 27)
	SCVTF(28, 28)
	FMULV(26, 26, 0)
	FMULV(27, 27, 1)
	FMULV(28, 28, 2)
	FMAXNMV(26, 26, 3)
	FMAXNMV(27, 27, 3)
	FMAXNMV(28, 28, 3)
	FMINV(26, 26, 4)
	FMINV(27, 27, 4)
	FMINV(28, 28, 4)
	FCVTNS(26, 26)
	FCVTNS(27, 27)
	FCVTNS(28, 28)
	VADD V5.S4, V26.S4, V26.S4
	VADD V5.S4, V27.S4, V27.S4
	VADD V5.S4, V28.S4, V28.S4
	UZP1H(6, 26, 27)
	UZP1H(7, 28, 28)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	SCVTF(29, 29)
	SCVTF(30, 30)
	SCVTF(31, 31)
	FMULV(29, 29, 0)
	FMULV(30, 30, 1)
	FMULV(31, 31, 2)
	FMAXNMV(29, 29, 3)
	FMAXNMV(30, 30, 3)
	FMAXNMV(31, 31, 3)
	FMINV(29, 29, 4)
	FMINV(30, 30, 4)
	FMINV(31, 31, 4)
	FCVTNS(29, 29)
	FCVTNS(30, 30)
	FCVTNS(31, 31)
	VADD V5.S4, V29.S4, V29.S4
	VADD V5.S4, V30.S4, V30.S4
	VADD V5.S4, V31.S4, V31.S4
	UZP1H(6, 29, 30)
	UZP1H(7, 31, 31)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4

dnext:
	SUBS $1, R7, R7
	BNE  dtile
	RET

// NROW is row r of one k step of the ARMv8.0 4x8 tile: A's row r (lane r
// of V0) broadcast into va, multiplied by B's columns 0-3 (V1) and 4-7
// (V2) as int16 products (int8·int8 fits), whose adjacent pairs, the
// products of k values 0-1 and 2-3 of one column, are added into the
// accumulators d..d+3 (columns 0-1, 2-3, 4-5, 6-7: two partial sums per
// column), through temporaries t..t+3.
#define NROW(r, va, t, d) \
	DUPS(va, 0, r); \
	SMULL(t, 1, va); \
	SMULL2(t+1, 1, va); \
	SMULL(t+2, 2, va); \
	SMULL2(t+3, 2, va); \
	SADALP(d, t); \
	SADALP(d+1, t+1); \
	SADALP(d+2, t+2); \
	SADALP(d+3, t+3)

// NSTEP is one k step of the 4x8 tile: A (advancing R1) and B (at R2 plus
// the offset at R3, advanced) loaded, then the four rows.
#define NSTEP \
	MOVWU.P 4(R3), R20; \
	ADD     R2, R20, R20; \
	VLD1.P  16(R1), [V0.B16]; \
	VLD1    (R20), [V1.B16, V2.B16]; \
	NROW(0, 3, 4, 16); \
	NROW(1, 8, 9, 20); \
	NROW(2, 3, 4, 24); \
	NROW(3, 8, 9, 28)

// NROW2 is row r of two k steps of the 4x8 tile when A holds no -128: the
// products of step s (A in V0, B in V2-V3) and of step s+1 (V1, V6-V7)
// added in int16 (SMULL, then SMLAL: two products of at most 127·128 in
// magnitude fit), then pairwise into the accumulators d..d+3 (SADALP);
// 14 instructions for 64 multiply-adds, against 18.
#define NROW2(r, d) \
	DUPS(4, 0, r); \
	DUPS(5, 1, r); \
	SMULL(12, 2, 4); \
	SMLAL(12, 6, 5); \
	SMULL2(13, 2, 4); \
	SMLAL2(13, 6, 5); \
	SMULL(14, 3, 4); \
	SMLAL(14, 7, 5); \
	SMULL2(15, 3, 4); \
	SMLAL2(15, 7, 5); \
	SADALP(d, 12); \
	SADALP(d+1, 13); \
	SADALP(d+2, 14); \
	SADALP(d+3, 15)

// NPAIR is two k steps of the 4x8 tile (NROW2), A without -128.
#define NPAIR \
	MOVWU.P 4(R3), R20; \
	ADD     R2, R20, R20; \
	MOVWU.P 4(R3), R21; \
	ADD     R2, R21, R21; \
	VLD1.P  32(R1), [V0.B16, V1.B16]; \
	VLD1    (R20), [V2.B16, V3.B16]; \
	VLD1    (R21), [V6.B16, V7.B16]; \
	NROW2(0, 16); \
	NROW2(1, 20); \
	NROW2(2, 24); \
	NROW2(3, 28)

// func tileNEON4x8(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)
//
// n 4x8 tiles of one column panel (see Kernel.tile) for CPUs without the
// dot product: each k step reads 16 bytes of A (at a, which runs on
// through the n panels) and 32 of B (at b+offs[s]); each row's four bytes
// are broadcast, multiplied by B with SMULL/SMULL2 and the int16 products
// added pairwise into int32 with SADALP (two products added in int16
// could overflow: -128·-128·2). Row r keeps two partial sums per column in
// V(16+4r)-V(19+4r). When A holds no -128 (checked first, over the n
// panels), two steps' products are added in int16 before SADALP (NPAIR).
// ADDP adds the partial sums into V(2r), V(2r+1) (columns 0-3,
// 4-7), which then get the offsets, the rank-one term (MLA by element)
// and the epilogue of tileNEONDot8x12.
//
// Registers: as tileNEONDot8x12; R16 1 for NPAIR steps, R21 the second
// step's B (or the scan's count), R22-R23 the scan's.
TEXT ·tileNEON4x8(SB), NOSPLIT, $0-64
	MOVD kq+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD offs+24(FP), R9
	MOVD c+32(FP), R4
	MOVD ldc+40(FP), R5
	MOVD ep+48(FP), R6
	MOVD n+56(FP), R7
	MOVD 0(R6), R10
	MOVD 24(R6), R12
	MOVD 48(R6), R11
	MOVD 72(R6), R13
	MOVD 96(R6), R14
	MOVD 120(R6), R15
	MOVW 140(R6), R19

	// R16 = 1 when the n panels of A hold no -128 and kq >= 2: the tiles
	// then add two steps' products in int16 (NPAIR).
	MOVD $0, R16
	CMP  $2, R0
	BLT  ntile
	MUL  R7, R0, R21
	MOVD R1, R22
	MOVD $0x80, R23
	VDUP R23, V13.B16
	VEOR V12.B16, V12.B16, V12.B16

nscan1:
	TST    $3, R21
	BEQ    nscan4
	VLD1.P 16(R22), [V14.B16]
	CMEQB(14, 14, 13)
	VORR   V14.B16, V12.B16, V12.B16
	SUB    $1, R21, R21
	B      nscan1

nscan4:
	CBZ    R21, nscanned
	VLD1.P 64(R22), [V14.B16, V15.B16, V16.B16, V17.B16]
	CMEQB(14, 14, 13)
	CMEQB(15, 15, 13)
	CMEQB(16, 16, 13)
	CMEQB(17, 17, 13)
	VORR   V14.B16, V12.B16, V12.B16
	VORR   V15.B16, V12.B16, V12.B16
	VORR   V16.B16, V12.B16, V12.B16
	VORR   V17.B16, V12.B16, V12.B16
	SUBS   $4, R21, R21
	BNE    nscan4

nscanned:
	UMAXVB(12, 12)
	VMOV   V12.B[0], R23
	CBNZ   R23, ntile
	MOVD   $1, R16

ntile:
	MOVD R9, R3
	MOVD R0, R8
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	CBZ  R16, nslow
	TBZ  $0, R8, nfast
	NSTEP
	SUB  $1, R8, R8

nfast:
	NPAIR
	SUBS $2, R8, R8
	BNE  nfast
	B    nsum

nslow:
	TBZ  $0, R8, npairs
	NSTEP
	SUB  $1, R8, R8

npairs:
	CBZ  R8, nsum

nloop:
	NSTEP
	NSTEP
	SUBS $2, R8, R8
	BNE  nloop

nsum:
	ADDP(0, 16, 17)
	ADDP(1, 18, 19)
	ADDP(2, 20, 21)
	ADDP(3, 22, 23)
	ADDP(4, 24, 25)
	ADDP(5, 26, 27)
	ADDP(6, 28, 29)
	ADDP(7, 30, 31)
	VLD1   (R12), [V8.S4, V9.S4]
	VLD1.P 16(R10), [V12.S4]
	DUPS(13, 12, 0)
	VADD V8.S4, V0.S4, V0.S4
	VADD V13.S4, V0.S4, V0.S4
	VADD V9.S4, V1.S4, V1.S4
	VADD V13.S4, V1.S4, V1.S4
	DUPS(13, 12, 1)
	VADD V8.S4, V2.S4, V2.S4
	VADD V13.S4, V2.S4, V2.S4
	VADD V9.S4, V3.S4, V3.S4
	VADD V13.S4, V3.S4, V3.S4
	DUPS(13, 12, 2)
	VADD V8.S4, V4.S4, V4.S4
	VADD V13.S4, V4.S4, V4.S4
	VADD V9.S4, V5.S4, V5.S4
	VADD V13.S4, V5.S4, V5.S4
	DUPS(13, 12, 3)
	VADD V8.S4, V6.S4, V6.S4
	VADD V13.S4, V6.S4, V6.S4
	VADD V9.S4, V7.S4, V7.S4
	VADD V13.S4, V7.S4, V7.S4
	CBZ    R11, nep
	VLD1   (R13), [V10.S4, V11.S4]
	VLD1.P 16(R11), [V12.S4]
	MLAS(0, 10, 12, 0)
	MLAS(1, 11, 12, 0)
	MLAS(2, 10, 12, 1)
	MLAS(3, 11, 12, 1)
	MLAS(4, 10, 12, 2)
	MLAS(5, 11, 12, 2)
	MLAS(6, 10, 12, 3)
	MLAS(7, 11, 12, 3)

nep:
	CMP  $2, R19
	BEQ  nbyte
	CBNZ R19, nfloat
	VST1 [V0.S4, V1.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V2.S4, V3.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V4.S4, V5.S4], (R4)
	ADD  R5, R4, R4
	VST1 [V6.S4, V7.S4], (R4)
	ADD  R5, R4, R4
	B    nnext
nfloat:
	CBNZ R15, nfloatcol
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(0, 0)
	SCVTF(1, 1)
	FMULV(0, 0, 8)
	FMULV(1, 1, 8)
	VST1 [V0.S4, V1.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(2, 2)
	SCVTF(3, 3)
	FMULV(2, 2, 8)
	FMULV(3, 3, 8)
	VST1 [V2.S4, V3.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(4, 4)
	SCVTF(5, 5)
	FMULV(4, 4, 8)
	FMULV(5, 5, 8)
	VST1 [V4.S4, V5.S4], (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(6, 6)
	SCVTF(7, 7)
	FMULV(6, 6, 8)
	FMULV(7, 7, 8)
	VST1 [V6.S4, V7.S4], (R4)
	ADD  R5, R4, R4
	B    nnext
nfloatcol:
	VLD1 (R14), [V8.S4, V9.S4]
	SCVTF(0, 0)
	SCVTF(1, 1)
	FMULV(0, 0, 8)
	FMULV(1, 1, 9)
	VST1 [V0.S4, V1.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(2, 2)
	SCVTF(3, 3)
	FMULV(2, 2, 8)
	FMULV(3, 3, 9)
	VST1 [V2.S4, V3.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(4, 4)
	SCVTF(5, 5)
	FMULV(4, 4, 8)
	FMULV(5, 5, 9)
	VST1 [V4.S4, V5.S4], (R4)
	ADD  R5, R4, R4
	SCVTF(6, 6)
	SCVTF(7, 7)
	FMULV(6, 6, 8)
	FMULV(7, 7, 9)
	VST1 [V6.S4, V7.S4], (R4)
	ADD  R5, R4, R4
	B    nnext
nbyte:
	FMOVS 128(R6), F11
	FMOVS 132(R6), F12
	MOVW  136(R6), R20
	VDUP  V11.S[0], V11.S4
	VDUP  V12.S[0], V12.S4
	VDUP  R20, V13.S4
nbyterow:
	CBNZ R15, nbytecol
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(0, 0)
	SCVTF(1, 1)
	FMULV(0, 0, 8)
	FMULV(1, 1, 8)
	FMAXNMV(0, 0, 11)
	FMAXNMV(1, 1, 11)
	FMINV(0, 0, 12)
	FMINV(1, 1, 12)
	FCVTNS(0, 0)
	FCVTNS(1, 1)
	VADD V13.S4, V0.S4, V0.S4
	VADD V13.S4, V1.S4, V1.S4
	UZP1H(14, 0, 1)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(2, 2)
	SCVTF(3, 3)
	FMULV(2, 2, 8)
	FMULV(3, 3, 8)
	FMAXNMV(2, 2, 11)
	FMAXNMV(3, 3, 11)
	FMINV(2, 2, 12)
	FMINV(3, 3, 12)
	FCVTNS(2, 2)
	FCVTNS(3, 3)
	VADD V13.S4, V2.S4, V2.S4
	VADD V13.S4, V3.S4, V3.S4
	UZP1H(14, 2, 3)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(4, 4)
	SCVTF(5, 5)
	FMULV(4, 4, 8)
	FMULV(5, 5, 8)
	FMAXNMV(4, 4, 11)
	FMAXNMV(5, 5, 11)
	FMINV(4, 4, 12)
	FMINV(5, 5, 12)
	FCVTNS(4, 4)
	FCVTNS(5, 5)
	VADD V13.S4, V4.S4, V4.S4
	VADD V13.S4, V5.S4, V5.S4
	UZP1H(14, 4, 5)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(6, 6)
	SCVTF(7, 7)
	FMULV(6, 6, 8)
	FMULV(7, 7, 8)
	FMAXNMV(6, 6, 11)
	FMAXNMV(7, 7, 11)
	FMINV(6, 6, 12)
	FMINV(7, 7, 12)
	FCVTNS(6, 6)
	FCVTNS(7, 7)
	VADD V13.S4, V6.S4, V6.S4
	VADD V13.S4, V7.S4, V7.S4
	UZP1H(14, 6, 7)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4
	B    nnext
nbytecol:
	VLD1 (R14), [V8.S4, V9.S4]
	SCVTF(0, 0)
	SCVTF(1, 1)
	FMULV(0, 0, 8)
	FMULV(1, 1, 9)
	FMAXNMV(0, 0, 11)
	FMAXNMV(1, 1, 11)
	FMINV(0, 0, 12)
	FMINV(1, 1, 12)
	FCVTNS(0, 0)
	FCVTNS(1, 1)
	VADD V13.S4, V0.S4, V0.S4
	VADD V13.S4, V1.S4, V1.S4
	UZP1H(14, 0, 1)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4
	SCVTF(2, 2)
	SCVTF(3, 3)
	FMULV(2, 2, 8)
	FMULV(3, 3, 9)
	FMAXNMV(2, 2, 11)
	FMAXNMV(3, 3, 11)
	FMINV(2, 2, 12)
	FMINV(3, 3, 12)
	FCVTNS(2, 2)
	FCVTNS(3, 3)
	VADD V13.S4, V2.S4, V2.S4
	VADD V13.S4, V3.S4, V3.S4
	UZP1H(14, 2, 3)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4
	SCVTF(4, 4)
	SCVTF(5, 5)
	FMULV(4, 4, 8)
	FMULV(5, 5, 9)
	FMAXNMV(4, 4, 11)
	FMAXNMV(5, 5, 11)
	FMINV(4, 4, 12)
	FMINV(5, 5, 12)
	FCVTNS(4, 4)
	FCVTNS(5, 5)
	VADD V13.S4, V4.S4, V4.S4
	VADD V13.S4, V5.S4, V5.S4
	UZP1H(14, 4, 5)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4
	SCVTF(6, 6)
	SCVTF(7, 7)
	FMULV(6, 6, 8)
	FMULV(7, 7, 9)
	FMAXNMV(6, 6, 11)
	FMAXNMV(7, 7, 11)
	FMINV(6, 6, 12)
	FMINV(7, 7, 12)
	FCVTNS(6, 6)
	FCVTNS(7, 7)
	VADD V13.S4, V6.S4, V6.S4
	VADD V13.S4, V7.S4, V7.S4
	UZP1H(14, 6, 7)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4

nnext:
	SUBS $1, R7, R7
	BNE  ntile
	RET

// func rowNEONDot1x12(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)
//
// One row of tileNEONDot8x12 (see Kernel.row): step s reads the row's four
// bytes at a+s·astride and B as the tile does; three SDOT per step into
// V8-V10, then the tile's epilogue for one row.
//
// Registers: as tileNEONDot8x12, R7 astride.
TEXT ·rowNEONDot1x12(SB), NOSPLIT, $0-56
	MOVD kq+0(FP), R0
	MOVD a+8(FP), R1
	MOVD astride+16(FP), R7
	MOVD b+24(FP), R2
	MOVD offs+32(FP), R3
	MOVD c+40(FP), R4
	MOVD ep+48(FP), R6
	MOVD 0(R6), R10
	MOVD 24(R6), R12
	MOVD 48(R6), R11
	MOVD 72(R6), R13
	MOVD 96(R6), R14
	MOVD 120(R6), R15
	MOVW 140(R6), R19
	VLD1    (R12), [V2.S4, V3.S4, V4.S4]
	VLD1R   (R10), [V0.S4]
	VADD    V0.S4, V2.S4, V8.S4
	VADD    V0.S4, V3.S4, V9.S4
	VADD    V0.S4, V4.S4, V10.S4
	CBZ     R0, rrank

rloop:
	MOVWU.P 4(R3), R20
	ADD     R2, R20, R20
	FMOVS   (R1), F0
	ADD     R7, R1, R1
	VLD1    (R20), [V2.B16, V3.B16, V4.B16]
	SDOT(8, 2, 0, 0)
	SDOT(9, 3, 0, 0)
	SDOT(10, 4, 0, 0)
	SUBS    $1, R0, R0
	BNE     rloop

rrank:
	CBZ   R11, rep
	VLD1  (R13), [V2.S4, V3.S4, V4.S4]
	VLD1R (R11), [V0.S4]
	MLAS(8, 2, 0, 0)
	MLAS(9, 3, 0, 0)
	MLAS(10, 4, 0, 0)

rep:
	CMP  $2, R19
	BEQ  rbyte
	CBNZ R19, rfloat
	VST1 [V8.S4, V9.S4, V10.S4], (R4)
	ADD  R5, R4, R4
	B    rnext
rfloat:
	CBNZ R15, rfloatcol
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(8, 8)
	SCVTF(9, 9)
	SCVTF(10, 10)
	FMULV(8, 8, 0)
	FMULV(9, 9, 0)
	FMULV(10, 10, 0)
	VST1 [V8.S4, V9.S4, V10.S4], (R4)
	ADD  R5, R4, R4
	B    rnext
rfloatcol:
	VLD1 (R14), [V0.S4, V1.S4, V2.S4]
	SCVTF(8, 8)
	SCVTF(9, 9)
	SCVTF(10, 10)
	FMULV(8, 8, 0)
	FMULV(9, 9, 1)
	FMULV(10, 10, 2)
	VST1 [V8.S4, V9.S4, V10.S4], (R4)
	ADD  R5, R4, R4
	B    rnext
rbyte:
	FMOVS 128(R6), F3
	FMOVS 132(R6), F4
	MOVW  136(R6), R20
	VDUP  V3.S[0], V3.S4
	VDUP  V4.S[0], V4.S4
	VDUP  R20, V5.S4
rbyterow:
	CBNZ R15, rbytecol
	VLD1R.P 4(R14), [V0.S4]
	SCVTF(8, 8)
	SCVTF(9, 9)
	SCVTF(10, 10)
	FMULV(8, 8, 0)
	FMULV(9, 9, 0)
	FMULV(10, 10, 0)
	FMAXNMV(8, 8, 3)
	FMAXNMV(9, 9, 3)
	FMAXNMV(10, 10, 3)
	FMINV(8, 8, 4)
	FMINV(9, 9, 4)
	FMINV(10, 10, 4)
	FCVTNS(8, 8)
	FCVTNS(9, 9)
	FCVTNS(10, 10)
	VADD V5.S4, V8.S4, V8.S4
	VADD V5.S4, V9.S4, V9.S4
	VADD V5.S4, V10.S4, V10.S4
	UZP1H(6, 8, 9)
	UZP1H(7, 10, 10)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4
	B    rnext
rbytecol:
	VLD1 (R14), [V0.S4, V1.S4, V2.S4]
	SCVTF(8, 8)
	SCVTF(9, 9)
	SCVTF(10, 10)
	FMULV(8, 8, 0)
	FMULV(9, 9, 1)
	FMULV(10, 10, 2)
	FMAXNMV(8, 8, 3)
	FMAXNMV(9, 9, 3)
	FMAXNMV(10, 10, 3)
	FMINV(8, 8, 4)
	FMINV(9, 9, 4)
	FMINV(10, 10, 4)
	FCVTNS(8, 8)
	FCVTNS(9, 9)
	FCVTNS(10, 10)
	VADD V5.S4, V8.S4, V8.S4
	VADD V5.S4, V9.S4, V9.S4
	VADD V5.S4, V10.S4, V10.S4
	UZP1H(6, 8, 9)
	UZP1H(7, 10, 10)
	UZP1B(6, 6, 7)
	FMOVD F6, (R4)
	VMOV  V6.S[2], R20
	MOVW  R20, 8(R4)
	ADD  R5, R4, R4

rnext:
	RET

// func rowNEON1x8(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)
//
// One row of tileNEON4x8 (see Kernel.row): step s reads the row's four
// bytes at a+s·astride (LD1R: broadcast) and B as the tile does; SMULL,
// SMULL2 and SADALP into V16-V19, added pairwise (ADDP) into V0-V1, then
// the tile's offsets, rank-one term and epilogue for one row.
//
// Registers: as tileNEON4x8, R7 astride.
TEXT ·rowNEON1x8(SB), NOSPLIT, $0-56
	MOVD kq+0(FP), R0
	MOVD a+8(FP), R1
	MOVD astride+16(FP), R7
	MOVD b+24(FP), R2
	MOVD offs+32(FP), R3
	MOVD c+40(FP), R4
	MOVD ep+48(FP), R6
	MOVD 0(R6), R10
	MOVD 24(R6), R12
	MOVD 48(R6), R11
	MOVD 72(R6), R13
	MOVD 96(R6), R14
	MOVD 120(R6), R15
	MOVW 140(R6), R19
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	CBZ  R0, qsum

qloop:
	MOVWU.P 4(R3), R20
	ADD     R2, R20, R20
	VLD1R   (R1), [V3.S4]
	ADD     R7, R1, R1
	VLD1    (R20), [V1.B16, V2.B16]
	SMULL(4, 1, 3)
	SMULL2(5, 1, 3)
	SMULL(6, 2, 3)
	SMULL2(7, 2, 3)
	SADALP(16, 4)
	SADALP(17, 5)
	SADALP(18, 6)
	SADALP(19, 7)
	SUBS    $1, R0, R0
	BNE     qloop

qsum:
	ADDP(0, 16, 17)
	ADDP(1, 18, 19)
	VLD1  (R12), [V8.S4, V9.S4]
	VLD1R (R10), [V13.S4]
	VADD  V8.S4, V0.S4, V0.S4
	VADD  V9.S4, V1.S4, V1.S4
	VADD  V13.S4, V0.S4, V0.S4
	VADD  V13.S4, V1.S4, V1.S4
	CBZ   R11, qep
	VLD1  (R13), [V10.S4, V11.S4]
	VLD1R (R11), [V12.S4]
	MLAS(0, 10, 12, 0)
	MLAS(1, 11, 12, 0)

qep:
	CMP  $2, R19
	BEQ  qbyte
	CBNZ R19, qfloat
	VST1 [V0.S4, V1.S4], (R4)
	ADD  R5, R4, R4
	B    qnext
qfloat:
	CBNZ R15, qfloatcol
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(0, 0)
	SCVTF(1, 1)
	FMULV(0, 0, 8)
	FMULV(1, 1, 8)
	VST1 [V0.S4, V1.S4], (R4)
	ADD  R5, R4, R4
	B    qnext
qfloatcol:
	VLD1 (R14), [V8.S4, V9.S4]
	SCVTF(0, 0)
	SCVTF(1, 1)
	FMULV(0, 0, 8)
	FMULV(1, 1, 9)
	VST1 [V0.S4, V1.S4], (R4)
	ADD  R5, R4, R4
	B    qnext
qbyte:
	FMOVS 128(R6), F11
	FMOVS 132(R6), F12
	MOVW  136(R6), R20
	VDUP  V11.S[0], V11.S4
	VDUP  V12.S[0], V12.S4
	VDUP  R20, V13.S4
qbyterow:
	CBNZ R15, qbytecol
	VLD1R.P 4(R14), [V8.S4]
	SCVTF(0, 0)
	SCVTF(1, 1)
	FMULV(0, 0, 8)
	FMULV(1, 1, 8)
	FMAXNMV(0, 0, 11)
	FMAXNMV(1, 1, 11)
	FMINV(0, 0, 12)
	FMINV(1, 1, 12)
	FCVTNS(0, 0)
	FCVTNS(1, 1)
	VADD V13.S4, V0.S4, V0.S4
	VADD V13.S4, V1.S4, V1.S4
	UZP1H(14, 0, 1)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4
	B    qnext
qbytecol:
	VLD1 (R14), [V8.S4, V9.S4]
	SCVTF(0, 0)
	SCVTF(1, 1)
	FMULV(0, 0, 8)
	FMULV(1, 1, 9)
	FMAXNMV(0, 0, 11)
	FMAXNMV(1, 1, 11)
	FMINV(0, 0, 12)
	FMINV(1, 1, 12)
	FCVTNS(0, 0)
	FCVTNS(1, 1)
	VADD V13.S4, V0.S4, V0.S4
	VADD V13.S4, V1.S4, V1.S4
	UZP1H(14, 0, 1)
	UZP1B(14, 14, 14)
	FMOVD F14, (R4)
	ADD  R5, R4, R4

qnext:
	RET
