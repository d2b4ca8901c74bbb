//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// Registers of mulNEON6x8 and its forms: R0 A, R1 B, R2 C, R3 k, R4 the
// loop count, R5 a C row, R6 ldc in bytes, R7 add, R8 ep, R12 the offsets
// (ind) or lda in bytes (sa), R9 scratch (R10 is g, R11 the linker's). Row r of the tile is Q(4+2r) (columns 0-3) and
// Q(5+2r) (columns 4-7), that is D(8+4r) to D(11+4r); a k step's 6 A values
// are D0-D2 (row r is D(r/2)[r%2]), its 8 B values Q2 and Q3.

// MACS6 multiplies the A values in D0-D2 by the B values in Q2, Q3 into
// the tile.
#define MACS6 \
	VMLAQS(4, 2, 0, 0); \
	VMLAQS(5, 3, 0, 0); \
	VMLAQS(6, 2, 0, 1); \
	VMLAQS(7, 3, 0, 1); \
	VMLAQS(8, 2, 1, 0); \
	VMLAQS(9, 3, 1, 0); \
	VMLAQS(10, 2, 1, 1); \
	VMLAQS(11, 3, 1, 1); \
	VMLAQS(12, 2, 2, 0); \
	VMLAQS(13, 3, 2, 0); \
	VMLAQS(14, 2, 2, 1); \
	VMLAQS(15, 3, 2, 1)

// STEP6 is one k step of packed panels: it loads 6 floats of A and 8 of
// B, advancing R0 and R1, and multiplies them into the tile.
#define STEP6 \
	VLD1x3(0, 0, 13); \
	VLD1x4(4, 1, 13); \
	MACS6

// STEPIND is STEP6 with B read in place: the 8 floats at R1 + 4*offs[p],
// the offset loaded from R12 (advanced by 4).
#define STEPIND \
	VLD1x3(0, 0, 13); \
	MOVW.P 4(R12), R9; \
	ADD    R9<<2, R1, R9; \
	VLD1x4(4, 9, 15); \
	MACS6

// STEPSA is STEP6 with A read in place: the 6 floats at R0, advanced by
// lda (R12 bytes).
#define STEPSA \
	VLD1x3(0, 0, 12); \
	VLD1x4(4, 1, 13); \
	MACS6

// BIASROW adds the bias D(d)[lane] to row registers r0, r1 (through Q2).
#define BIASROW(r0, r1, d, lane) \
	VDUPQS(2, d, lane); \
	VADDQ(r0, r0, 2); \
	VADDQ(r1, r1, 2)

// ADDROW adds the residual row at R9 to row registers r0, r1, advancing R9
// by its stride (R12 bytes).
#define ADDROW(r0, r1) \
	VLD1x4(4, 9, 12); \
	VADDQ(r0, r0, 2); \
	VADDQ(r1, r1, 3)

// CLAMPROW clips row registers r0, r1 to [Q0, Q1] (NaN stays NaN).
#define CLAMPROW(r0, r1) \
	VMAXQ(r0, r0, 0); \
	VMAXQ(r1, r1, 0); \
	VMINQ(r0, r0, 1); \
	VMINQ(r1, r1, 1)

// INIT6 starts the 6x8 tile in Q4-Q15: zero, or C (at R2, stride R6
// bytes) when R7 (add) is set; its labels are those of the kernel using it.
#define INIT6 \
	MOVW  R2, R5; \
	CMP   $0, R7; \
	BNE   load; \
	VEORQ(4, 4, 4); \
	VEORQ(5, 5, 5); \
	VEORQ(6, 6, 6); \
	VEORQ(7, 7, 7); \
	VEORQ(8, 8, 8); \
	VEORQ(9, 9, 9); \
	VEORQ(10, 10, 10); \
	VEORQ(11, 11, 11); \
	VEORQ(12, 12, 12); \
	VEORQ(13, 13, 13); \
	VEORQ(14, 14, 14); \
	VEORQ(15, 15, 15); \
	B     start; \
load: \
	VLD1x4(8, 5, 6); \
	VLD1x4(12, 5, 6); \
	VLD1x4(16, 5, 6); \
	VLD1x4(20, 5, 6); \
	VLD1x4(24, 5, 6); \
	VLD1x4(28, 5, 6)

