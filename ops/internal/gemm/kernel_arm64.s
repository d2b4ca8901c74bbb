//go:build !noasm

#include "textflag.h"
#include "neon.h"

// HALF8 is one k step of four rows of an 8-column tile, rows r/2 to
// r/2+3 in registers V(r) to V(r+7) (row i: V(2i) columns 0-3, V(2i+1)
// columns 4-7), whose A values are in register a and B values (columns
// 0-3 and 4-7) in b0 and b1.
#define HALF8(r, a, b0, b1) \
	FMLAS(r, b0, a, 0); \
	FMLAS(r+1, b1, a, 0); \
	FMLAS(r+2, b0, a, 1); \
	FMLAS(r+3, b1, a, 1); \
	FMLAS(r+4, b0, a, 2); \
	FMLAS(r+5, b1, a, 2); \
	FMLAS(r+6, b0, a, 3); \
	FMLAS(r+7, b1, a, 3)

// STEP8 is one k step of the 8x8 kernel whose A values (rows 0-3 and 4-7)
// are in registers a0 and a1 and B values (columns 0-3 and 4-7) in b0 and
// b1. Row r of the tile is V(2r) (columns 0-3) and V(2r+1) (columns 4-7).
#define STEP8(a0, a1, b0, b1) \
	HALF8(0, a0, b0, b1); \
	HALF8(8, a1, b0, b1)

// ROWS4 applies op to the register pairs of the tile's rows 0-3
// (V0-V7).
#define ROWS4(op) op(V0, V1); op(V2, V3); op(V4, V5); op(V6, V7)

// ZEROROW clears row registers v0, v1.
#define ZEROROW(v0, v1) \
	VEOR v0.B16, v0.B16, v0.B16; \
	VEOR v1.B16, v1.B16, v1.B16

// LOADROW and STOREROW move row registers v0, v1 from or to the C row at
// R5, then advance R5 by ldc (R6 bytes).
#define LOADROW(v0, v1) \
	VLD1 (R5), [v0.S4, v1.S4]; \
	ADD  R6, R5, R5

#define STOREROW(v0, v1) \
	VST1 [v0.S4, v1.S4], (R5); \
	ADD  R6, R5, R5


// BIASROW adds lane of the bias vector b (times the ones in V31, an exact
// add) to row registers r0, r1.
#define BIASROW(r0, r1, b, lane) \
	FMLAS(r0, 31, b, lane); \
	FMLAS(r1, 31, b, lane)

// ADDROW adds the residual row at R9 to row registers r0, r1, then
// advances R9 by its stride (R10 bytes).
#define ADDROW(r0, r1) \
	VLD1 (R9), [V16.S4, V17.S4]; \
	ADD  R10, R9, R9; \
	FADDV(r0, r0, 16); \
	FADDV(r1, r1, 17)

// CLAMPROW clips row registers r0, r1 to [V18, V19], NaN kept.
#define CLAMPROW(r0, r1) \
	FMAXV(r0, r0, 18); \
	FMAXV(r1, r1, 18); \
	FMINV(r0, r0, 19); \
	FMINV(r1, r1, 19)

// SAARGS loads the arguments mulSANEON8x8 and mulSANEON4x8 share: k
// (R3), a (R19), lda (R12, in bytes), b (R20), c (R2), ldc (R6, in
// bytes) and add (R7).
#define SAARGS \
	MOVD  k+0(FP), R3; \
	MOVD  a_base+8(FP), R19; \
	MOVD  lda+32(FP), R12; \
	LSL   $2, R12, R12; \
	MOVD  b_base+40(FP), R20; \
	MOVD  c_base+64(FP), R2; \
	MOVD  ldc+88(FP), R6; \
	LSL   $2, R6, R6; \
	MOVBU add+96(FP), R7

// KLOOP runs the k loop of R3 steps of A at R0 and B at R1 into the
// tile's registers: four steps an iteration with step4, then the last k
// mod 4 one at a time with step1; it goes on at label store.
#define KLOOP(step4, step1) \
	LSR  $2, R3, R4; \
	CBZ  R4, tail; \
loop: \
	step4; \
	SUBS $1, R4, R4; \
	BNE  loop; \
