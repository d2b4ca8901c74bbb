//go:build !noasm

#include "textflag.h"
#include "avx512.h"

// The blocked AVX-512 kernels (see blocked.go): 16 channels per vector.
// Registers: DI args; R8, R10 the output and residual address in plane
// 0; R9, R13 the first input of a row and of a vector; R11, R12 rows and
// outputs left; CX, SI, DX, AX, R15 the tap loops; Z0-Z3 accumulators,
// Z4 residuals, Z8-Z11 activation temps, Z16-Z21 the epilogue's (see
// EPICONSTS), Z28 the bias, Z29 the planes' offsets, Z31 a tap's
// weights; K4 the lanes computed, K1 a copy that gathers consume.

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


// BLOCK is the body of a blocked kernel: every output row, four outputs
// at a time while they last, then one at a time. Each output vector
// starts from the bias (Z28), adds its taps, the residual (gathered from
// the lanes' planes: offsets in Z29, lanes in K4), the activation, and is
// stored to y pixel by pixel, the lanes side by side (unpackAVX512 then
// transposes them to the planes). R8 is the output's address in y, R10
// the residual's in plane 0 of res, R9 the first input of the row's
// first output, R13 the vector's, R11 the rows left, R12 the row's
// outputs left.
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
	VMOVUPS Z0, (R8); \
	ADDQ $64, R8; \
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
	VMOVUPS Z0, (R8); \
	VMOVUPS Z1, 64(R8); \
	VMOVUPS Z2, 128(R8); \
	VMOVUPS Z3, 192(R8); \
	ADDQ $256, R8; \
	ADDQ $16, R10; \
	ADDQ $STEP4, R13; \
	JMP  loop

// func blockAVX512S1(a *args)
TEXT ·blockAVX512S1(SB), NOSPLIT, $0-8
	BLOCK(BTAP4S1, 64, 256)

// func blockAVX512S2(a *args)
TEXT ·blockAVX512S2(SB), NOSPLIT, $0-8
	BLOCK(BTAP4S2, 128, 512)

// TRANSPOSE16 transposes the 16x16 floats of Z0-Z15 (row i in Zi) in
// place, through Z16-Z31: 32-bit then 64-bit interleaves within 128-bit
// lanes, then two rounds of lane shuffles (64 shuffles in all).
#define TRANSPOSE16 \
	VUNPCKLPS Z1, Z0, Z16; \
	VUNPCKHPS Z1, Z0, Z17; \
	VUNPCKLPS Z3, Z2, Z18; \
	VUNPCKHPS Z3, Z2, Z19; \
	VUNPCKLPS Z5, Z4, Z20; \
	VUNPCKHPS Z5, Z4, Z21; \
	VUNPCKLPS Z7, Z6, Z22; \
	VUNPCKHPS Z7, Z6, Z23; \
	VUNPCKLPS Z9, Z8, Z24; \
	VUNPCKHPS Z9, Z8, Z25; \
	VUNPCKLPS Z11, Z10, Z26; \
	VUNPCKHPS Z11, Z10, Z27; \
	VUNPCKLPS Z13, Z12, Z28; \
	VUNPCKHPS Z13, Z12, Z29; \
	VUNPCKLPS Z15, Z14, Z30; \
	VUNPCKHPS Z15, Z14, Z31; \
	VUNPCKLPD Z18, Z16, Z0; \
	VUNPCKHPD Z18, Z16, Z1; \
	VUNPCKLPD Z19, Z17, Z2; \
	VUNPCKHPD Z19, Z17, Z3; \
	VUNPCKLPD Z22, Z20, Z4; \
	VUNPCKHPD Z22, Z20, Z5; \
	VUNPCKLPD Z23, Z21, Z6; \
	VUNPCKHPD Z23, Z21, Z7; \
	VUNPCKLPD Z26, Z24, Z8; \
	VUNPCKHPD Z26, Z24, Z9; \
	VUNPCKLPD Z27, Z25, Z10; \
	VUNPCKHPD Z27, Z25, Z11; \
	VUNPCKLPD Z30, Z28, Z12; \
	VUNPCKHPD Z30, Z28, Z13; \
	VUNPCKLPD Z31, Z29, Z14; \
	VUNPCKHPD Z31, Z29, Z15; \
	VSHUFF32X4 $0x44, Z4, Z0, Z16; \
	VSHUFF32X4 $0xEE, Z4, Z0, Z17; \
	VSHUFF32X4 $0x44, Z12, Z8, Z18; \
	VSHUFF32X4 $0xEE, Z12, Z8, Z19; \
	VSHUFF32X4 $0x44, Z5, Z1, Z20; \
	VSHUFF32X4 $0xEE, Z5, Z1, Z21; \
	VSHUFF32X4 $0x44, Z13, Z9, Z22; \
	VSHUFF32X4 $0xEE, Z13, Z9, Z23; \
	VSHUFF32X4 $0x44, Z6, Z2, Z24; \
	VSHUFF32X4 $0xEE, Z6, Z2, Z25; \
	VSHUFF32X4 $0x44, Z14, Z10, Z26; \
	VSHUFF32X4 $0xEE, Z14, Z10, Z27; \
	VSHUFF32X4 $0x44, Z7, Z3, Z28; \
	VSHUFF32X4 $0xEE, Z7, Z3, Z29; \
	VSHUFF32X4 $0x44, Z15, Z11, Z30; \
	VSHUFF32X4 $0xEE, Z15, Z11, Z31; \
	VSHUFF32X4 $0x88, Z18, Z16, Z0; \
	VSHUFF32X4 $0xDD, Z18, Z16, Z4; \
	VSHUFF32X4 $0x88, Z19, Z17, Z8; \
	VSHUFF32X4 $0xDD, Z19, Z17, Z12; \
	VSHUFF32X4 $0x88, Z22, Z20, Z1; \
	VSHUFF32X4 $0xDD, Z22, Z20, Z5; \
	VSHUFF32X4 $0x88, Z23, Z21, Z9; \
	VSHUFF32X4 $0xDD, Z23, Z21, Z13; \
	VSHUFF32X4 $0x88, Z26, Z24, Z2; \
	VSHUFF32X4 $0xDD, Z26, Z24, Z6; \
	VSHUFF32X4 $0x88, Z27, Z25, Z10; \
	VSHUFF32X4 $0xDD, Z27, Z25, Z14; \
	VSHUFF32X4 $0x88, Z30, Z28, Z3; \
	VSHUFF32X4 $0xDD, Z30, Z28, Z7; \
	VSHUFF32X4 $0x88, Z31, Z29, Z11; \
	VSHUFF32X4 $0xDD, Z31, Z29, Z15

