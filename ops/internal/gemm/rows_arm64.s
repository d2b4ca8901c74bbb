//go:build !noasm

#include "textflag.h"
#include "neon.h"

// func rowsNEON(k, n int, x, b *float32, ldb int, y *float32)
//
// The rows form (see rows.go) for k a multiple of 4: four rows of B at a
// time, sixteen steps an iteration: x's sixteen values (V16-V19) and each
// row's (V20-V23, V24-V27, V28-V31, V8-V11), one four-register load each,
// multiplied into two accumulators per row (row r: Vr for steps 0-7 mod
// 16, V(r+4) for steps 8-15), so that an iteration is 5 loads and 16
// FMLAs (four steps an iteration, as the last k mod 16 steps go, take 5
// loads per 4 FMLAs). The accumulators are then added and reduced by
// pairwise adds; then the rows left one at a time. Registers: R0 k, R1
// rows left, R2 x, R3 the row, R4 ldb (bytes), R5 y, R6 the steps / 4,
// R7-R10 the step's rows, R11 x's step, R12 iterations left.
TEXT ·rowsNEON(SB), NOSPLIT, $0-48
	MOVD k+0(FP), R0
	MOVD n+8(FP), R1
	MOVD x+16(FP), R2
	MOVD b+24(FP), R3
	MOVD ldb+32(FP), R4
	MOVD y+40(FP), R5
	LSL  $2, R4, R4
	LSR  $2, R0, R6

four:
	CMP  $4, R1
	BLT  one
	SUB  $4, R1, R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	MOVD R3, R7
	ADD  R4, R7, R8
	ADD  R4, R8, R9
	ADD  R4, R9, R10
	MOVD R2, R11
	LSR  $2, R6, R12
	CBZ  R12, rest4

loop16:
	VLD1.P 64(R11), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R7), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R8), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1.P 64(R9), [V28.S4, V29.S4, V30.S4, V31.S4]
	VLD1.P 64(R10), [V8.S4, V9.S4, V10.S4, V11.S4]
	FMLAV(0, 16, 20)
	FMLAV(1, 16, 24)
	FMLAV(2, 16, 28)
	FMLAV(3, 16, 8)
	FMLAV(0, 17, 21)
	FMLAV(1, 17, 25)
	FMLAV(2, 17, 29)
	FMLAV(3, 17, 9)
	FMLAV(4, 18, 22)
	FMLAV(5, 18, 26)
	FMLAV(6, 18, 30)
	FMLAV(7, 18, 10)
	FMLAV(4, 19, 23)
	FMLAV(5, 19, 27)
	FMLAV(6, 19, 31)
	FMLAV(7, 19, 11)
	SUB    $1, R12, R12
	CBNZ   R12, loop16

rest4:
	AND $3, R6, R12
	CBZ R12, sum4

loop4:
	VLD1.P 16(R11), [V16.S4]
	VLD1.P 16(R7), [V20.S4]
	VLD1.P 16(R8), [V24.S4]
	VLD1.P 16(R9), [V28.S4]
	VLD1.P 16(R10), [V8.S4]
	FMLAV(0, 16, 20)
	FMLAV(1, 16, 24)
	FMLAV(2, 16, 28)
	FMLAV(3, 16, 8)
	SUB    $1, R12, R12
	CBNZ   R12, loop4

sum4:
	FADDV(0, 0, 4)
	FADDV(1, 1, 5)
	FADDV(2, 2, 6)
	FADDV(3, 3, 7)
	FADDPV(0, 0, 1)
	FADDPV(2, 2, 3)
	FADDPV(0, 0, 2)
	VST1.P [V0.S4], 16(R5)
	ADD    R4<<2, R3, R3
	B      four

one:
	CBZ  R1, done
	VEOR V0.B16, V0.B16, V0.B16
	MOVD R3, R7
	MOVD R2, R11
	MOVD R6, R12

loop1:
	VLD1.P 16(R11), [V4.S4]
	VLD1.P 16(R7), [V5.S4]
	FMLAV(0, 4, 5)
	SUB    $1, R12, R12
	CBNZ   R12, loop1
	FADDPV(0, 0, 0)
	FADDPV(0, 0, 0)
	FMOVS  F0, (R5)
	ADD    $4, R5, R5
	ADD    R4, R3, R3
	SUB    $1, R1, R1
	B      one

done:
	RET
