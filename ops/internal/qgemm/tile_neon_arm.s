//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// BOFF16 and BOFF30 load a step's 16 bytes of B (columns 0-1, 2-3) at
// b + offs[s] (R1 + *R2, R2 advancing) into D16-D17 or D30-D31; BRUN16
// and BRUN30 within a run of evenly spaced steps, at R5, advanced by the
// run's stride (R1).
#define BOFF16 \
	MOVW.P 4(R2), R5; \
	ADD    R5, R1, R5; \
	VLD1x2(16, 5, 15)

#define BOFF30 \
	MOVW.P 4(R2), R5; \
	ADD    R5, R1, R5; \
	VLD1x2(30, 5, 15)

#define BRUN16 VLD1x2(16, 5, 1)

#define BRUN30 VLD1x2(30, 5, 1)

// ROWMUL multiplies rows d0 and d1 of A (replicated) by the step's B
// (D16: columns 0-1, D17: 2-3) with VMULL.S8 into Q11-Q14 (8 int16
// products each); ROWMLA adds the second step's (B in D30-D31) with
// VMLAL.S8; ROWACC adds them in pairs (VPADAL.S16) to the int32 lanes of
// the two rows' accumulators Qq to Qq+3.
#define ROWMUL(d0, d1) \
	VMULLS8(11, d0, 16); \
	VMULLS8(12, d0, 17); \
	VMULLS8(13, d1, 16); \
	VMULLS8(14, d1, 17)

#define ROWMLA(d0, d1) \
	VMLALS8(11, d0, 30); \
	VMLALS8(12, d0, 31); \
	VMLALS8(13, d1, 30); \
	VMLALS8(14, d1, 31)

#define ROWACC(q) \
	VPADALS16(q, 11); \
	VPADALS16(q+1, 12); \
	VPADALS16(q+2, 13); \
	VPADALS16(q+3, 14)

// STEP1 is one k step of a 4x4 tile: B loaded by LOADB into D16-D17 and
// each row's 4 bytes of A at R0 (advancing), replicated (D18-D21, two
// rows a VLD2.32 to all lanes); VMULL.S8 multiplies a row by two columns
// (8 int16 products) and VPADAL.S16 adds them in pairs to the int32 lanes
// of Q(2r) (columns 0-1: two partial sums each) and Q(2r+1) (columns
// 2-3).
#define STEP1(LOADB) \
	LOADB; \
	VLD2DUP(18, 0, 13); \
	VLD2DUP(20, 0, 13); \
	ROWMUL(18, 19); \
	ROWACC(0); \
	ROWMUL(20, 21); \
	ROWACC(4)

// STEP2 is two k steps whose products are added in int16 (VMLAL.S8)
// before VPADAL.S16, for A without -128 (|a·b| ≤ 127·128, two fit): B
// of the first step in D16-D17 (LOADB1), of the second in D30-D31
// (LOADB2); the two steps' rows r and r+1 in D18, D19 (first) and D20,
// D21 (second), loaded two by two from a, a+16, a+8, a+24 by
// post-increments of 16 (R8) and -8 (R9), the last by 8, leaving R0 at
// the next pair.
#define STEP2(LOADB1, LOADB2) \
	LOADB1; \
	LOADB2; \
	VLD2DUP(18, 0, 8); \
	VLD2DUP(20, 0, 9); \
	ROWMUL(18, 19); \
	ROWMLA(20, 21); \
	ROWACC(0); \
	VLD2DUP(18, 0, 8); \
	VLD2DUP(20, 0, 13); \
	ROWMUL(18, 19); \
	ROWMLA(20, 21); \
	ROWACC(4)