tail: \
	ANDS $3, R3, R4; \
	BEQ  store; \
step: \
	step1; \
	SUBS $1, R4, R4; \
	BNE  step

// STEPS8 is four k steps of the 8x8 tile from A's values in V16-V23 and
// B's in V24-V31.
#define STEPS8 \
	STEP8(16, 17, 24, 25); \
	STEP8(18, 19, 26, 27); \
	STEP8(20, 21, 28, 29); \
	STEP8(22, 23, 30, 31)

// N8_STEP4 and N8_STEP1 are four k steps and one of mulNEON8x8: A and B
// packed.
#define N8_STEP4 \
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]; \
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]; \
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]; \
	VLD1.P 64(R1), [V28.S4, V29.S4, V30.S4, V31.S4]; \
	STEPS8

#define N8_STEP1 \
	VLD1.P 32(R0), [V16.S4, V17.S4]; \
	VLD1.P 32(R1), [V18.S4, V19.S4]; \
	STEP8(16, 17, 18, 19)

// IND8_STEP4 and IND8_STEP1 are four k steps and one of mulIndNEON8x8: B
// through the offsets at R12.
#define IND8_STEP4 \
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]; \
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]; \
	LDPW.P 8(R12), (R13, R15); \
	ADD    R13<<2, R1, R14; \
	VLD1   (R14), [V24.S4, V25.S4]; \
	ADD    R15<<2, R1, R14; \
	VLD1   (R14), [V26.S4, V27.S4]; \
	LDPW.P 8(R12), (R13, R15); \
	ADD    R13<<2, R1, R14; \
	VLD1   (R14), [V28.S4, V29.S4]; \
	ADD    R15<<2, R1, R14; \
	VLD1   (R14), [V30.S4, V31.S4]; \
	STEPS8

#define IND8_STEP1 \
	VLD1.P  32(R0), [V16.S4, V17.S4]; \
	MOVWU.P 4(R12), R13; \
	ADD     R13<<2, R1, R14; \
	VLD1    (R14), [V18.S4, V19.S4]; \
	STEP8(16, 17, 18, 19)

// SA8_STEP4 and SA8_STEP1 are four k steps and one of mulSANEON8x8: A in
// place, its steps R12 bytes apart.
#define SA8_STEP4 \
	VLD1.P (R0)(R12), [V16.S4, V17.S4]; \
	VLD1.P (R0)(R12), [V18.S4, V19.S4]; \
	VLD1.P (R0)(R12), [V20.S4, V21.S4]; \
	VLD1.P (R0)(R12), [V22.S4, V23.S4]; \
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]; \
	VLD1.P 64(R1), [V28.S4, V29.S4, V30.S4, V31.S4]; \
	STEPS8

#define SA8_STEP1 \
	VLD1.P (R0)(R12), [V16.S4, V17.S4]; \
	VLD1.P 32(R1), [V18.S4, V19.S4]; \
	STEP8(16, 17, 18, 19)

// SA4_STEP4 and SA4_STEP1 are four k steps and one of mulSANEON4x8.
#define SA4_STEP4 \
	VLD1.P (R0)(R12), [V16.S4]; \
	VLD1.P (R0)(R12), [V17.S4]; \
	VLD1.P (R0)(R12), [V18.S4]; \
	VLD1.P (R0)(R12), [V19.S4]; \
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]; \
	VLD1.P 64(R1), [V28.S4, V29.S4, V30.S4, V31.S4]; \
	HALF8(0, 16, 24, 25); \
	HALF8(0, 17, 26, 27); \
	HALF8(0, 18, 28, 29); \
	HALF8(0, 19, 30, 31)

#define SA4_STEP1 \
	VLD1.P (R0)(R12), [V16.S4]; \
	VLD1.P 32(R1), [V18.S4, V19.S4]; \
	HALF8(0, 16, 18, 19)

// C4_STEP4 and C4_STEP1 are four k steps and one of mulNEON8x4: B's steps
// 8 floats (R7 bytes) apart.
#define C4_STEP4 \
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]; \
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]; \
	VLD1.P (R1)(R7), [V24.S4]; \
	VLD1.P (R1)(R7), [V25.S4]; \
	VLD1.P (R1)(R7), [V26.S4]; \
	VLD1.P (R1)(R7), [V27.S4]; \
	COL4(16, 17, 24); \
	COL4(18, 19, 25); \
	COL4(20, 21, 26); \
	COL4(22, 23, 27)

