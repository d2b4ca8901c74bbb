//go:build !noasm

#include "textflag.h"
#include "hneon.h"

// The 16x8 fp16 kernel: row r of the tile (8 columns, 8 fp16 lanes) is
// accumulated in V(16+r). A step of the packed A (rows 0-7 and 8-15 of
// one column) is two vectors, a step of the packed B (8 columns of one
// row) one, and each step is 16 FMLA by element (the A value of the row
// times the B vector), 4 steps per iteration.

// STEP is one k step with A in registers a0 (rows 0-7) and a1 (rows
// 8-15), B in register b.
#define STEP(a0, a1, b) \
	FMLAH(16, b, a0, 0) \
	FMLAH(17, b, a0, 1) \
	FMLAH(18, b, a0, 2) \
	FMLAH(19, b, a0, 3) \
	FMLAH(20, b, a0, 4) \
	FMLAH(21, b, a0, 5) \
	FMLAH(22, b, a0, 6) \
	FMLAH(23, b, a0, 7) \
	FMLAH(24, b, a1, 0) \
	FMLAH(25, b, a1, 1) \
	FMLAH(26, b, a1, 2) \
	FMLAH(27, b, a1, 3) \
	FMLAH(28, b, a1, 4) \
	FMLAH(29, b, a1, 5) \
	FMLAH(30, b, a1, 6) \
	FMLAH(31, b, a1, 7)

// STOREROW converts accumulator row v (fp16) to two float32 vectors and
// stores them to the C row at R5 (adding the C row to them first when
// R7, add, is set), then advances R5 by ldc (R6 bytes).
#define STOREROW(v) \
	FCVTL(12, v); \
	FCVTL2(13, v); \
	CBZ  R7, 4(PC); \
	VLD1 (R5), [V14.S4, V15.S4]; \
	FADDV(12, 12, 14); \
	FADDV(13, 13, 15); \
	VST1 [V12.S4, V13.S4], (R5); \
	ADD  R6, R5, R5

// func mulH16x8(k int, a, b *uint16, c *float32, ldc int, add bool)
TEXT ·mulH16x8(SB), NOSPLIT, $0-41
	MOVD  k+0(FP), R3
	MOVD  a+8(FP), R0
	MOVD  b+16(FP), R1
	MOVD  c+24(FP), R2
	MOVD  ldc+32(FP), R6
	LSL   $2, R6, R6
	MOVBU add+40(FP), R7
	VEOR  V16.B16, V16.B16, V16.B16
	VEOR  V17.B16, V17.B16, V17.B16
	VEOR  V18.B16, V18.B16, V18.B16
	VEOR  V19.B16, V19.B16, V19.B16
	VEOR  V20.B16, V20.B16, V20.B16
	VEOR  V21.B16, V21.B16, V21.B16
	VEOR  V22.B16, V22.B16, V22.B16
	VEOR  V23.B16, V23.B16, V23.B16
	VEOR  V24.B16, V24.B16, V24.B16
	VEOR  V25.B16, V25.B16, V25.B16
	VEOR  V26.B16, V26.B16, V26.B16
	VEOR  V27.B16, V27.B16, V27.B16
	VEOR  V28.B16, V28.B16, V28.B16
	VEOR  V29.B16, V29.B16, V29.B16
	VEOR  V30.B16, V30.B16, V30.B16
	VEOR  V31.B16, V31.B16, V31.B16
	LSR   $2, R3, R4
	CBZ   R4, tail

loop:
	VLD1.P 64(R0), [V0.H8, V1.H8, V2.H8, V3.H8]
	VLD1.P 64(R1), [V8.H8, V9.H8, V10.H8, V11.H8]
	VLD1.P 64(R0), [V4.H8, V5.H8, V6.H8, V7.H8]
	STEP(0, 1, 8)
	STEP(2, 3, 9)
	STEP(4, 5, 10)
	STEP(6, 7, 11)
	SUBS $1, R4, R4
	BNE  loop

tail:
	AND $3, R3, R4
	CBZ R4, store

tail1:
	VLD1.P 32(R0), [V0.H8, V1.H8]
	VLD1.P 16(R1), [V8.H8]
	STEP(0, 1, 8)
	SUBS $1, R4, R4
	BNE  tail1

store:
	MOVD R2, R5
	STOREROW(16)
	STOREROW(17)
	STOREROW(18)
	STOREROW(19)
	STOREROW(20)
	STOREROW(21)
	STOREROW(22)
	STOREROW(23)
	STOREROW(24)
	STOREROW(25)
	STOREROW(26)
	STOREROW(27)
	STOREROW(28)
	STOREROW(29)
	STOREROW(30)
	STOREROW(31)
	RET

// func packH8(k int, b *float32, offs *int32, dst *uint16)
//
// For each of k > 0 steps: the 8 floats at b + 4*offs[p] converted to
// fp16 (FCVTN, round to nearest even) and stored at dst + 16p.
TEXT ·packH8(SB), NOSPLIT, $0-32
	MOVD k+0(FP), R3
	MOVD b+8(FP), R0
	MOVD offs+16(FP), R1
	MOVD dst+24(FP), R2

pack:
	MOVW.P 4(R1), R4
	ADD    R4<<2, R0, R5
	VLD1   (R5), [V0.S4, V1.S4]
	FCVTN(2, 0)
	FCVTN2(2, 1)
	VST1.P [V2.H8], 16(R2)
	SUBS   $1, R3, R3
	BNE    pack
	RET