// func packAVX512(dst, src unsafe.Pointer, n int, idx *[16]int32)
//
// 16 values at a time: row i of a 16x16 block is 16 values of channel i
// (at src + idx[i] floats), loaded (the last block's masked to the values
// left, the rest zero), transposed, and stored as 16 pixel vectors (the
// last block's first CX of them).
TEXT ·packAVX512(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ idx+24(FP), AX
	MOVL $0xffff, DX
	KMOVW DX, K1

pack:
	CMPQ CX, $16
	JGE  load
	TESTQ CX, CX
	JZ   done
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	KMOVW DX, K1

load:
	MOVLQSX 0(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z0
	MOVLQSX 4(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z1
	MOVLQSX 8(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z2
	MOVLQSX 12(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z3
	MOVLQSX 16(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z4
	MOVLQSX 20(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z5
	MOVLQSX 24(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z6
	MOVLQSX 28(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z7
	MOVLQSX 32(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z8
	MOVLQSX 36(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z9
	MOVLQSX 40(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z10
	MOVLQSX 44(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z11
	MOVLQSX 48(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z12
	MOVLQSX 52(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z13
	MOVLQSX 56(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z14
	MOVLQSX 60(AX), BX
	VMOVUPS.Z (SI)(BX*4), K1, Z15
	TRANSPOSE16

	// Store the block's CX vectors, all 16 while more remain.
	VMOVUPS Z0, 0(DI)
	CMPQ CX, $1
	JEQ  done
	VMOVUPS Z1, 64(DI)
	CMPQ CX, $2
	JEQ  done
	VMOVUPS Z2, 128(DI)
	CMPQ CX, $3
	JEQ  done
	VMOVUPS Z3, 192(DI)
	CMPQ CX, $4
	JEQ  done
	VMOVUPS Z4, 256(DI)
	CMPQ CX, $5
	JEQ  done
	VMOVUPS Z5, 320(DI)
	CMPQ CX, $6
	JEQ  done
	VMOVUPS Z6, 384(DI)
	CMPQ CX, $7
	JEQ  done
	VMOVUPS Z7, 448(DI)
	CMPQ CX, $8
	JEQ  done
	VMOVUPS Z8, 512(DI)
	CMPQ CX, $9
	JEQ  done
	VMOVUPS Z9, 576(DI)
	CMPQ CX, $10
	JEQ  done
	VMOVUPS Z10, 640(DI)
	CMPQ CX, $11
	JEQ  done
	VMOVUPS Z11, 704(DI)
	CMPQ CX, $12
	JEQ  done
	VMOVUPS Z12, 768(DI)
	CMPQ CX, $13
	JEQ  done
	VMOVUPS Z13, 832(DI)
	CMPQ CX, $14
	JEQ  done
	VMOVUPS Z14, 896(DI)
	CMPQ CX, $15
	JEQ  done
	VMOVUPS Z15, 960(DI)
	ADDQ $64, SI
	ADDQ $1024, DI
	SUBQ $16, CX
	JMP  pack

done:
	VZEROUPPER
	RET

// func unpackAVX512(dst, src unsafe.Pointer, n, lanes int, idx *[16]int32)
//
// The inverse of packAVX512 for the first lanes channels: 16 pixel
// vectors at a time (src holds n rounded up to 16 of them) are
// transposed, and row i, 16 values of channel i, stored to dst + idx[i]
// floats on (the last block's masked to the values left).
TEXT ·unpackAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), DX
	MOVQ lanes+24(FP), CX
	MOVQ idx+32(FP), AX
	MOVL $0xffff, R8
	KMOVW R8, K2

unpack:
	CMPQ DX, $16
	JGE  block
	TESTQ DX, DX
	JZ   fin
	MOVQ DX, R9
	MOVQ CX, R10
	MOVQ R9, CX
	MOVL $1, R8
	SHLL CX, R8
	DECL R8
	KMOVW R8, K2
	MOVQ R10, CX

block:
	VMOVUPS 0(SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VMOVUPS 256(SI), Z4
	VMOVUPS 320(SI), Z5
	VMOVUPS 384(SI), Z6
	VMOVUPS 448(SI), Z7
	VMOVUPS 512(SI), Z8
	VMOVUPS 576(SI), Z9
	VMOVUPS 640(SI), Z10
	VMOVUPS 704(SI), Z11
	VMOVUPS 768(SI), Z12
	VMOVUPS 832(SI), Z13
	VMOVUPS 896(SI), Z14
	VMOVUPS 960(SI), Z15
	TRANSPOSE16
	MOVLQSX 0(AX), BX
	VMOVUPS Z0, K2, (DI)(BX*4)
	CMPQ CX, $1
	JEQ  next
	MOVLQSX 4(AX), BX
	VMOVUPS Z1, K2, (DI)(BX*4)
	CMPQ CX, $2
	JEQ  next
	MOVLQSX 8(AX), BX
	VMOVUPS Z2, K2, (DI)(BX*4)
	CMPQ CX, $3
	JEQ  next
	MOVLQSX 12(AX), BX
	VMOVUPS Z3, K2, (DI)(BX*4)
	CMPQ CX, $4
	JEQ  next
	MOVLQSX 16(AX), BX
	VMOVUPS Z4, K2, (DI)(BX*4)
	CMPQ CX, $5
	JEQ  next
	MOVLQSX 20(AX), BX
	VMOVUPS Z5, K2, (DI)(BX*4)
	CMPQ CX, $6
	JEQ  next
	MOVLQSX 24(AX), BX
	VMOVUPS Z6, K2, (DI)(BX*4)
	CMPQ CX, $7
	JEQ  next
	MOVLQSX 28(AX), BX
	VMOVUPS Z7, K2, (DI)(BX*4)
	CMPQ CX, $8
	JEQ  next
	MOVLQSX 32(AX), BX
	VMOVUPS Z8, K2, (DI)(BX*4)
	CMPQ CX, $9
	JEQ  next
	MOVLQSX 36(AX), BX
	VMOVUPS Z9, K2, (DI)(BX*4)
	CMPQ CX, $10
	JEQ  next
	MOVLQSX 40(AX), BX
	VMOVUPS Z10, K2, (DI)(BX*4)
	CMPQ CX, $11
	JEQ  next
	MOVLQSX 44(AX), BX
	VMOVUPS Z11, K2, (DI)(BX*4)
	CMPQ CX, $12
	JEQ  next
	MOVLQSX 48(AX), BX
	VMOVUPS Z12, K2, (DI)(BX*4)
	CMPQ CX, $13
	JEQ  next
	MOVLQSX 52(AX), BX
	VMOVUPS Z13, K2, (DI)(BX*4)
	CMPQ CX, $14
	JEQ  next
	MOVLQSX 56(AX), BX
	VMOVUPS Z14, K2, (DI)(BX*4)
	CMPQ CX, $15
	JEQ  next
	MOVLQSX 60(AX), BX
	VMOVUPS Z15, K2, (DI)(BX*4)

next:
	ADDQ $1024, SI
	ADDQ $64, DI
	SUBQ $16, DX
	JG   unpack

fin:
	VZEROUPPER
	RET