#define C4_STEP1 \
	VLD1.P 32(R0), [V16.S4, V17.S4]; \
	VLD1.P (R1)(R7), [V24.S4]; \
	COL4(16, 17, 24)

// func mulNEON8x8(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)
//
// The whole 8x8 tile stays in V0-V15 for the k loop, starting from zero or,
// when add is set, from the tile of C; each accumulator sums its k products
// in order. Four steps an iteration take A's and B's values in four
// four-register loads (V16-V31) for 64 FMLAs, 70 instructions in all where
// two two-register loads per step took 76 (the Cortex-A72 counts under
// qemu: see docs/performance.md); the last k mod 4 steps go one at a
// time. When ep is not nil, the tile then gets its epilogue in registers:
// the row bias (8 values) when ep.bias is not nil, the residual tile (rows
// ep.ldr floats apart) when ep.res is not nil, then the clip to [ep.lo,
// ep.hi], in the order Epilogue.Apply uses. Row r is stored at c + r*ldc.
// The call computes n >= 1 such tiles side by side (a strip): tile t is
// stored at c + 8t with B's panel at b + t*bstride and the residual's
// columns at ep.res + 8t, A and the epilogue's other terms the same.

// STRIP8 sets up a strip of R16 tiles: their B panels R17 (bstride, in
// floats) bytes apart, the residual (R22, from ep at R8) at column R23
// bytes.
#define STRIP8 \
	LSL  $2, R17, R17; \
	MOVD $0, R23; \
	MOVD $0, R22; \
	CBZ  R8, 2(PC); \
	MOVD 24(R8), R22

// INIT8 starts the 8x8 tile in V0-V15: zero, or C (at R2, stride R6
// bytes) when R7 (add) is set; its labels are those of the kernel using it.
#define INIT8 \
	MOVD  R2, R5; \
	CBNZ  R7, load; \
	ROWS4(ZEROROW); \
	ZEROROW(V8, V9); \
	ZEROROW(V10, V11); \
	ZEROROW(V12, V13); \
	ZEROROW(V14, V15); \
	B     start; \
load: \
	ROWS4(LOADROW); \
	LOADROW(V8, V9); \
	LOADROW(V10, V11); \
	LOADROW(V12, V13); \
	LOADROW(V14, V15)

// FINISH8 applies the epilogue R8 points to (none when nil) to the tile in
// V0-V15, the residual at R22 (0: none) plus R23 bytes, and stores it to C
// (at R2, stride R6 bytes); then, while R16 (tiles left) is above 1, goes
// on with the next tile of the strip at label tile: C and the residual 8
// columns on, B's panel R17 bytes on (R20). It returns after the last.
#define FINISH8 \
store: \
	CBZ  R8, plain; \
	MOVD 0(R8), R9; \
	CBZ  R9, residual; \
	FMOVS $1.0, F31; \
	VDUP  V31.S[0], V31.S4; \
	VLD1  (R9), [V20.S4, V21.S4]; \
	BIASROW(0, 1, 20, 0); \
	BIASROW(2, 3, 20, 1); \
	BIASROW(4, 5, 20, 2); \
	BIASROW(6, 7, 20, 3); \
	BIASROW(8, 9, 21, 0); \
	BIASROW(10, 11, 21, 1); \
	BIASROW(12, 13, 21, 2); \
	BIASROW(14, 15, 21, 3); \
residual: \
	CBZ  R22, clamp; \
	ADD  R22, R23, R9; \
	MOVD 48(R8), R10; \
	LSL  $2, R10, R10; \
	ADDROW(0, 1); \
	ADDROW(2, 3); \
	ADDROW(4, 5); \
	ADDROW(6, 7); \
	ADDROW(8, 9); \
	ADDROW(10, 11); \
	ADDROW(12, 13); \
	ADDROW(14, 15); \