// LOOP6 runs R3 (k) steps of step, unrolled by 4, then falls to store.
#define LOOP6(step) \
start: \
	MOVW R3>>2, R4; \
	CMP  $0, R4; \
	BEQ  tail; \
loop4: \
	step; \
	step; \
	step; \
	step; \
	SUB.S $1, R4; \
	BNE   loop4; \
tail: \
	AND.S $3, R3, R4; \
	BEQ   store; \
loop1: \
	step; \
	SUB.S $1, R4; \
	BNE   loop1

// FINISH6 applies the epilogue R8 points to (none when nil) to the tile
// in Q4-Q15 and stores it to C (at R2, stride R6 bytes), then returns. On
// arm, tileEpilogue has bias at 0, res at 12, ldr at 24, lo at 28 and hi
// at 32 (TestTileEpilogueLayoutARM).
#define FINISH6 \
store: \
	CMP  $0, R8; \
	BEQ  plain; \
	MOVW 0(R8), R9; \
	CMP  $0, R9; \
	BEQ  residual; \
	VLD1x3(0, 9, 15); \
	BIASROW(4, 5, 0, 0); \
	BIASROW(6, 7, 0, 1); \
	BIASROW(8, 9, 1, 0); \
	BIASROW(10, 11, 1, 1); \
	BIASROW(12, 13, 2, 0); \
	BIASROW(14, 15, 2, 1); \
residual: \
	MOVW 12(R8), R9; \
	CMP  $0, R9; \
	BEQ  clamp; \
	MOVW 24(R8), R12; \
	MOVW R12<<2, R12; \
	ADDROW(4, 5); \
	ADDROW(6, 7); \
	ADDROW(8, 9); \
	ADDROW(10, 11); \
	ADDROW(12, 13); \
	ADDROW(14, 15); \
clamp: \
	ADD  $28, R8, R9; \
	VLD1DUP2(0, 9, 15); \
	ADD  $32, R8, R9; \
	VLD1DUP2(2, 9, 15); \
	CLAMPROW(4, 5); \
	CLAMPROW(6, 7); \
	CLAMPROW(8, 9); \
	CLAMPROW(10, 11); \
	CLAMPROW(12, 13); \
	CLAMPROW(14, 15); \
plain: \
	MOVW R2, R5; \
	VST1x4(8, 5, 6); \
	VST1x4(12, 5, 6); \
	VST1x4(16, 5, 6); \
	VST1x4(20, 5, 6); \
	VST1x4(24, 5, 6); \
	VST1x4(28, 5, 6); \
	RET

// func mulNEON6x8(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue)
//
// The whole 6x8 tile stays in Q4-Q15 for the k loop, starting from zero or,
// when add is set, from the tile of C; each accumulator sums its k products
// in order, the loop unrolled by 4. When ep is not nil, the tile then gets
// its epilogue in registers: the row bias (6 values) when ep.bias is not
// nil, the residual tile (rows ep.ldr floats apart) when ep.res is not
// nil, then the clip to [ep.lo, ep.hi], in the order Epilogue.Apply uses.
// Row r is stored at c + r*ldc.
TEXT ·mulNEON6x8(SB), NOSPLIT, $0-52
	MOVW  k+0(FP), R3
	MOVW  a_base+4(FP), R0
	MOVW  b_base+16(FP), R1
	MOVW  c_base+28(FP), R2
	MOVW  ldc+40(FP), R6
	MOVW  R6<<2, R6
	MOVBU add+44(FP), R7
	MOVW  ep+48(FP), R8
	INIT6
	LOOP6(STEP6)
	FINISH6

// func mulIndNEON6x8(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue)
//
// mulNEON6x8 with B read in place: step p of B is the 8 floats at
// b[offs[p]:] (an implicit im2col).
TEXT ·mulIndNEON6x8(SB), NOSPLIT, $0-64
	MOVW  k+0(FP), R3
	MOVW  a_base+4(FP), R0
	MOVW  b_base+16(FP), R1
	MOVW  offs_base+28(FP), R12
	MOVW  c_base+40(FP), R2
	MOVW  ldc+52(FP), R6
	MOVW  R6<<2, R6
	MOVBU add+56(FP), R7
	MOVW  ep+60(FP), R8
	INIT6
	LOOP6(STEPIND)
	FINISH6

