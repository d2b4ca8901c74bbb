//go:build !noasm

#include "textflag.h"
#include "neon.h"

// func rowsNEON(k, n int, x, b *float32, ldb int, y *float32)
//
// The rows form (see rows.go) for k a multiple of 4: four rows of B at a
// time, each step's four values of x (V4) multiplied by each row's (V5-V7,
// V16) into one accumulator per row (V0-V3), the accumulators reduced by
// pairwise adds at the end; then the rows left one at a time. Registers:
// R0 k, R1 rows left, R2 x, R3 the row, R4 ldb (bytes), R5 y, R6 the step
// count, R7-R10 the step's rows, R11 x's step, R12 steps left.
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
	MOVD R3, R7
	ADD  R4, R7, R8
	ADD  R4, R8, R9
	ADD  R4, R9, R10
	MOVD R2, R11
	MOVD R6, R12

loop4:
	VLD1.P 16(R11), [V4.S4]
	VLD1.P 16(R7), [V5.S4]
	VLD1.P 16(R8), [V6.S4]
	VLD1.P 16(R9), [V7.S4]
	VLD1.P 16(R10), [V16.S4]
	FMLAV(0, 4, 5)
	FMLAV(1, 4, 6)
	FMLAV(2, 4, 7)
	FMLAV(3, 4, 16)
	SUB    $1, R12, R12
	CBNZ   R12, loop4
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