clamp: \
	ADD   $56, R8, R11; \
	VLD1R (R11), [V18.S4]; \
	ADD   $60, R8, R11; \
	VLD1R (R11), [V19.S4]; \
	CLAMPROW(0, 1); \
	CLAMPROW(2, 3); \
	CLAMPROW(4, 5); \
	CLAMPROW(6, 7); \
	CLAMPROW(8, 9); \
	CLAMPROW(10, 11); \
	CLAMPROW(12, 13); \
	CLAMPROW(14, 15); \
plain: \
	MOVD R2, R5; \
	ROWS4(STOREROW); \
	STOREROW(V8, V9); \
	STOREROW(V10, V11); \
	STOREROW(V12, V13); \
	STOREROW(V14, V15); \
	SUBS $1, R16, R16; \
	BLE  done; \
	ADD  $32, R2, R2; \
	ADD  $32, R23, R23; \
	ADD  R17, R20, R20; \
	B    tile; \
done: \
	RET

TEXT ·mulNEON8x8(SB), NOSPLIT, $0-120
	MOVD  k+0(FP), R3
	MOVD  a_base+8(FP), R19
	MOVD  b_base+32(FP), R20
	MOVD  c_base+56(FP), R2
	MOVD  ldc+80(FP), R6
	LSL   $2, R6, R6
	MOVBU add+88(FP), R7
	MOVD  ep+96(FP), R8
	MOVD  n+104(FP), R16
	MOVD  bstride+112(FP), R17
	STRIP8

tile:
	MOVD R19, R0
	MOVD R20, R1
	INIT8

start:
	KLOOP(N8_STEP4, N8_STEP1)

	FINISH8

// func mulIndNEON8x8(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)
//
// mulNEON8x8 with B read in place: step p of B is the 8 floats at
// b[offs[p]:] (an implicit im2col).
TEXT ·mulIndNEON8x8(SB), NOSPLIT, $0-144
	MOVD  k+0(FP), R3
	MOVD  a_base+8(FP), R19
	MOVD  b_base+32(FP), R20
	MOVD  offs_base+56(FP), R21
	MOVD  c_base+80(FP), R2
	MOVD  ldc+104(FP), R6
	LSL   $2, R6, R6
	MOVBU add+112(FP), R7
	MOVD  ep+120(FP), R8
	MOVD  n+128(FP), R16
	MOVD  bstride+136(FP), R17
	STRIP8

tile:
	MOVD R19, R0
	MOVD R20, R1
	MOVD R21, R12
	INIT8

start:
	KLOOP(IND8_STEP4, IND8_STEP1)

	FINISH8

// func mulSANEON8x8(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)
//
// mulNEON8x8 with A read in place: step p of A is the 8 floats at
// a[p*lda:] (a transposed operand's rows).
TEXT ·mulSANEON8x8(SB), NOSPLIT, $0-128
	SAARGS
	MOVD  ep+104(FP), R8
	MOVD  n+112(FP), R16
	MOVD  bstride+120(FP), R17
	STRIP8

tile:
	MOVD R19, R0
	MOVD R20, R1
	INIT8

start:
	KLOOP(SA8_STEP4, SA8_STEP1)

	FINISH8

// func mulSANEON4x8(k int, a []float32, lda int, b, c []float32, ldc int, add bool, n, bstride int)
//
// The half-height form of mulSANEON8x8, without an epilogue: a strip of n
// 4x8 tiles (rows 0-3 in V0-V7) from A's four rows read in place (step p
// at a[p*lda:], a packed panel's first half when lda is 8) and B's packed
// panels bstride floats apart, for products whose last rows are half a
// kernel tile (a narrow Winograd chunk of 4 tiles, or 12). Four steps an
// iteration take 4 one-register loads of A and 2 four-register loads of
// B for 32 FMLAs (40 instructions).
TEXT ·mulSANEON4x8(SB), NOSPLIT, $0-120
	SAARGS
	MOVD  n+104(FP), R16
	MOVD  bstride+112(FP), R17
	LSL   $2, R17, R17

tile:
	MOVD R19, R0
	MOVD R20, R1
	MOVD R2, R5
	CBNZ R7, load
	ROWS4(ZEROROW)
	B    start

