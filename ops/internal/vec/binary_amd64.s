//go:build !noasm

#include "textflag.h"

// The binary loops: d = a op b over whole vectors, the operands being
// runs of a and b, or one of them a broadcast scalar. SI, DX and DI point
// at a, b and d; AX is the byte offset, BX the bytes in blocks of four
// vectors, CX the bytes in whole vectors. A loop's operands are in
// Y0-Y3 (a) and Y4-Y7 (b), its results in Y8-Y11, scratch in Y12-Y15
// (Z0-Z15 alike in AVX-512, whose loops then do the tail of R9 values
// under the mask K1). A scalar operand is broadcast into its four
// registers once and not loaded.

// The functions on registers: d = a op b, with t a scratch register.
// VMAXPS and VMINPS give their second source, b, when either is NaN, so
// where a is NaN a compare puts a back: a > b or a NaN ? a : b, as the Go
// loops. On equal operands they give b too, as the Go loops do.
#define OP_ADD(a, b, d, t) VADDPS b, a, d
#define OP_SUB(a, b, d, t) VSUBPS b, a, d
#define OP_MUL(a, b, d, t) VMULPS b, a, d
#define OP_DIV(a, b, d, t) VDIVPS b, a, d
#define OP_MAX(a, b, d, t) VMAXPS b, a, d; VCMPPS $3, a, a, t; VBLENDVPS t, a, d, d
#define OP_MIN(a, b, d, t) VMINPS b, a, d; VCMPPS $3, a, a, t; VBLENDVPS t, a, d, d

// Their AVX-512 forms put a back with a masked move (K2 scratch).
#define OP_MAX512(a, b, d, t) VMAXPS b, a, d; VCMPPS $3, a, a, K2; VMOVAPS a, K2, d
#define OP_MIN512(a, b, d, t) VMINPS b, a, d; VCMPPS $3, a, a, K2; VMOVAPS a, K2, d

// Operand loads at byte offset off from AX, and none for a scalar.
#define LOADA(off, r) VMOVUPS off(SI)(AX*1), r
#define LOADB(off, r) VMOVUPS off(DX)(AX*1), r
#define NOLOAD(off, r)

// LOOP_AVX2 runs OP over blocks of four vectors, then over single ones,
// then jumps to done.
#define LOOP_AVX2(OP, LA, LB, four, one) \
four: \
	CMPQ    AX, BX \
	JAE     one \
	LA(0, Y0) \
	LA(32, Y1) \
	LA(64, Y2) \
	LA(96, Y3) \
	LB(0, Y4) \
	LB(32, Y5) \
	LB(64, Y6) \
	LB(96, Y7) \
	OP(Y0, Y4, Y8, Y12) \
	OP(Y1, Y5, Y9, Y13) \
	OP(Y2, Y6, Y10, Y14) \
	OP(Y3, Y7, Y11, Y15) \
	VMOVUPS Y8, (DI)(AX*1) \
	VMOVUPS Y9, 32(DI)(AX*1) \
	VMOVUPS Y10, 64(DI)(AX*1) \
	VMOVUPS Y11, 96(DI)(AX*1) \
	ADDQ    $128, AX \
	JMP     four \
one: \
	CMPQ    AX, CX \
	JAE     done \
	LA(0, Y0) \
	LB(0, Y4) \
	OP(Y0, Y4, Y8, Y12) \
	VMOVUPS Y8, (DI)(AX*1) \
	ADDQ    $32, AX \
	JMP     one

// BINARY_AVX2 makes the loop of every function and jumps to the one of
// the function in R8 (an Op).
#define BINARY_AVX2(LA, LB) \
	CMPQ R8, $1 \
	JB   add4 \
	JE   sub4 \
	CMPQ R8, $3 \
	JB   mul4 \
	JE   div4 \
	CMPQ R8, $5 \
	JB   max4 \
	JMP  min4 \
	LOOP_AVX2(OP_ADD, LA, LB, add4, add1) \
	LOOP_AVX2(OP_SUB, LA, LB, sub4, sub1) \
	LOOP_AVX2(OP_MUL, LA, LB, mul4, mul1) \
	LOOP_AVX2(OP_DIV, LA, LB, div4, div1) \
	LOOP_AVX2(OP_MAX, LA, LB, max4, max1) \
	LOOP_AVX2(OP_MIN, LA, LB, min4, min1) \