// SCALE multiplies the float rows Q8-Q11 by their rows' scales (R7 bytes
// into ep.scale; scaleCols 0) or by the columns' (Q0, D0-D1); labels
// lcols and ldone.
#define SCALE(lcols, ldone) \
	MOVW 48(R6), R5; \
	MOVW 60(R6), R3; \
	CMP  $0, R3; \
	BNE  lcols; \
	ADD  R7, R5; \
	VLD1x2(0, 5, 15); \
	VMULQS(8, 8, 0, 0); \
	VMULQS(9, 9, 0, 1); \
	VMULQS(10, 10, 1, 0); \
	VMULQS(11, 11, 1, 1); \
	B    ldone; \
lcols: \
	VLD1x2(0, 5, 15); \
	VMULQ(8, 8, 0); \
	VMULQ(9, 9, 0); \
	VMULQ(10, 10, 0); \
	VMULQ(11, 11, 0); \
ldone:

// RUN starts a run of evenly spaced steps: R5 its first step's B, R2 the
// next run's offset, R12 its steps (ep.run), taken from R3.
#define RUN \
	MOVW b+8(FP), R12; \
	MOVW (R2), R5; \
	ADD  R12, R5; \
	MOVW 92(R6), R12; \
	ADD  R12<<2, R2; \
	SUB  R12, R3

// CLAMP clamps the floats of Qq to [lo (Q2), hi (Q3)], NaN to lo (VCGE
// is false for NaN, VBSL then takes lo); Q12 temp.
#define CLAMP(q) \
	VCGEQ(12, q, 2); \
	VBSLQ(12, q, 2); \
	VMINQ(q, 12, 3)

// func tileNEON4x4(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)
//
// n 4x4 tiles of one column panel (see Kernel.tile), epilogue included:
// the tile's sums by STEP1, or, when ep.pairs says A holds no -128, by
// STEP2 two steps at a time (an odd step first by STEP1); steps in runs
// (ep.run > 0, at least minRun) read one offset a run and B at the run's
// stride (ep.stride), 16 instructions a step in pairs against 18 (23 one
// by one). VPADD.I32 adds the partial sums into rows Q8-Q11, which get
// rowOff[r] + colOff[c] and rowMul[r]·colMul[c] (VMLA.I32 by scalar) in
// int32, wrapping, as tileGo's sums do. Int32 stores them; Float converts
// them (VCVT, round to nearest) and multiplies by the scale (NEON
// flushes a product below 2⁻¹²⁶ to zero); Byte requantizes them as
// Requantize does: clamped to [lo, hi] with NaN to lo (VCGE is false for
// NaN, VBSL then takes lo), rounded half to even by adding 1.5·2²³
// (roundBias, in qconsts) and taking the low bits, plus zp, each row's 4
// bytes stored by VMOVN twice. A runs on through the n row panels, C by
// 4·ldc a tile; the tiles left are counted in n's argument slot.
//
// Registers: R0 A, R1 B (or the runs' stride), R2 the offsets, R3 steps
// left, R4 C, R5 B of the step, R6 ep, R7 the tile's first row's byte
// offset in the per-row vectors, R8 and R9 16 and -8 (STEP2), R12 a
// run's steps left; after the sums R1, R2, R3, R5 and R12 are temps (R2
// ldc). tileEp offsets on 32-bit arm (TestTileEpLayoutARM): rowOff 0,
// colOff 12, rowMul 24, colMul 36, scale 48, scaleCols 60, lo 68, hi 72,
// zp 76, mode 80, run 92, stride 100, pairs 132 (the int64s' low words).
TEXT ·tileNEON4x4(SB), NOSPLIT, $0-32
	MOVW a+4(FP), R0
	MOVW c+16(FP), R4
	MOVW ep+24(FP), R6
	MOVW $0, R7
	MOVW $16, R8
	MOVW $-8, R9

tile:
	MOVW offs+12(FP), R2
	MOVW kq+0(FP), R3
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
	MOVW 132(R6), R5
	MOVW 92(R6), R12
	CMP  $0, R12
	BNE  runs
	MOVW b+8(FP), R1
	CMP  $0, R5
	BEQ  single
	TST  $1, R3
	BEQ  pairs
	STEP1(BOFF16)
	SUB  $1, R3

