//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// func sumsNEON4x4(kq int, a, b *byte, offs *int32, acc *[16]int32)
//
// Per step: the 16 bytes of B's 4 columns (D16: columns 0-1, D17: 2-3)
// and each row's 4 bytes of A, replicated (D18-D21); VMULL.S8 multiplies a
// row by two columns (8 int16 products) and VPADAL.S16 adds them in pairs
// to the int32 lanes of Q(2r) (columns 0-1: two partial sums each) and
// Q(2r+1) (columns 2-3); VPADD.I32 adds the partial sums at the end.
// Registers: R0 A, R1 B, R2 the offsets, R3 steps left, R4 acc, R5 the
// step's B; Q11-Q14 products.
TEXT ·sumsNEON4x4(SB), NOSPLIT, $0-20
	MOVW kq+0(FP), R3
	MOVW a+4(FP), R0
	MOVW b+8(FP), R1
	MOVW offs+12(FP), R2
	MOVW acc+16(FP), R4
	VEORQ(0, 0, 0)
	VEORQ(1, 1, 1)
	VEORQ(2, 2, 2)
	VEORQ(3, 3, 3)
	VEORQ(4, 4, 4)
	VEORQ(5, 5, 5)
	VEORQ(6, 6, 6)
	VEORQ(7, 7, 7)

loop:
	MOVW.P 4(R2), R5
	ADD    R5, R1, R5
	VLD1x2(16, 5, 15)
	VLD1DUP1(18, 0, 13)
	VLD1DUP1(19, 0, 13)
	VLD1DUP1(20, 0, 13)
	VLD1DUP1(21, 0, 13)
	VMULLS8(11, 18, 16)
	VMULLS8(12, 18, 17)
	VMULLS8(13, 19, 16)
	VMULLS8(14, 19, 17)
	VPADALS16(0, 11)
	VPADALS16(1, 12)
	VPADALS16(2, 13)
	VPADALS16(3, 14)
	VMULLS8(11, 20, 16)
	VMULLS8(12, 20, 17)
	VMULLS8(13, 21, 16)
	VMULLS8(14, 21, 17)
	VPADALS16(4, 11)
	VPADALS16(5, 12)
	VPADALS16(6, 13)
	VPADALS16(7, 14)
	SUB.S  $1, R3
	BNE    loop

	VPADDI32(16, 0, 1)
	VPADDI32(17, 2, 3)
	VPADDI32(18, 4, 5)
	VPADDI32(19, 6, 7)
	VPADDI32(20, 8, 9)
	VPADDI32(21, 10, 11)
	VPADDI32(22, 12, 13)
	VPADDI32(23, 14, 15)
	VST1x4(16, 4, 13)
	VST1x4(20, 4, 15)
	RET