done: \
	VZEROUPPER \
	RET

// SIZES_AVX2 sets BX and CX from the length in CX, and AX to 0.
#define SIZES_AVX2 \
	SHLQ $2, CX \
	ANDQ $-32, CX \
	MOVQ CX, BX \
	ANDQ $-128, BX \
	XORQ AX, AX

// func binaryAVX2(op Op, d, a, b []float32)
TEXT ·binaryAVX2(SB), NOSPLIT, $0-80
	MOVQ op+0(FP), R8
	MOVQ d_base+8(FP), DI
	MOVQ d_len+16(FP), CX
	MOVQ a_base+32(FP), SI
	MOVQ b_base+56(FP), DX
	SIZES_AVX2
	BINARY_AVX2(LOADA, LOADB)

// func binaryScalarAVX2(op Op, d, a []float32, s float32)
TEXT ·binaryScalarAVX2(SB), NOSPLIT, $0-60
	MOVQ         op+0(FP), R8
	MOVQ         d_base+8(FP), DI
	MOVQ         d_len+16(FP), CX
	MOVQ         a_base+32(FP), SI
	VBROADCASTSS s+56(FP), Y4
	VMOVAPS      Y4, Y5
	VMOVAPS      Y4, Y6
	VMOVAPS      Y4, Y7
	SIZES_AVX2
	BINARY_AVX2(LOADA, NOLOAD)

// func scalarBinaryAVX2(op Op, d []float32, s float32, b []float32)
TEXT ·scalarBinaryAVX2(SB), NOSPLIT, $0-64
	MOVQ         op+0(FP), R8
	MOVQ         d_base+8(FP), DI
	MOVQ         d_len+16(FP), CX
	VBROADCASTSS s+32(FP), Y0
	MOVQ         b_base+40(FP), DX
	VMOVAPS      Y0, Y1
	VMOVAPS      Y0, Y2
	VMOVAPS      Y0, Y3
	SIZES_AVX2
	BINARY_AVX2(NOLOAD, LOADB)

// Masked loads of the tail (K1), and none for a scalar.
#define LOADAK(r) VMOVUPS.Z (SI)(AX*1), K1, r
#define LOADBK(r) VMOVUPS.Z (DX)(AX*1), K1, r
#define NOLOADK(r)

// LOOP_AVX512 runs OP over blocks of four vectors, then single ones, then
// the tail (R9 values) under the mask K1, then jumps to done.
#define LOOP_AVX512(OP, LA, LB, LAK, LBK, four, one, tail) \
four: \
	CMPQ    AX, BX \
	JAE     one \
	LA(0, Z0) \
	LA(64, Z1) \
	LA(128, Z2) \
	LA(192, Z3) \
	LB(0, Z4) \
	LB(64, Z5) \
	LB(128, Z6) \
	LB(192, Z7) \
	OP(Z0, Z4, Z8, Z12) \
	OP(Z1, Z5, Z9, Z13) \
	OP(Z2, Z6, Z10, Z14) \
	OP(Z3, Z7, Z11, Z15) \
	VMOVUPS Z8, (DI)(AX*1) \
	VMOVUPS Z9, 64(DI)(AX*1) \
	VMOVUPS Z10, 128(DI)(AX*1) \
	VMOVUPS Z11, 192(DI)(AX*1) \
	ADDQ    $256, AX \
	JMP     four \