pairs:
	STEP2(BOFF16, BOFF30)
	SUB.S $2, R3
	BNE   pairs
	B     sum

single:
	STEP1(BOFF16)
	SUB.S $1, R3
	BNE   single
	B     sum

runs:
	MOVW 100(R6), R1
	CMP  $0, R5
	BEQ  rsingle

rpairs:
	RUN
	TST  $1, R12
	BEQ  rpair
	STEP1(BRUN16)
	SUB  $1, R12

rpair:
	STEP2(BRUN16, BRUN30)
	SUB.S $2, R12
	BNE   rpair
	CMP   $0, R3
	BNE   rpairs
	B     sum

rsingle:
	RUN

rstep:
	STEP1(BRUN16)
	SUB.S $1, R12
	BNE   rstep
	CMP   $0, R3
	BNE   rsingle

sum:
	VPADDI32(16, 0, 1)
	VPADDI32(17, 2, 3)
	VPADDI32(18, 4, 5)
	VPADDI32(19, 6, 7)
	VPADDI32(20, 8, 9)
	VPADDI32(21, 10, 11)
	VPADDI32(22, 12, 13)
	VPADDI32(23, 14, 15)
	MOVW 12(R6), R5
	VLD1x2(0, 5, 15)
	VADDI32Q(8, 8, 0)
	VADDI32Q(9, 9, 0)
	VADDI32Q(10, 10, 0)
	VADDI32Q(11, 11, 0)
	MOVW 0(R6), R5
	ADD  R7, R5
	VLD1DUP2(2, 5, 13)
	VADDI32Q(8, 8, 1)
	VLD1DUP2(2, 5, 13)
	VADDI32Q(9, 9, 1)
	VLD1DUP2(2, 5, 13)
	VADDI32Q(10, 10, 1)
	VLD1DUP2(2, 5, 13)
	VADDI32Q(11, 11, 1)
	MOVW 24(R6), R5
	CMP  $0, R5
	BEQ  epilogue
	ADD  R7, R5
	VLD1x2(2, 5, 15)
	MOVW 36(R6), R5
	VLD1x2(0, 5, 15)
	VMLAI32QS(8, 0, 2, 0)
	VMLAI32QS(9, 0, 2, 1)
	VMLAI32QS(10, 0, 3, 0)
	VMLAI32QS(11, 0, 3, 1)

epilogue:
	MOVW ldc+20(FP), R2
	MOVW 80(R6), R5
	CMP  $2, R5
	BEQ  byte
	CMP  $0, R5
	BEQ  store
	VCVTF32S32Q(8, 8)
	VCVTF32S32Q(9, 9)
	VCVTF32S32Q(10, 10)
	VCVTF32S32Q(11, 11)
	SCALE(fcols, store)
	VST1x2(16, 4, 2)
	VST1x2(18, 4, 2)
	VST1x2(20, 4, 2)
	VST1x2(22, 4, 2)
	B    next

byte:
	VCVTF32S32Q(8, 8)
	VCVTF32S32Q(9, 9)
	VCVTF32S32Q(10, 10)
	VCVTF32S32Q(11, 11)
	SCALE(bcols, bclamp)
	ADD  $68, R6, R5
	VLD1DUP2(4, 5, 13)
	VLD1DUP2(6, 5, 13)
	VLD1DUP2(10, 5, 15)
	MOVW $·qconsts(SB), R5
	VLD1DUP2(8, 5, 15)
	VSUBI32Q(5, 4, 5)
	CLAMP(8)
	CLAMP(9)
	CLAMP(10)
	CLAMP(11)
	VADDQ(8, 8, 4)
	VADDQ(9, 9, 4)
	VADDQ(10, 10, 4)
	VADDQ(11, 11, 4)
	VSUBI32Q(8, 8, 5)
	VSUBI32Q(9, 9, 5)
	VSUBI32Q(10, 10, 5)
	VSUBI32Q(11, 11, 5)
	VMOVNI32(24, 8)
	VMOVNI32(25, 9)
	VMOVNI32(26, 10)
	VMOVNI32(27, 11)
	VMOVNI16(28, 12)
	VMOVNI16(29, 13)
	VST1LANE32(28, 0, 4, 2)
	VST1LANE32(28, 1, 4, 2)
	VST1LANE32(29, 0, 4, 2)
	VST1LANE32(29, 1, 4, 2)

