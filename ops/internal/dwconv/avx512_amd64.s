//go:build !noasm

#include "textflag.h"

// The AVX-512 kernels: 16 outputs per vector. Registers:
//   DI args; R8, R9, R10 the row's output, input (first tap) and residual;
//   R11 rows left; R12, R13, R14 the vector's output, input and residual;
//   BX a vector's masks; CX, SI, DX, AX, R15 the tap loops (kernel rows
//   left, kernel row address, weights, tap address, tap index);
//   Z0-Z3 accumulators, Z4-Z7 loaded inputs, Z8-Z11 activation temps,
//   Z16 lo, Z17 hi, Z18 alpha, Z19 beta, Z20 zero, Z21 one, Z28 bias,
//   Z30 the even indices, Z31 a weight. AX holds &consts in epilogues.
// args field offsets: see args in kernel.go.

#include "avx512.h"

// TAP4S1 and TAP4S2 add a tap (weight in Z31, inputs at AX) to the four
// accumulators at stride 1 and 2: at stride 2 a vector's 16 inputs are
// the even values of 32 loaded.
#define TAP4S1 \
	VFMADD231PS (AX), Z31, Z0; \
	VFMADD231PS 64(AX), Z31, Z1; \
	VFMADD231PS 128(AX), Z31, Z2; \
	VFMADD231PS 192(AX), Z31, Z3

#define TAP4S2 \
	VMOVUPS     (AX), Z4; \
	VMOVUPS     128(AX), Z5; \
	VMOVUPS     256(AX), Z6; \
	VMOVUPS     384(AX), Z7; \
	VPERMT2PS   64(AX), Z30, Z4; \
	VPERMT2PS   192(AX), Z30, Z5; \
	VPERMT2PS   320(AX), Z30, Z6; \
	VPERMT2PS   448(AX), Z30, Z7; \
	VFMADD231PS Z4, Z31, Z0; \
	VFMADD231PS Z5, Z31, Z1; \
	VFMADD231PS Z6, Z31, Z2; \
	VFMADD231PS Z7, Z31, Z3

// LOAD1S1 and LOAD1S2 load a masked vector's inputs for tap R15 (masks
// at BX) into Z4, zeros where masked.
#define LOAD1S1 \
	KMOVW     (BX)(R15*4), K1; \
	VMOVUPS.Z (AX), K1, Z4

#define LOAD1S2 \
	KMOVD     (BX)(R15*4), K1; \
	KSHIFTRD  $16, K1, K2; \
	VMOVUPS.Z (AX), K1, Z4; \
	VMOVUPS.Z 64(AX), K2, Z5; \
	VPERMT2PS Z5, Z30, Z4

// ROWS is the body of a row kernel: LOAD1 and TAP4 read the inputs,
// STEP1 and STEP4 are the input bytes of 1 and 4 vectors. A row runs as
// a loop over its vectors: the first, masked, when args.first is set;
// then plain ones, 4 at a time while they last, else 1 at a time (with
// the all-ones masks); then args.ntail masked ones. The count of plain
// vectors left is kept at p-8(SP), that of tails done at q-16(SP). Every vector starts from the bias, adds the taps of its kernel
// rows in order, then the residual, then the activation.
#define ROWS(LOAD1, TAP4, STEP1, STEP4) \
	MOVQ         a+0(FP), DI; \
	EPICONSTS; \
	VBROADCASTSS 132(DI), Z28; \
	VMOVUPS      896(AX), Z30; \
	MOVQ         0(DI), R8; \
	MOVQ         8(DI), R9; \
	ADDQ         32(DI), R9; \
	MOVQ         16(DI), R10; \
	MOVQ         40(DI), R11; \
row: \
	MOVQ  R8, R12; \
	MOVQ  R9, R13; \
	MOVQ  R10, R14; \
	MOVQ  96(DI), CX; \
	MOVQ  CX, p-8(SP); \
	MOVQ  $0, q-16(SP); \
	MOVQ  104(DI), BX; \
	TESTQ BX, BX; \
	JNZ   vec1; \
loop: \
	MOVQ  p-8(SP), CX; \
	CMPQ  CX, $4; \
	JLT   small; \
	SUBQ  $4, CX; \
	MOVQ  CX, p-8(SP); \
	JMP   vec4; \
small: \
	TESTQ CX, CX; \
	JZ    tail; \
	DECQ  CX; \
	MOVQ  CX, p-8(SP); \
	MOVQ  120(DI), BX; \
	JMP   vec1; \
tail: \
	MOVQ q-16(SP), BX; \
	CMPQ BX, 160(DI); \
	JGE  next; \
	INCQ q-16(SP); \
	SHLQ $7, BX; \
	ADDQ 112(DI), BX; \
	JMP  vec1; \
next: \
	ADDQ 48(DI), R8; \
	ADDQ 56(DI), R9; \
	ADDQ 48(DI), R10; \
	DECQ R11; \
	JNZ  row; \
	VZEROUPPER; \
	RET; \
