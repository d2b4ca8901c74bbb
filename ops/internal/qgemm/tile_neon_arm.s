//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// func sumsNEON4x4(kq int, a, b *byte, offs *int32, rowOff, colOff *int32, acc *[16]int32)
//
// Per step: the 16 bytes of B's 4 columns (D16: columns 0-1, D17: 2-3)
// and each row's 4 bytes of A, replicated (D18-D21); VMULL.S8 multiplies a
// row by two columns (8 int16 products) and VPADAL.S16 adds them in pairs
// to the int32 lanes of Q(2r) (columns 0-1: two partial sums each) and
// Q(2r+1) (columns 2-3); VPADD.I32 adds the partial sums at the end, to
// rows Q8-Q11, and rowOff[r] + colOff[c] are added (in int32, wrapping,
// as tileGo's sums start from them). Registers: R0 A, R1 B, R2 the
// offsets, R3 steps left, R4 acc, R5 the step's B, R6 rowOff, R7 colOff;
// Q11-Q14 products.
TEXT ·sumsNEON4x4(SB), NOSPLIT, $0-28
	MOVW kq+0(FP), R3
	MOVW a+4(FP), R0
	MOVW b+8(FP), R1
	MOVW offs+12(FP), R2
	MOVW rowOff+16(FP), R6
	MOVW colOff+20(FP), R7
	MOVW acc+24(FP), R4
	VEORQ(0, 0, 0)
	VEORQ(1, 1, 1)
	VEORQ(2, 2, 2)
	VEORQ(3, 3, 3)
	VEORQ(4, 4, 4)
	VEORQ(5, 5, 5)
	VEORQ(6, 6, 6)
	VEORQ(7, 7, 7)
	CMP  $0, R3
	BEQ  sum

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

sum:
	VPADDI32(16, 0, 1)
	VPADDI32(17, 2, 3)
	VPADDI32(18, 4, 5)
	VPADDI32(19, 6, 7)
	VPADDI32(20, 8, 9)
	VPADDI32(21, 10, 11)
	VPADDI32(22, 12, 13)
	VPADDI32(23, 14, 15)
	VLD1x2(24, 7, 15)
	VADDI32Q(8, 8, 12)
	VADDI32Q(9, 9, 12)
	VADDI32Q(10, 10, 12)
	VADDI32Q(11, 11, 12)
	VLD1DUP2(26, 6, 13)
	VADDI32Q(8, 8, 13)
	VLD1DUP2(26, 6, 13)
	VADDI32Q(9, 9, 13)
	VLD1DUP2(26, 6, 13)
	VADDI32Q(10, 10, 13)
	VLD1DUP2(26, 6, 13)
	VADDI32Q(11, 11, 13)
	VST1x4(16, 4, 13)
	VST1x4(20, 4, 15)
	RET

// func epiByteNEON(acc *[16]int32, c *byte, ldc int, scale *float32, scaleCols int, lo, hi float32, zp int32)
//
// The Byte epilogue of a 4x4 tile of sums (Requantize): float32(sum) times
// its row's scale (scaleCols 0) or its column's, clamped to [lo, hi] with
// NaN to lo (VCGE is false for NaN, VBSL then takes lo), rounded half to
// even by adding 1.5·2²³ (roundBias, in qconsts) and taking the low bits,
// plus zp; each row's 4 bytes (VMOVN twice) are stored ldc bytes apart.
// Denormals, which NEON flushes to zero, round to 0 either way. Registers:
// R0 acc, R1 c, R2 ldc, R3 scale, R4 scaleCols, R5 temp; rows in Q0-Q3.
TEXT ·epiByteNEON(SB), NOSPLIT, $0-32
	MOVW acc+0(FP), R0
	MOVW c+4(FP), R1
	MOVW ldc+8(FP), R2
	MOVW scale+12(FP), R3
	MOVW scaleCols+16(FP), R4
	VLD1x4(0, 0, 13)
	VLD1x4(4, 0, 15)
	VCVTF32S32Q(0, 0)
	VCVTF32S32Q(1, 1)
	VCVTF32S32Q(2, 2)
	VCVTF32S32Q(3, 3)
	VLD1x2(8, 3, 15)
	CMP  $0, R4
	BNE  cols
	VMULQS(0, 0, 8, 0)
	VMULQS(1, 1, 8, 1)
	VMULQS(2, 2, 9, 0)
	VMULQS(3, 3, 9, 1)
	B    clamp

cols:
	VMULQ(0, 0, 4)
	VMULQ(1, 1, 4)
	VMULQ(2, 2, 4)
	VMULQ(3, 3, 4)

clamp:
	MOVW $lo+20(FP), R5
	VLD1DUP2(10, 5, 15)
	MOVW $hi+24(FP), R5
	VLD1DUP2(12, 5, 15)
	VCGEQ(7, 0, 5)
	VBSLQ(7, 0, 5)
	VMINQ(0, 7, 6)
	VCGEQ(7, 1, 5)
	VBSLQ(7, 1, 5)
	VMINQ(1, 7, 6)
	VCGEQ(7, 2, 5)
	VBSLQ(7, 2, 5)
	VMINQ(2, 7, 6)
	VCGEQ(7, 3, 5)
	VBSLQ(7, 3, 5)
	VMINQ(3, 7, 6)
	MOVW $·qconsts(SB), R5
	VLD1DUP2(16, 5, 15)
	MOVW $zp+28(FP), R5
	VLD1DUP2(18, 5, 15)
	VSUBI32Q(9, 8, 9)
	VADDQ(0, 0, 8)
	VADDQ(1, 1, 8)
	VADDQ(2, 2, 8)
	VADDQ(3, 3, 8)
	VSUBI32Q(0, 0, 9)
	VSUBI32Q(1, 1, 9)
	VSUBI32Q(2, 2, 9)
	VSUBI32Q(3, 3, 9)
	VMOVNI32(20, 0)
	VMOVNI32(21, 1)
	VMOVNI32(22, 2)
	VMOVNI32(23, 3)
	VMOVNI16(24, 10)
	VMOVNI16(25, 11)
	VST1LANE32(24, 0, 1, 2)
	VST1LANE32(24, 1, 1, 2)
	VST1LANE32(25, 0, 1, 2)
	VST1LANE32(25, 1, 1, 15)
	RET