next:
	ADD   $16, R7
	MOVW  n+28(FP), R5
	SUB.S $1, R5
	MOVW  R5, n+28(FP)
	BNE   tile
	RET

// DWLD1 and DWLD2 load a tap's 8 inputs at Rrn into Dd (stride 1: 8
// bytes; stride 2: the even bytes of 16, Dd+1 the odd ones), Rrn then
// advanced by rm (15: not).
#define DWLD1(d, rn, rm) VLD1x1(d, rn, rm)

#define DWLD2(d, rn, rm) VLD2x2B(d, rn, rm)

// DWTAP multiplies the 8 inputs of a tap (loaded by LD into D8, R6 then
// advanced by the dilation, R12) by its weight (at R7, advanced) in D6,
// into Q2, and adds them to the sums Q0-Q1; DWPAIR does two taps, the second's weight in D29 and inputs in
// D30, their products added in int16 (VMLAL.S8: no weight is -128, so
// |x·w| ≤ 128·127 and two fit).
#define DWTAP(LD) \
	VLD1DUP8(6, 7, 13); \
	LD(8, 6, 12); \
	VMULLS8(2, 8, 6); \
	VADDWS16(0, 0, 4); \
	VADDWS16(1, 1, 5)

#define DWPAIR(LD) \
	VLD1DUP8(6, 7, 13); \
	VLD1DUP8(29, 7, 13); \
	LD(8, 6, 12); \
	LD(30, 6, 12); \
	VMULLS8(2, 8, 6); \
	VMLALS8(2, 30, 29); \
	VADDWS16(0, 0, 4); \
	VADDWS16(1, 1, 5)

// DWHEAD starts the rows and a row's 8-output chunks (labels lrow,
// lchunk): the chunk's first output R4 (the last chunk ending at the
// row's end), Q0-Q1 off, R5 its input (stride 1<<XSHIFT).
#define DWHEAD(XSHIFT, lrow, lchunk) \
lrow: \
	MOVW $0, R4; \
lchunk: \
	MOVW 28(R0), R12; \
	SUB  $8, R12; \
	CMP  R12, R4; \
	MOVW.GT R12, R4; \
	VORRQ(0, 8, 8); \
	VORRQ(1, 8, 8); \
	ADD  R4<<XSHIFT, R1, R5

// DWTAIL stores a chunk's sums (Int32, or Byte requantized; Q2 and D6
// temps) and goes on to the next chunk (lchunk), row (lrow) or returns;
// labels lbyte, lnext.
#define DWTAIL(lrow, lchunk, lbyte, lnext) \
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
	VMOVNI32(4, 0); \
	VMOVNI32(5, 1); \
	VMOVNI16(6, 2); \
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

// DWROWS computes the rows with DWTAP, inputs loaded by LD (stride
// 1<<XSHIFT), or, when no weight is -128 (dwArgs.pairs), two taps of a
// tap row at a time with DWPAIR (an odd row's first tap with DWTAP); its
// labels are the other arguments.
#define DWROWS(LD, XSHIFT, lrow, lchunk, lkrow, lktap, lkpair, lkdone, lbyte, lnext) \
	DWHEAD(XSHIFT, lrow, lchunk); \
	MOVW 8(R0), R7; \
	MOVW 48(R0), R8; \
lkrow: \
	MOVW R5, R6; \
	MOVW 52(R0), R9; \
	MOVW 80(R0), R12; \
	CMP  $0, R12; \
	MOVW 44(R0), R12; \
	BEQ  lktap; \
	TST  $1, R9; \
	BEQ  lkpair; \
	DWTAP(LD); \
	SUB.S $1, R9; \
	BEQ  lkdone; \