// func mulSANEON6x8(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue)
//
// mulNEON6x8 with A read in place: step p of A is the 6 floats at
// a[p*lda:] (a transposed operand's rows).
TEXT ·mulSANEON6x8(SB), NOSPLIT, $0-56
	MOVW  k+0(FP), R3
	MOVW  a_base+4(FP), R0
	MOVW  lda+16(FP), R12
	MOVW  R12<<2, R12
	MOVW  b_base+20(FP), R1
	MOVW  c_base+32(FP), R2
	MOVW  ldc+44(FP), R6
	MOVW  R6<<2, R6
	MOVBU add+48(FP), R7
	MOVW  ep+52(FP), R8
	INIT6
	LOOP6(STEPSA)
	FINISH6

// func gemvNEON8(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)
//
// Each panel of 8 columns in turn: the sums of steps p of each residue mod
// 4 (s0 in Q8, Q9; s1 Q10, Q11; s2 Q12, Q13; s3 Q14, Q15; a last k%4 steps
// go to s0), added as (s0 + s1) + (s2 + s3), then the bias and the clip to
// [lo (Q1), hi (Q6)]. Registers: R0 k, R1 panels left, R2 x, R3 the
// panel, R4 ldb and R5 pstride in bytes, R6 y, R7 bias (0 when nil), R8
// the step of B, R9 that of x, R12 the loop count; a step's rows of B are
// loaded into Q2-Q5, x's values into D0-D1.
TEXT ·gemvNEON8(SB), NOSPLIT, $0-40
	MOVW k+0(FP), R0
	MOVW panels+4(FP), R1
	MOVW x+8(FP), R2
	MOVW b+12(FP), R3
	MOVW ldb+16(FP), R4
	MOVW R4<<2, R4
	MOVW pstride+20(FP), R5
	MOVW R5<<2, R5
	MOVW y+24(FP), R6
	MOVW bias+28(FP), R7
	MOVW $lo+32(FP), R9
	VLD1DUP2(2, 9, 15)
	MOVW $hi+36(FP), R9
	VLD1DUP2(12, 9, 15)

panel:
	VEORQ(8, 8, 8)
	VEORQ(9, 9, 9)
	VEORQ(10, 10, 10)
	VEORQ(11, 11, 11)
	VEORQ(12, 12, 12)
	VEORQ(13, 13, 13)
	VEORQ(14, 14, 14)
	VEORQ(15, 15, 15)
	MOVW R3, R8
	MOVW R2, R9
	MOVW R0>>2, R12
	CMP  $0, R12
	BEQ  tail

loop4:
	VLD1x2(0, 9, 13)
	VLD1x4(4, 8, 4)
	VLD1x4(8, 8, 4)
	VMLAQS(8, 2, 0, 0)
	VMLAQS(9, 3, 0, 0)
	VMLAQS(10, 4, 0, 1)
	VMLAQS(11, 5, 0, 1)
	VLD1x4(4, 8, 4)
	VLD1x4(8, 8, 4)
	VMLAQS(12, 2, 1, 0)
	VMLAQS(13, 3, 1, 0)
	VMLAQS(14, 4, 1, 1)
	VMLAQS(15, 5, 1, 1)
	SUB.S $1, R12
	BNE   loop4

tail:
	AND.S $3, R0, R12
	BEQ   sum

loop1:
	VLD1DUP1(0, 9, 13)
	VLD1x4(4, 8, 4)
	VMLAQS(8, 2, 0, 0)
	VMLAQS(9, 3, 0, 0)
	SUB.S $1, R12
	BNE   loop1

sum:
	VADDQ(8, 8, 10)
	VADDQ(9, 9, 11)
	VADDQ(12, 12, 14)
	VADDQ(13, 13, 15)
	VADDQ(8, 8, 12)
	VADDQ(9, 9, 13)
	CMP  $0, R7
	BEQ  clip
	VLD1x4(4, 7, 13)
	VADDQ(8, 8, 2)
	VADDQ(9, 9, 3)

clip:
	VMAXQ(8, 8, 1)
	VMAXQ(9, 9, 1)
	VMINQ(8, 8, 6)
	VMINQ(9, 9, 6)
	VST1x4(16, 6, 13)
	ADD   R5, R3, R3
	SUB.S $1, R1
	BNE   panel
	RET
