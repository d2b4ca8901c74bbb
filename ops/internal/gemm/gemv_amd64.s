//go:build !noasm

#include "textflag.h"

// The GEMV kernels (see gemvFunc): for each panel, steps p = 0, 1, 2, 3
// mod 4 accumulate into their own registers (four of one step's nr
// columns' vectors each: 8 accumulators, as many as two FMA pipes of
// latency 4 need), x[p] broadcast from memory and B's values taken as the
// FMAs' memory operands; the last k mod 4 steps go to the first set. The
// sums are added as (s0 + s1) + (s2 + s3), the bias added and the result
// clipped to [lo, hi] (VMAXPS and VMINPS with the sum as first operand
// keep a NaN), then stored.
//
// Registers: CX k, R8 panels left, SI x, DI the panel, DX ldb and R12
// 3*ldb (bytes), R9 pstride (bytes), R10 y, R11 bias (or 0), AX the step,
// BX x's step, R13 the step count.

// GEMVARGS loads the arguments into the registers above, lo and hi
// broadcast into vlo and vhi.
#define GEMVARGS(vlo, vhi) \
	MOVQ         k+0(FP), CX;       \
	MOVQ         panels+8(FP), R8;  \
	MOVQ         x+16(FP), SI;      \
	MOVQ         b+24(FP), DI;      \
	MOVQ         ldb+32(FP), DX;    \
	MOVQ         pstride+40(FP), R9; \
	MOVQ         y+48(FP), R10;     \
	MOVQ         bias+56(FP), R11;  \
	VBROADCASTSS lo+64(FP), vlo;    \
	VBROADCASTSS hi+68(FP), vhi;    \
	SHLQ         $2, DX;            \
	SHLQ         $2, R9;            \
	LEAQ         (DX)(DX*2), R12

// func gemvAVX512x32(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)
//
// Panels of 32 columns: two ZMM per step.
TEXT ·gemvAVX512x32(SB), NOSPLIT, $0-72
	GEMVARGS(Z30, Z31)
	TESTQ R8, R8
	JZ    done512

panel512:
	MOVQ   DI, AX
	MOVQ   SI, BX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ   CX, R13
	SHRQ   $2, R13
	JZ     tail512

loop512:
	VBROADCASTSS 0(BX), Z8
	VBROADCASTSS 4(BX), Z9
	VBROADCASTSS 8(BX), Z10
	VBROADCASTSS 12(BX), Z11
	VFMADD231PS  0(AX), Z8, Z0
	VFMADD231PS  64(AX), Z8, Z1
	VFMADD231PS  0(AX)(DX*1), Z9, Z2
	VFMADD231PS  64(AX)(DX*1), Z9, Z3
	VFMADD231PS  0(AX)(DX*2), Z10, Z4
	VFMADD231PS  64(AX)(DX*2), Z10, Z5
	VFMADD231PS  0(AX)(R12*1), Z11, Z6
	VFMADD231PS  64(AX)(R12*1), Z11, Z7
	LEAQ         (AX)(DX*4), AX
	ADDQ         $16, BX
	DECQ         R13
	JNZ          loop512

tail512:
	MOVQ CX, R13
	ANDQ $3, R13
	JZ   sum512

step512:
	VBROADCASTSS (BX), Z8
	VFMADD231PS  0(AX), Z8, Z0
	VFMADD231PS  64(AX), Z8, Z1
	ADDQ         DX, AX
	ADDQ         $4, BX
	DECQ         R13
	JNZ          step512

sum512:
	VADDPS Z2, Z0, Z0
	VADDPS Z3, Z1, Z1
	VADDPS Z6, Z4, Z4
	VADDPS Z7, Z5, Z5
	VADDPS Z4, Z0, Z0
	VADDPS Z5, Z1, Z1
	TESTQ  R11, R11
	JZ     clamp512
	VADDPS 0(R11), Z0, Z0
	VADDPS 64(R11), Z1, Z1
	ADDQ   $128, R11

clamp512:
	VMAXPS  Z0, Z30, Z0
	VMAXPS  Z1, Z30, Z1
	VMINPS  Z0, Z31, Z0
	VMINPS  Z1, Z31, Z1
	VMOVUPS Z0, 0(R10)
	VMOVUPS Z1, 64(R10)
	ADDQ    $128, R10
	ADDQ    R9, DI
	DECQ    R8
	JNZ     panel512

done512:
	VZEROUPPER
	RET

// func gemvAVX2x16(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)
//
// Panels of 16 columns: two YMM per step.
TEXT ·gemvAVX2x16(SB), NOSPLIT, $0-72
	GEMVARGS(Y14, Y15)
	TESTQ R8, R8
	JZ    done2

panel2:
	MOVQ   DI, AX
	MOVQ   SI, BX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ   CX, R13
	SHRQ   $2, R13
	JZ     tail2

loop2:
	VBROADCASTSS 0(BX), Y8
	VBROADCASTSS 4(BX), Y9
	VBROADCASTSS 8(BX), Y10
	VBROADCASTSS 12(BX), Y11
	VFMADD231PS  0(AX), Y8, Y0
	VFMADD231PS  32(AX), Y8, Y1
	VFMADD231PS  0(AX)(DX*1), Y9, Y2
	VFMADD231PS  32(AX)(DX*1), Y9, Y3
	VFMADD231PS  0(AX)(DX*2), Y10, Y4
	VFMADD231PS  32(AX)(DX*2), Y10, Y5
	VFMADD231PS  0(AX)(R12*1), Y11, Y6
	VFMADD231PS  32(AX)(R12*1), Y11, Y7
	LEAQ         (AX)(DX*4), AX
	ADDQ         $16, BX
	DECQ         R13
	JNZ          loop2

tail2:
	MOVQ CX, R13
	ANDQ $3, R13
	JZ   sum2

step2:
	VBROADCASTSS (BX), Y8
	VFMADD231PS  0(AX), Y8, Y0
	VFMADD231PS  32(AX), Y8, Y1
	ADDQ         DX, AX
	ADDQ         $4, BX
	DECQ         R13
	JNZ          step2

sum2:
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VADDPS Y6, Y4, Y4
	VADDPS Y7, Y5, Y5
	VADDPS Y4, Y0, Y0
	VADDPS Y5, Y1, Y1
	TESTQ  R11, R11
	JZ     clamp2
	VADDPS 0(R11), Y0, Y0
	VADDPS 32(R11), Y1, Y1
	ADDQ   $64, R11

clamp2:
	VMAXPS  Y0, Y14, Y0
	VMAXPS  Y1, Y14, Y1
	VMINPS  Y0, Y15, Y0
	VMINPS  Y1, Y15, Y1
	VMOVUPS Y0, 0(R10)
	VMOVUPS Y1, 32(R10)
	ADDQ    $64, R10
	ADDQ    R9, DI
	DECQ    R8
	JNZ     panel2

done2:
	VZEROUPPER
	RET