one: \
	CMPQ    AX, CX \
	JAE     tail \
	LA(0, Z0) \
	LB(0, Z4) \
	OP(Z0, Z4, Z8, Z12) \
	VMOVUPS Z8, (DI)(AX*1) \
	ADDQ    $64, AX \
	JMP     one \
tail: \
	TESTQ   R9, R9 \
	JZ      done \
	LAK(Z0) \
	LBK(Z4) \
	OP(Z0, Z4, Z8, Z12) \
	VMOVUPS Z8, K1, (DI)(AX*1) \
	JMP     done

// BINARY_AVX512 makes the loop of every function and jumps to the one of
// the function in R8 (an Op).
#define BINARY_AVX512(LA, LB, LAK, LBK) \
	CMPQ R8, $1 \
	JB   add4 \
	JE   sub4 \
	CMPQ R8, $3 \
	JB   mul4 \
	JE   div4 \
	CMPQ R8, $5 \
	JB   max4 \
	JMP  min4 \
	LOOP_AVX512(OP_ADD, LA, LB, LAK, LBK, add4, add1, addt) \
	LOOP_AVX512(OP_SUB, LA, LB, LAK, LBK, sub4, sub1, subt) \
	LOOP_AVX512(OP_MUL, LA, LB, LAK, LBK, mul4, mul1, mult) \
	LOOP_AVX512(OP_DIV, LA, LB, LAK, LBK, div4, div1, divt) \
	LOOP_AVX512(OP_MAX512, LA, LB, LAK, LBK, max4, max1, maxt) \
	LOOP_AVX512(OP_MIN512, LA, LB, LAK, LBK, min4, min1, mint) \
done: \
	VZEROUPPER \
	RET

// SIZES_AVX512 sets BX and CX from the length in CX, R9 to the values
// after the whole vectors and K1 to as many lanes, and AX to 0.
#define SIZES_AVX512 \
	MOVQ  CX, R9 \
	ANDQ  $15, R9 \
	MOVL  $1, R10 \
	SHLXL R9, R10, R10 \
	DECL  R10 \
	KMOVW R10, K1 \
	SHLQ  $2, CX \
	ANDQ  $-64, CX \
	MOVQ  CX, BX \
	ANDQ  $-256, BX \
	XORQ  AX, AX

// func binaryAVX512(op Op, d, a, b []float32)
TEXT ·binaryAVX512(SB), NOSPLIT, $0-80
	MOVQ op+0(FP), R8
	MOVQ d_base+8(FP), DI
	MOVQ d_len+16(FP), CX
	MOVQ a_base+32(FP), SI
	MOVQ b_base+56(FP), DX
	SIZES_AVX512
	BINARY_AVX512(LOADA, LOADB, LOADAK, LOADBK)

// func binaryScalarAVX512(op Op, d, a []float32, s float32)
TEXT ·binaryScalarAVX512(SB), NOSPLIT, $0-60
	MOVQ         op+0(FP), R8
	MOVQ         d_base+8(FP), DI
	MOVQ         d_len+16(FP), CX
	MOVQ         a_base+32(FP), SI
	VBROADCASTSS s+56(FP), Z4
	VMOVAPS      Z4, Z5
	VMOVAPS      Z4, Z6
	VMOVAPS      Z4, Z7
	SIZES_AVX512
	BINARY_AVX512(LOADA, NOLOAD, LOADAK, NOLOADK)

// func scalarBinaryAVX512(op Op, d []float32, s float32, b []float32)
TEXT ·scalarBinaryAVX512(SB), NOSPLIT, $0-64
	MOVQ         op+0(FP), R8
	MOVQ         d_base+8(FP), DI
	MOVQ         d_len+16(FP), CX
	VBROADCASTSS s+32(FP), Z0
	MOVQ         b_base+40(FP), DX
	VMOVAPS      Z0, Z1
	VMOVAPS      Z0, Z2
	VMOVAPS      Z0, Z3
	SIZES_AVX512
	BINARY_AVX512(NOLOAD, LOADB, NOLOADK, LOADBK)