load:
	ROWS4(LOADROW)

start:
	KLOOP(SA4_STEP4, SA4_STEP1)

store:
	MOVD R2, R5
	ROWS4(STOREROW)
	SUBS $1, R16, R16
	BLE  done
	ADD  $32, R2, R2
	ADD  R17, R20, R20
	B    tile

done:
	RET

// STOREROWS4 stores rows v0 and v1 of an 8x4 tile at R5, advancing R5 by
// ldc (R6 bytes) after each.
#define STOREROWS4(v0, v1) \
	VST1 [v0.S4], (R5); \
	ADD  R6, R5, R5; \
	VST1 [v1.S4], (R5); \
	ADD  R6, R5, R5

// COL4 is one k step of the 8x4 tile in V0-V7 (row r in V(r)) whose A
// values (rows 0-3 and 4-7) are in registers a0 and a1 and B values in b.
#define COL4(a0, a1, b) \
	FMLAS(0, b, a0, 0); \
	FMLAS(1, b, a0, 1); \
	FMLAS(2, b, a0, 2); \
	FMLAS(3, b, a0, 3); \
	FMLAS(4, b, a1, 0); \
	FMLAS(5, b, a1, 1); \
	FMLAS(6, b, a1, 2); \
	FMLAS(7, b, a1, 3)

// func mulNEON8x4(k int, a, b, c []float32, ldc int)
//
// The half-width form of mulNEON8x8 (see microKernel.halfCols): the 8x4
// tile of the first 4 columns of B's packed panel (steps 8 floats apart)
// overwrites c (rows ldc floats apart), for a product's last columns when
// they are at most 4 (ResNet's 7x7 planes: 49 columns, the last 1). Four
// steps an iteration take 2 four-register loads of A and 4 one-register
// loads of B for 32 FMLAs.
TEXT ·mulNEON8x4(SB), NOSPLIT, $0-88
	MOVD k+0(FP), R3
	MOVD a_base+8(FP), R0
	MOVD b_base+32(FP), R1
	MOVD c_base+56(FP), R5
	MOVD ldc+80(FP), R6
	LSL  $2, R6, R6
	MOVD $32, R7
	ROWS4(ZEROROW)
	KLOOP(C4_STEP4, C4_STEP1)

store:
	ROWS4(STOREROWS4)
	RET

// func fmaLoopNEON(n int)
//
// fmaLoopNEON runs n iterations of 24 independent 4-lane FMLAs (192
// flops), the clock-bound FMA peak the kernel benchmarks compare against.
// Only tests call it.
TEXT ·fmaLoopNEON(SB), NOSPLIT, $0-8
	MOVD n+0(FP), R0
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16

peak:
	VFMLA V30.S4, V31.S4, V0.S4
	VFMLA V30.S4, V31.S4, V1.S4
	VFMLA V30.S4, V31.S4, V2.S4
	VFMLA V30.S4, V31.S4, V3.S4
	VFMLA V30.S4, V31.S4, V4.S4
	VFMLA V30.S4, V31.S4, V5.S4
	VFMLA V30.S4, V31.S4, V6.S4
	VFMLA V30.S4, V31.S4, V7.S4
	VFMLA V30.S4, V31.S4, V8.S4
	VFMLA V30.S4, V31.S4, V9.S4
	VFMLA V30.S4, V31.S4, V10.S4
	VFMLA V30.S4, V31.S4, V11.S4
	VFMLA V30.S4, V31.S4, V12.S4
	VFMLA V30.S4, V31.S4, V13.S4
	VFMLA V30.S4, V31.S4, V14.S4
	VFMLA V30.S4, V31.S4, V15.S4
	VFMLA V30.S4, V31.S4, V16.S4
	VFMLA V30.S4, V31.S4, V17.S4
	VFMLA V30.S4, V31.S4, V18.S4
	VFMLA V30.S4, V31.S4, V19.S4
	VFMLA V30.S4, V31.S4, V20.S4
	VFMLA V30.S4, V31.S4, V21.S4
	VFMLA V30.S4, V31.S4, V22.S4
	VFMLA V30.S4, V31.S4, V23.S4
	SUBS  $1, R0, R0
	BNE   peak
	RET
