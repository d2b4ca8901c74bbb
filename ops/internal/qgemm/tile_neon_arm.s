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

// DWTAP1 and DWTAP2 multiply the 8 inputs of a tap at R6 (stride 1: 8
// bytes; stride 2: the even bytes of 16) by its weight in D6, into Q2.
#define DWTAP1 \
	VLD1x1(7, 6, 15); \
	VMULLS8(2, 7, 6)

#define DWTAP2 \
	VLD2x2B(8, 6, 15); \
	VMULLS8(2, 8, 6)

// DWROWS computes the rows with TAP (stride 1<<XSHIFT); its labels are
// the other arguments.
#define DWROWS(TAP, XSHIFT, lrow, lchunk, lkrow, lktap, lbyte, lnext) \
lrow: \
	MOVW $0, R4; \
lchunk: \
	MOVW 28(R0), R12; \
	SUB  $8, R12; \
	CMP  R12, R4; \
	MOVW.GT R12, R4; \
	VORRQ(0, 8, 8); \
	VORRQ(1, 8, 8); \
	ADD  R4<<XSHIFT, R1, R5; \
	MOVW 8(R0), R7; \
	MOVW 48(R0), R8; \
lkrow: \
	MOVW R5, R6; \
	MOVW 52(R0), R9; \
lktap: \
	VLD1DUP8(6, 7, 13); \
	TAP; \
	VADDWS16(0, 0, 4); \
	VADDWS16(1, 1, 5); \
	MOVW  44(R0), R12; \
	ADD   R12, R6; \
	SUB.S $1, R9; \
	BNE   lktap; \
	MOVW  12(R0), R12; \
	ADD   R12, R7; \
	MOVW  52(R0), R12; \
	SUB   R12, R7; \
	MOVW  40(R0), R12; \
	ADD   R12, R5; \
	SUB.S $1, R8; \
	BNE   lkrow; \
	MOVW 76(R0), R12; \
	CMP  $2, R12; \
	BEQ  lbyte; \
	ADD  R4<<2, R2, R12; \
	VST1x4(0, 12, 15); \
	B    lnext; \
lbyte: \
	VCVTF32S32Q(0, 0); \
	VCVTF32S32Q(1, 1); \
	VMULQ(0, 0, 9); \
	VMULQ(1, 1, 9); \
	VCGEQ(2, 0, 10); \
	VBSLQ(2, 0, 10); \
	VMINQ(0, 2, 11); \
	VCGEQ(2, 1, 10); \
	VBSLQ(2, 1, 10); \
	VMINQ(1, 2, 11); \
	VADDQ(0, 0, 12); \
	VADDQ(1, 1, 12); \
	VSUBI32Q(0, 0, 13); \
	VSUBI32Q(1, 1, 13); \
	VMOVNI32(14, 0); \
	VMOVNI32(15, 1); \
	VMOVNI16(6, 7); \
	ADD  R4, R2, R12; \
	VST1x1(6, 12, 15); \
lnext: \
	ADD  $8, R4; \
	MOVW 28(R0), R12; \
	CMP  R12, R4; \
	BLT  lchunk; \
	MOVW  32(R0), R12; \
	ADD   R12, R1; \
	MOVW  20(R0), R12; \
	ADD   R12, R2; \
	SUB.S $1, R3; \
	BNE   lrow; \
	RET

// func dwNEON(a *dwArgs)
//
// Rows of one channel's depthwise plane from a padded int8 copy of its
// input (every tap inside), 8 outputs at a time, a row's last 8 ending at
// its end (recomputing a few): per tap, its weight broadcast (VLD1.8
// all lanes), one load of 8 input bytes (stride 1) or VLD2.8 of 16 (stride
// 2, the even bytes), VMULL.S8 and VADDW.S16 into the int32 sums Q0, Q1,
// which start from off. Then Int32 stores them; Byte requantizes them as
// epiByteNEON does (scale Q9, lo Q10, hi Q11, roundBias Q12, its bits minus
// zp Q13) and stores 8 bytes. Registers: R0 a, R1 the output row's input
// (tap row 0, column 0), R2 the output row, R3 rows left, R4 the chunk's
// first output, R5 a tap row, R6 a tap, R7 the weights, R8 tap rows left,
// R9 taps left, R12 temp; Q8 off. dwArgs offsets: see dwArgs.
TEXT ·dwNEON(SB), NOSPLIT, $0-4
	MOVW a+0(FP), R0
	ADD  $56, R0, R12
	VLD1DUP2(16, 12, 15)
	ADD  $60, R0, R12
	VLD1DUP2(18, 12, 15)
	ADD  $64, R0, R12
	VLD1DUP2(20, 12, 15)
	ADD  $68, R0, R12
	VLD1DUP2(22, 12, 15)
	MOVW $·qconsts(SB), R12
	VLD1DUP2(24, 12, 15)
	ADD  $72, R0, R12
	VLD1DUP2(26, 12, 15)
	VSUBI32Q(13, 12, 13)
	MOVW 0(R0), R1
	MOVW 16(R0), R2
	MOVW 24(R0), R3
	CMP  $0, R3
	BEQ  done
	MOVW 36(R0), R12
	CMP  $2, R12
	BEQ  s2
	DWROWS(DWTAP1, 0, row1, chunk1, krow1, ktap1, byte1, next1)

s2:
	DWROWS(DWTAP2, 1, row2, chunk2, krow2, ktap2, byte2, next2)

done:
	RET
