//go:build !noasm

#include "textflag.h"

// The rows kernels (see rows.go): four rows of B at a time, each step's
// vector of x (VMOVUPS) multiplied by each row's vector at the same place
// (FMA memory operands) into one accumulator per row, the accumulators
// reduced to their sums at the end (VHADDPS); then the rows left one at a
// time. k is a multiple of the vector width; the caller adds the rest.
//
// Registers: CX k, R8 rows left, SI x, DI the row, DX ldb and R12 3*ldb
// (bytes), R10 y, R9 the step count, AX and BX the step's B and x, R13
// steps left.

// ROWSARGS loads the arguments into the registers above; shift is log2 of
// the floats of a step.
#define ROWSARGS(shift) \
	MOVQ k+0(FP), CX;     \
	MOVQ n+8(FP), R8;     \
	MOVQ x+16(FP), SI;    \
	MOVQ b+24(FP), DI;    \
	MOVQ ldb+32(FP), DX;  \
	MOVQ y+40(FP), R10;   \
	SHLQ $2, DX;          \
	LEAQ (DX)(DX*2), R12; \
	MOVQ CX, R9;          \
	SHRQ $shift, R9

// SUM4 adds the four lanes of each of Y0-Y3 and stores the four sums at
// R10.
#define SUM4 \
	VHADDPS      Y1, Y0, Y0; \
	VHADDPS      Y3, Y2, Y2; \
	VHADDPS      Y2, Y0, Y0; \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0; \
	VMOVUPS      X0, (R10)

// SUM1 adds the eight lanes of Y0 and stores the sum at R10.
#define SUM1 \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0; \
	VHADDPS      X0, X0, X0; \
	VHADDPS      X0, X0, X0; \
	VMOVSS       X0, (R10)

// func rowsAVX512(k, n int, x, b *float32, ldb int, y *float32)
TEXT ·rowsAVX512(SB), NOSPLIT, $0-48
	ROWSARGS(4)

four512:
	CMPQ   R8, $4
	JLT    one512
	SUBQ   $4, R8
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ   DI, AX
	MOVQ   SI, BX
	MOVQ   R9, R13

loop4x512:
	VMOVUPS     (BX), Z8
	VFMADD231PS (AX), Z8, Z0
	VFMADD231PS (AX)(DX*1), Z8, Z1
	VFMADD231PS (AX)(DX*2), Z8, Z2
	VFMADD231PS (AX)(R12*1), Z8, Z3
	ADDQ        $64, AX
	ADDQ        $64, BX
	DECQ        R13
	JNZ         loop4x512
	VEXTRACTF64X4 $1, Z0, Y4
	VEXTRACTF64X4 $1, Z1, Y5
	VEXTRACTF64X4 $1, Z2, Y6
	VEXTRACTF64X4 $1, Z3, Y7
	VADDPS        Y4, Y0, Y0
	VADDPS        Y5, Y1, Y1
	VADDPS        Y6, Y2, Y2
	VADDPS        Y7, Y3, Y3
	SUM4
	ADDQ          $16, R10
	LEAQ          (DI)(DX*4), DI
	JMP           four512

one512:
	TESTQ  R8, R8
	JZ     done512
	VPXORD Z0, Z0, Z0
	MOVQ   DI, AX
	MOVQ   SI, BX
	MOVQ   R9, R13

loop1x512:
	VMOVUPS     (BX), Z8
	VFMADD231PS (AX), Z8, Z0
	ADDQ        $64, AX
	ADDQ        $64, BX
	DECQ        R13
	JNZ         loop1x512
	VEXTRACTF64X4 $1, Z0, Y4
	VADDPS        Y4, Y0, Y0
	SUM1
	ADDQ          $4, R10
	ADDQ          DX, DI
	DECQ          R8
	JMP           one512

done512:
	VZEROUPPER
	RET

// func rowsAVX2(k, n int, x, b *float32, ldb int, y *float32)
TEXT ·rowsAVX2(SB), NOSPLIT, $0-48
	ROWSARGS(3)

four256:
	CMPQ   R8, $4
	JLT    one256
	SUBQ   $4, R8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   DI, AX
	MOVQ   SI, BX
	MOVQ   R9, R13

loop4x256:
	VMOVUPS     (BX), Y8
	VFMADD231PS (AX), Y8, Y0
	VFMADD231PS (AX)(DX*1), Y8, Y1
	VFMADD231PS (AX)(DX*2), Y8, Y2
	VFMADD231PS (AX)(R12*1), Y8, Y3
	ADDQ        $32, AX
	ADDQ        $32, BX
	DECQ        R13
	JNZ         loop4x256
	SUM4
	ADDQ        $16, R10
	LEAQ        (DI)(DX*4), DI
	JMP         four256

one256:
	TESTQ  R8, R8
	JZ     done256
	VXORPS Y0, Y0, Y0
	MOVQ   DI, AX
	MOVQ   SI, BX
	MOVQ   R9, R13

loop1x256:
	VMOVUPS     (BX), Y8
	VFMADD231PS (AX), Y8, Y0
	ADDQ        $32, AX
	ADDQ        $32, BX
	DECQ        R13
	JNZ         loop1x256
	SUM1
	ADDQ        $4, R10
	ADDQ        DX, DI
	DECQ        R8
	JMP         one256

done256:
	VZEROUPPER
	RET