lkpair: \
	DWPAIR(LD); \
	SUB.S $2, R9; \
	BNE   lkpair; \
	B     lkdone; \
lktap: \
	DWTAP(LD); \
	SUB.S $1, R9; \
	BNE   lktap; \
lkdone: \
	MOVW  12(R0), R12; \
	ADD   R12, R7; \
	MOVW  52(R0), R12; \
	SUB   R12, R7; \
	MOVW  40(R0), R12; \
	ADD   R12, R5; \
	SUB.S $1, R8; \
	BNE   lkrow; \
	DWTAIL(lrow, lchunk, lbyte, lnext)

// DW33TAPS adds two taps of a 3x3 window: inputs loaded by LD at Rrn1
// (then advanced by rm1) and Rrn2 into D6 and D8, times the weights in
// Dw1 and Dw2, the products added in int16 (VMULL.S8, VMLAL.S8) and then
// to the sums Q0-Q1.
#define DW33TAPS(LD, rn1, rm1, w1, rn2, rm2, w2) \
	LD(6, rn1, rm1); \
	VMULLS8(2, 6, w1); \
	LD(8, rn2, rm2); \
	VMLALS8(2, 8, w2); \
	VADDWS16(0, 0, 4); \
	VADDWS16(1, 1, 5)

// DW33ROWS computes the rows of a 3x3 window without weight -128, its
// nine weights in D10-D15 and D28-D30 (row by row), unrolled, two taps at
// a time (DW33TAPS): tap row 0 at R6, row 1 at R9, row 2 at R6 again, R12
// the dilation, R8 the tap rows' distance; its labels are the other
// arguments.
#define DW33ROWS(LD, XSHIFT, lrow, lchunk, lbyte, lnext) \
	DWHEAD(XSHIFT, lrow, lchunk); \
	MOVW 44(R0), R12; \
	MOVW 40(R0), R8; \
	MOVW R5, R6; \
	ADD  R8, R5, R9; \
	DW33TAPS(LD, 6, 12, 10, 6, 12, 11); \
	DW33TAPS(LD, 6, 15, 12, 9, 12, 13); \
	ADD  R8<<1, R5, R6; \
	DW33TAPS(LD, 9, 12, 14, 9, 15, 15); \
	DW33TAPS(LD, 6, 12, 28, 6, 12, 29); \
	LD(6, 6, 15); \
	VMULLS8(2, 6, 30); \
	VADDWS16(0, 0, 4); \
	VADDWS16(1, 1, 5); \
	DWTAIL(lrow, lchunk, lbyte, lnext)

// func dwNEON(a *dwArgs)
//
// Rows of one channel's depthwise plane from a padded int8 copy of its
// input (every tap inside), 8 outputs at a time, a row's last 8 ending at
// its end (recomputing a few): per tap, its weight broadcast (VLD1.8
// all lanes), one load of 8 input bytes (stride 1) or VLD2.8 of 16 (stride
// 2, the even bytes), VMULL.S8 (and for a second tap VMLAL.S8, see
// DWROWS) and VADDW.S16 into the int32 sums Q0, Q1, which start from off.
// Then Int32 stores them; Byte requantizes them as tileNEON4x4 does (scale
// Q9, lo Q10, hi Q11, roundBias Q12, its bits minus zp Q13) and stores 8
// bytes. Registers: R0 a, R1 the output row's input
// (tap row 0, column 0), R2 the output row, R3 rows left, R4 the chunk's
// first output, R5 a tap row, R6 a tap, R7 the weights, R8 tap rows left,
// R9 taps left, R12 temp (the dilation in the tap loops); Q8 off. dwArgs
// offsets: see dwArgs.
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
	MOVW 80(R0), R12
	CMP  $0, R12
	BEQ  generic
	MOVW 48(R0), R12
	CMP  $3, R12
	BNE  generic
	MOVW 52(R0), R12
	CMP  $3, R12
	BNE  generic
	MOVW 8(R0), R7
	MOVW 12(R0), R8
	SUB  $3, R8
	VLD1DUP8(10, 7, 13)
	VLD1DUP8(11, 7, 13)
	VLD1DUP8(12, 7, 13)
	ADD  R8, R7
	VLD1DUP8(13, 7, 13)
	VLD1DUP8(14, 7, 13)
	VLD1DUP8(15, 7, 13)
	ADD  R8, R7
	VLD1DUP8(28, 7, 13)
	VLD1DUP8(29, 7, 13)
	VLD1DUP8(30, 7, 13)
	MOVW 36(R0), R12
	CMP  $2, R12
	BEQ  w33s2
	DW33ROWS(DWLD1, 0, row331, chunk331, byte331, next331)