vec1: \
	VMOVAPS Z28, Z0; \
	MOVQ    24(DI), DX; \
	MOVQ    R13, SI; \
	MOVQ    64(DI), CX; \
	TESTQ   CX, CX; \
	JZ      v1epi; \
v1row: \
	MOVQ SI, AX; \
	XORQ R15, R15; \
v1tap: \
	VBROADCASTSS (DX)(R15*4), Z31; \
	LOAD1; \
	VFMADD231PS  Z4, Z31, Z0; \
	ADDQ         88(DI), AX; \
	INCQ         R15; \
	CMPQ         R15, 80(DI); \
	JLT          v1tap; \
	LEAQ         (DX)(R15*4), DX; \
	ADDQ         72(DI), SI; \
	DECQ         CX; \
	JNZ          v1row; \
v1epi: \
	MOVQ      152(DI), AX; \
	KMOVW     64(BX), K3; \
	MOVQ      16(DI), CX; \
	TESTQ     CX, CX; \
	JZ        v1act; \
	VMOVUPS.Z (R14), K3, Z4; \
	VADDPS    Z4, Z0, Z0; \
v1act: \
	ACT1(v1clamp, v1leaky, v1hswish, v1swish, v1store); \
v1store: \
	VMOVUPS Z0, K3, (R12); \
	ADDQ    $64, R12; \
	ADDQ    $STEP1, R13; \
	ADDQ    $64, R14; \
	JMP     loop; \
vec4: \
	VMOVAPS Z28, Z0; \
	VMOVAPS Z28, Z1; \
	VMOVAPS Z28, Z2; \
	VMOVAPS Z28, Z3; \
	MOVQ    24(DI), DX; \
	MOVQ    R13, SI; \
	MOVQ    64(DI), CX; \
	TESTQ   CX, CX; \
	JZ      v4epi; \
v4row: \
	MOVQ SI, AX; \
	XORQ R15, R15; \
v4tap: \
	VBROADCASTSS (DX)(R15*4), Z31; \
	TAP4; \
	ADDQ         88(DI), AX; \
	INCQ         R15; \
	CMPQ         R15, 80(DI); \
	JLT          v4tap; \
	LEAQ         (DX)(R15*4), DX; \
	ADDQ         72(DI), SI; \
	DECQ         CX; \
	JNZ          v4row; \
v4epi: \
	MOVQ   152(DI), AX; \
	MOVQ   16(DI), CX; \
	TESTQ  CX, CX; \
	JZ     v4act; \
	VADDPS (R14), Z0, Z0; \
	VADDPS 64(R14), Z1, Z1; \
	VADDPS 128(R14), Z2, Z2; \
	VADDPS 192(R14), Z3, Z3; \
v4act: \
	ACT4(v4clamp, v4leaky, v4hswish, v4swish, v4store); \
v4store: \
	VMOVUPS Z0, (R12); \
	VMOVUPS Z1, 64(R12); \
	VMOVUPS Z2, 128(R12); \
	VMOVUPS Z3, 192(R12); \
	ADDQ    $256, R12; \
	ADDQ    $STEP4, R13; \
	ADDQ    $256, R14; \
	JMP     loop

// func rowsAVX512S1(a *args)
TEXT ·rowsAVX512S1(SB), NOSPLIT, $16-8
	ROWS(LOAD1S1, TAP4S1, 64, 256)

// func rowsAVX512S2(a *args)
TEXT ·rowsAVX512S2(SB), NOSPLIT, $16-8
	ROWS(LOAD1S2, TAP4S2, 128, 512)

// ACTLOOP applies ACT to the CX vectors at R12.
#define ACTLOOP(ACT) \
	VMOVUPS (R12), Z0; \
	ACT(Z0); \
	VMOVUPS Z0, (R12); \
	ADDQ    $64, R12; \
	DECQ    CX

// func activateAVX512(row []float32, a *args) int
TEXT ·activateAVX512(SB), NOSPLIT, $0-40
	MOVQ row_base+0(FP), R12
	MOVQ row_len+8(FP), CX
	MOVQ a+24(FP), DI
	ANDQ $-16, CX
	MOVQ CX, ret+32(FP)
	SHRQ $4, CX
	JZ   done
	EPICONSTS
	MOVL 128(DI), DX
	CMPL DX, $1
	JEQ  clamp
	CMPL DX, $2
	JEQ  leaky
	CMPL DX, $3
	JEQ  hswish
	CMPL DX, $4
	JEQ  swish
	JMP  done

clamp:
	ACTLOOP(CLAMP)
	JNZ clamp
	JMP done

leaky:
	ACTLOOP(LEAKY)
	JNZ leaky
	JMP done

hswish:
	ACTLOOP(HSWISH)
	JNZ hswish
	JMP done

swish:
	ACTLOOP(SWISH)
	JNZ swish

done:
	VZEROUPPER
	RET
