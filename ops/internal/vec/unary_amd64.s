//go:build !noasm

#include "textflag.h"

// The activation loops: d = f(x) over whole vectors. SI and DI point at x
// and d; AX is the byte offset, BX the bytes in blocks of four vectors,
// CX the bytes in whole vectors. x is loaded into Y0-Y3 (Z0-Z3), f(x) made
// in Y4-Y7 (Z4-Z7) with scratch Y8-Y11; the parameters a and b are in
// Y12 and Y13, 0 in Y14 and 1 in Y15.
//
// VMAXPS and VMINPS give their second source, here x or the value being
// clamped, when either is NaN or both are zeros: 0 > x ? 0 : x keeps NaN
// and -0 as the Go loops' x < 0 test, and so for the clamps.
#define U_RELU(x, d, t) VMAXPS x, Y14, d
#define U_CLIP(x, d, t) VMAXPS x, Y12, d; VMINPS d, Y13, d
#define U_LEAKY(x, d, t) VMULPS Y12, x, t; VCMPPS $0x11, Y14, x, d; VBLENDVPS d, t, x, d
#define U_HSIG(x, d, t) VMULPS Y12, x, d; VADDPS Y13, d, d; VMAXPS d, Y14, d; VMINPS d, Y15, d
#define U_HSWISH(x, d, t) U_HSIG(x, d, t); VMULPS x, d, d

// Their AVX-512 forms, LeakyRelu multiplying under the mask of x < 0 (K2).
#define U_RELU512(x, d, t) VMAXPS x, Z14, d
#define U_CLIP512(x, d, t) VMAXPS x, Z12, d; VMINPS d, Z13, d
#define U_LEAKY512(x, d, t) VCMPPS $0x11, Z14, x, K2; VMOVAPS x, d; VMULPS Z12, x, K2, d
#define U_HSIG512(x, d, t) VMULPS Z12, x, d; VADDPS Z13, d, d; VMAXPS d, Z14, d; VMINPS d, Z15, d
#define U_HSWISH512(x, d, t) U_HSIG512(x, d, t); VMULPS x, d, d

// ULOOP_AVX2 runs OP over blocks of four vectors, then over single ones,
// then jumps to done.
#define ULOOP_AVX2(OP, four, one) \
four: \
	CMPQ    AX, BX \
	JAE     one \
	VMOVUPS (SI)(AX*1), Y0 \
	VMOVUPS 32(SI)(AX*1), Y1 \
	VMOVUPS 64(SI)(AX*1), Y2 \
	VMOVUPS 96(SI)(AX*1), Y3 \
	OP(Y0, Y4, Y8) \
	OP(Y1, Y5, Y9) \
	OP(Y2, Y6, Y10) \
	OP(Y3, Y7, Y11) \
	VMOVUPS Y4, (DI)(AX*1) \
	VMOVUPS Y5, 32(DI)(AX*1) \
	VMOVUPS Y6, 64(DI)(AX*1) \
	VMOVUPS Y7, 96(DI)(AX*1) \
	ADDQ    $128, AX \
	JMP     four \
one: \
	CMPQ    AX, CX \
	JAE     done \
	VMOVUPS (SI)(AX*1), Y0 \
	OP(Y0, Y4, Y8) \
	VMOVUPS Y4, (DI)(AX*1) \
	ADDQ    $32, AX \
	JMP     one