w33s2:
	DW33ROWS(DWLD2, 1, row332, chunk332, byte332, next332)

generic:
	MOVW 36(R0), R12
	CMP  $2, R12
	BEQ  s2
	DWROWS(DWLD1, 0, row1, chunk1, krow1, ktap1, kpair1, kdone1, byte1, next1)

s2:
	DWROWS(DWLD2, 1, row2, chunk2, krow2, ktap2, kpair2, kdone2, byte2, next2)

done:
	RET

// func dwCopyNEON(dst *byte, ldd int, src *byte, lds, n, rows int, flip byte)
//
// rows rows of n bytes XOR flip (in every byte of Q15), 16 at a time (a
// row's last 16 overlapping the ones before when n is not a multiple);
// rows of 8 to 15 bytes as two overlapping D registers, shorter ones byte
// by byte. Registers: R0 dst, R1 ldd, R2 src, R3 lds, R4 n, R5 rows left,
// R6 flip, R7 and R8 the row's dst and src, R9 its bytes left, R12 temp.
TEXT ·dwCopyNEON(SB), NOSPLIT, $0-25
	MOVW  dst+0(FP), R0
	MOVW  ldd+4(FP), R1
	MOVW  src+8(FP), R2
	MOVW  lds+12(FP), R3
	MOVW  n+16(FP), R4
	MOVW  rows+20(FP), R5
	MOVW  $flip+24(FP), R6
	VLD1DUP8(30, 6, 15)
	VLD1DUP8(31, 6, 15)
	MOVBU flip+24(FP), R6
	CMP   $0, R5
	BEQ   cdone
	CMP   $0, R4
	BEQ   cdone

crow:
	MOVW R0, R7
	MOVW R2, R8
	MOVW R4, R9
	CMP  $16, R4
	BLT  cshort

cvec:
	VLD1x2(0, 8, 13)
	VEORQ(0, 0, 15)
	VST1x2(0, 7, 13)
	SUB  $16, R9
	CMP  $16, R9
	BGE  cvec
	CMP  $0, R9
	BEQ  cnext
	SUB  $16, R9, R12
	ADD  R12, R8
	ADD  R12, R7
	VLD1x2(0, 8, 15)
	VEORQ(0, 0, 15)
	VST1x2(0, 7, 15)
	B    cnext

cshort:
	CMP  $8, R9
	BLT  cbytes
	SUB  $8, R9, R12
	VLD1x1(0, 8, 15)
	ADD  R12, R8
	VLD1x1(1, 8, 15)
	VEORQ(0, 0, 15)
	VST1x1(0, 7, 15)
	ADD  R12, R7
	VST1x1(1, 7, 15)
	B    cnext

cbytes:
	MOVBU.P 1(R8), R12
	EOR     R6, R12
	MOVB.P  R12, 1(R7)
	SUB.S   $1, R9
	BNE     cbytes

cnext:
	ADD   R1, R0
	ADD   R3, R2
	SUB.S $1, R5
	BNE   crow

cdone:
	RET
