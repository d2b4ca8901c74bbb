//go:build !noasm

#include "textflag.h"
#include "avx512.h"

// The blocked AVX-512 kernels (see blocked.go): 16 channels per vector.
// Registers: DI args; R8, R10 the output and residual address in plane
// 0; R9, R13 the first input of a row and of a vector; R11, R12 rows and
// outputs left; CX, SI, DX, AX, R15 the tap loops; Z0-Z3 accumulators,
// Z4 residuals, Z8-Z11 activation temps, Z16-Z21 the epilogue's (see
// EPICONSTS), Z28 the bias, Z29 the planes' offsets, Z31 a tap's
// weights; K4 the lanes computed, K1 a copy that gathers and scatters
// consume.

// BTAP1 adds a tap to accumulator Z0; BTAP4S1 and BTAP4S2 add a tap (weights in Z31, the first output's
// input vector at AX) to the four accumulators of a blocked kernel, whose
// inputs are one or two pixels (64 bytes each) apart.
#define BTAP1 VFMADD231PS (AX), Z31, Z0

#define BTAP4S1 \
	VFMADD231PS (AX), Z31, Z0; \
	VFMADD231PS 64(AX), Z31, Z1; \
	VFMADD231PS 128(AX), Z31, Z2; \
	VFMADD231PS 192(AX), Z31, Z3

#define BTAP4S2 \
	VFMADD231PS (AX), Z31, Z0; \
	VFMADD231PS 128(AX), Z31, Z1; \
	VFMADD231PS 256(AX), Z31, Z2; \
	VFMADD231PS 384(AX), Z31, Z3

// BTAPS runs the taps of an output vector: kh kernel rows (ldk bytes
// apart in the input) of kw taps (dil bytes apart), the weights one
// vector per tap from 24(DI), the first input at R13.
#define BTAPS(TAP, krow, ktap) \
	MOVQ 24(DI), DX; \
	MOVQ R13, SI; \
	MOVQ 64(DI), CX; \
krow: \
	MOVQ SI, AX; \
	MOVQ 80(DI), R15; \
ktap: \
	VMOVUPS (DX), Z31; \
	TAP; \
	ADDQ $64, DX; \
	ADDQ 88(DI), AX; \
	DECQ R15; \
	JNZ  ktap; \
	ADDQ 72(DI), SI; \
	DECQ CX; \
	JNZ  krow

// BGATHER adds to z the residual of the outputs at offset off(R10), a
// lane per plane.
#define BGATHER(z, off) \
	KMOVW      K4, K1; \
	VGATHERDPS off(R10)(Z29*4), K1, Z4; \
	VADDPS     Z4, z, z

// BSCATTER stores z to the outputs at offset off(R8), a lane per plane.
#define BSCATTER(z, off) \
	KMOVW       K4, K1; \
	VSCATTERDPS z, K1, off(R8)(Z29*4)

// BLOCK is the body of a blocked kernel: every output row, four outputs
// at a time while they last, then one at a time. Each output vector
// starts from the bias (Z28), adds its taps, the residual (gathered), the
// activation, and is scattered to the lanes' planes (offsets in Z29,
// lanes in K4). R8 and R10 are the output's address in plane 0 of y and
// res, R9 the first input of the row's first output, R13 the vector's,
// R11 the rows left, R12 the row's outputs left.
#define BLOCK(TAP4, STEP1, STEP4) \
	MOVQ         a+0(FP), DI; \
	EPICONSTS; \
	MOVQ         176(DI), BX; \
	VMOVUPS      (BX), Z28; \
	MOVQ         168(DI), BX; \
	VMOVDQU32    (BX), Z29; \
	MOVQ         184(DI), BX; \
	KMOVW        BX, K4; \
	MOVQ         0(DI), R8; \
	MOVQ         8(DI), R9; \
	MOVQ         16(DI), R10; \
	MOVQ         40(DI), R11; \
row: \
	MOVQ R9, R13; \
	MOVQ 96(DI), R12; \
loop: \
	CMPQ R12, $4; \
	JLT  small; \
	SUBQ $4, R12; \
	JMP  vec4; \
small: \
	TESTQ R12, R12; \
	JZ    next; \
	DECQ  R12; \
	JMP   vec1; \
next: \
	ADDQ 56(DI), R9; \
	DECQ R11; \
	JNZ  row; \
	VZEROUPPER; \
	RET; \
vec1: \
	VMOVAPS Z28, Z0; \
	BTAPS(BTAP1, v1row, v1tap); \
	MOVQ    152(DI), AX; \
	MOVQ    16(DI), CX; \
	TESTQ   CX, CX; \
	JZ      v1act; \
	BGATHER(Z0, 0); \
v1act: \
	ACT1(v1clamp, v1leaky, v1hswish, v1swish, v1store); \
v1store: \
	BSCATTER(Z0, 0); \
	ADDQ $4, R8; \
	ADDQ $4, R10; \
	ADDQ $STEP1, R13; \
	JMP  loop; \
vec4: \
	VMOVAPS Z28, Z0; \
	VMOVAPS Z28, Z1; \
	VMOVAPS Z28, Z2; \
	VMOVAPS Z28, Z3; \
	BTAPS(TAP4, v4row, v4tap); \
	MOVQ    152(DI), AX; \
	MOVQ    16(DI), CX; \
	TESTQ   CX, CX; \
	JZ      v4act; \
	BGATHER(Z0, 0); \
	BGATHER(Z1, 4); \
	BGATHER(Z2, 8); \
	BGATHER(Z3, 12); \
v4act: \
	ACT4(v4clamp, v4leaky, v4hswish, v4swish, v4store); \
v4store: \
	BSCATTER(Z0, 0); \
	BSCATTER(Z1, 4); \
	BSCATTER(Z2, 8); \
	BSCATTER(Z3, 12); \
	ADDQ $16, R8; \
	ADDQ $16, R10; \
	ADDQ $STEP4, R13; \
	JMP  loop

// func blockAVX512S1(a *args)
TEXT ·blockAVX512S1(SB), NOSPLIT, $0-8
	BLOCK(BTAP4S1, 64, 256)

// func blockAVX512S2(a *args)
TEXT ·blockAVX512S2(SB), NOSPLIT, $0-8
	BLOCK(BTAP4S2, 128, 512)

// func packAVX512(dst, src unsafe.Pointer, n int, idx *[16]int32, mask int)
TEXT ·packAVX512(SB), NOSPLIT, $0-40
	MOVQ      dst+0(FP), DI
	MOVQ      src+8(FP), SI
	MOVQ      n+16(FP), CX
	MOVQ      idx+24(FP), AX
	MOVQ      mask+32(FP), DX
	VMOVDQU32 (AX), Z1
	KMOVW     DX, K2

pack:
	KMOVW      K2, K1
	VPXORD     Z0, Z0, Z0
	VGATHERDPS (SI)(Z1*4), K1, Z0
	VMOVUPS    Z0, (DI)
	ADDQ       $4, SI
	ADDQ       $64, DI
	DECQ       CX
	JNZ        pack
	VZEROUPPER
	RET