// func unaryAVX2(k unary, d, x []float32, a, b float32)
TEXT ·unaryAVX2(SB), NOSPLIT, $0-64
	MOVQ         k+0(FP), R8
	MOVQ         d_base+8(FP), DI
	MOVQ         d_len+16(FP), CX
	MOVQ         x_base+32(FP), SI
	VBROADCASTSS a+56(FP), Y12
	VBROADCASTSS b+60(FP), Y13
	VXORPS       Y14, Y14, Y14
	MOVL         $0x3f800000, R10
	MOVL         R10, X15
	VPBROADCASTD X15, Y15
	SHLQ         $2, CX
	ANDQ         $-32, CX
	MOVQ         CX, BX
	ANDQ         $-128, BX
	XORQ         AX, AX
	CMPQ         R8, $1
	JB           relu4
	JE           clip4
	CMPQ         R8, $3
	JB           leaky4
	JE           hsig4
	JMP          hswish4
	ULOOP_AVX2(U_RELU, relu4, relu1)
	ULOOP_AVX2(U_CLIP, clip4, clip1)
	ULOOP_AVX2(U_LEAKY, leaky4, leaky1)
	ULOOP_AVX2(U_HSIG, hsig4, hsig1)
	ULOOP_AVX2(U_HSWISH, hswish4, hswish1)

done:
	VZEROUPPER
	RET

// ULOOP_AVX512 runs OP over blocks of four vectors, then single ones,
// then the tail (R9 values) under the mask K1, then jumps to done.
#define ULOOP_AVX512(OP, four, one, tail) \
four: \
	CMPQ    AX, BX \
	JAE     one \
	VMOVUPS (SI)(AX*1), Z0 \
	VMOVUPS 64(SI)(AX*1), Z1 \
	VMOVUPS 128(SI)(AX*1), Z2 \
	VMOVUPS 192(SI)(AX*1), Z3 \
	OP(Z0, Z4, Z8) \
	OP(Z1, Z5, Z9) \
	OP(Z2, Z6, Z10) \
	OP(Z3, Z7, Z11) \
	VMOVUPS Z4, (DI)(AX*1) \
	VMOVUPS Z5, 64(DI)(AX*1) \
	VMOVUPS Z6, 128(DI)(AX*1) \
	VMOVUPS Z7, 192(DI)(AX*1) \
	ADDQ    $256, AX \
	JMP     four \
one: \
	CMPQ    AX, CX \
	JAE     tail \
	VMOVUPS (SI)(AX*1), Z0 \
	OP(Z0, Z4, Z8) \
	VMOVUPS Z4, (DI)(AX*1) \
	ADDQ    $64, AX \
	JMP     one \
tail: \
	TESTQ   R9, R9 \
	JZ      done \
	VMOVUPS.Z (SI)(AX*1), K1, Z0 \
	OP(Z0, Z4, Z8) \
	VMOVUPS Z4, K1, (DI)(AX*1) \
	JMP     done

// func unaryAVX512(k unary, d, x []float32, a, b float32)
TEXT ·unaryAVX512(SB), NOSPLIT, $0-64
	MOVQ         k+0(FP), R8
	MOVQ         d_base+8(FP), DI
	MOVQ         d_len+16(FP), CX
	MOVQ         x_base+32(FP), SI
	VBROADCASTSS a+56(FP), Z12
	VBROADCASTSS b+60(FP), Z13
	VXORPS       Z14, Z14, Z14
	MOVL         $0x3f800000, R10
	VPBROADCASTD R10, Z15
	MOVQ         CX, R9
	ANDQ         $15, R9
	MOVL         $1, R10
	SHLXL        R9, R10, R10
	DECL         R10
	KMOVW        R10, K1
	SHLQ         $2, CX
	ANDQ         $-64, CX
	MOVQ         CX, BX
	ANDQ         $-256, BX
	XORQ         AX, AX
	CMPQ         R8, $1
	JB           relu4
	JE           clip4
	CMPQ         R8, $3
	JB           leaky4
	JE           hsig4
	JMP          hswish4
	ULOOP_AVX512(U_RELU512, relu4, relu1, relut)
	ULOOP_AVX512(U_CLIP512, clip4, clip1, clipt)
	ULOOP_AVX512(U_LEAKY512, leaky4, leaky1, leakyt)
	ULOOP_AVX512(U_HSIG512, hsig4, hsig1, hsigt)
	ULOOP_AVX512(U_HSWISH512, hswish4, hswish1, hswisht)

done:
	VZEROUPPER
	RET
