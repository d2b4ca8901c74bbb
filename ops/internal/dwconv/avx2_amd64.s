//go:build !noasm

#include "textflag.h"

// The AVX2 kernels: 8 outputs per vector, the row loop of the AVX-512
// ones (see avx512_amd64.s). Registers: the same general ones; Y0-Y3
// accumulators, Y4 a weight, Y5 loaded inputs, Y6-Y7 masks, Y8-Y11
// activation temps, Y12 and Y13 the bits of lanes 0-7 and 8-15 (to
// expand a bit mask into a vector mask), Y14 alpha, Y15 beta. AX holds
// &consts in epilogues.

// CLAMP is min(max(z, lo), hi), NaN kept.
#define CLAMP(z) \
	VBROADCASTSS 136(DI), Y8; \
	VMAXPS       z, Y8, z; \
	VBROADCASTSS 140(DI), Y8; \
	VMINPS       z, Y8, z

// LEAKY is max(z, 0) + alpha*min(z, 0).
#define LEAKY(z) \
	VXORPS      Y9, Y9, Y9; \
	VMINPS      z, Y9, Y8; \
	VMAXPS      z, Y9, z; \
	VFMADD231PS Y8, Y14, z

// HSWISH is z * min(max(alpha*z + beta, 0), 1).
#define HSWISH(z) \
	VMOVAPS     Y15, Y8; \
	VFMADD231PS z, Y14, Y8; \
	VXORPS      Y9, Y9, Y9; \
	VMAXPS      Y9, Y8, Y8; \
	VMINPS      (AX), Y8, Y8; \
	VMULPS      Y8, z, z

// SWISH is z / (1 + exp(-alpha*z)) (see avx512_amd64.s), 2^n made in
// the exponent bits: n<<23 plus the bits of 1.0.
#define SWISH(z) \
	VMULPS       z, Y14, Y8; \
	VXORPS       Y9, Y9, Y9; \
	VSUBPS       Y8, Y9, Y8; \
	VMINPS       640(AX), Y8, Y8; \
	VMAXPS       704(AX), Y8, Y8; \
	VMULPS       64(AX), Y8, Y9; \
	VROUNDPS     $0, Y9, Y9; \
	VFNMADD231PS 128(AX), Y9, Y8; \
	VFNMADD231PS 192(AX), Y9, Y8; \
	VMOVUPS      256(AX), Y10; \
	VFMADD213PS  320(AX), Y8, Y10; \
	VFMADD213PS  384(AX), Y8, Y10; \
	VFMADD213PS  448(AX), Y8, Y10; \
	VFMADD213PS  512(AX), Y8, Y10; \
	VFMADD213PS  576(AX), Y8, Y10; \
	VMULPS       Y8, Y8, Y11; \
	VFMADD213PS  Y8, Y11, Y10; \
	VADDPS       (AX), Y10, Y10; \
	VCVTPS2DQ    Y9, Y9; \
	VPSLLD       $23, Y9, Y9; \
	VPADDD       (AX), Y9, Y9; \
	VMULPS       Y9, Y10, Y10; \
	VADDPS       (AX), Y10, Y10; \
	VDIVPS       Y10, z, z

// EPICONSTS loads the epilogue's registers from the args at DI.
#define EPICONSTS \
	MOVQ         152(DI), AX; \
	VBROADCASTSS 144(DI), Y14; \
	VBROADCASTSS 148(DI), Y15

// TAP4S1 and TAP4S2 add a tap (weight in Y4, inputs at AX) to the four
// accumulators. At stride 2 a vector's inputs are the even values of 16
// loaded, which VSHUFPS gathers in the order 0 2 8 10 4 6 12 14 (per
// 128-bit lane); FIXS2 restores the order once the taps are summed.
#define TAP4S1 \
	VFMADD231PS (AX), Y4, Y0; \
	VFMADD231PS 32(AX), Y4, Y1; \
	VFMADD231PS 64(AX), Y4, Y2; \
	VFMADD231PS 96(AX), Y4, Y3

#define TAP4S2 \
	VMOVUPS     (AX), Y5; \
	VSHUFPS     $0x88, 32(AX), Y5, Y5; \
	VFMADD231PS Y5, Y4, Y0; \
	VMOVUPS     64(AX), Y5; \
	VSHUFPS     $0x88, 96(AX), Y5, Y5; \
	VFMADD231PS Y5, Y4, Y1; \
	VMOVUPS     128(AX), Y5; \
	VSHUFPS     $0x88, 160(AX), Y5, Y5; \
	VFMADD231PS Y5, Y4, Y2; \
	VMOVUPS     192(AX), Y5; \
	VSHUFPS     $0x88, 224(AX), Y5, Y5; \
	VFMADD231PS Y5, Y4, Y3

#define FIXS1(z)
#define FIXS2(z) VPERMPD $0xD8, z, z

// MASK sets vector mask m from the bit mask at addr (lane i's bit in
// bits).
#define MASK(addr, bits, m) \
	VPBROADCASTD addr, m; \
	VPAND        bits, m, m; \
	VPCMPEQD     bits, m, m

// LOAD1S1 and LOAD1S2 load a masked vector's inputs for tap R15 (masks
// at BX) into Y5, zeros where masked.
#define LOAD1S1 \
	MASK((BX)(R15*4), Y12, Y6); \
	VMASKMOVPS (AX), Y6, Y5

#define LOAD1S2 \
	MASK((BX)(R15*4), Y12, Y6); \
	MASK((BX)(R15*4), Y13, Y7); \
	VMASKMOVPS (AX), Y6, Y5; \
	VMASKMOVPS 32(AX), Y7, Y7; \
	VSHUFPS    $0x88, Y7, Y5, Y5

// ROWS is the body of a row kernel, as in avx512_amd64.s; FIX puts an
// accumulator's lanes in order.
#define ROWS(LOAD1, TAP4, FIX, STEP1, STEP4) \
	MOVQ    a+0(FP), DI; \
	EPICONSTS; \
	VMOVUPS 768(AX), Y12; \
	VMOVUPS 832(AX), Y13; \
	MOVQ    0(DI), R8; \
	MOVQ    8(DI), R9; \
	ADDQ    32(DI), R9; \
	MOVQ    16(DI), R10; \
	MOVQ    40(DI), R11; \
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
	VBROADCASTSS 132(DI), Y0; \
	MOVQ         24(DI), DX; \
	MOVQ         R13, SI; \
	MOVQ         64(DI), CX; \
	TESTQ        CX, CX; \
	JZ           v1epi; \
v1row: \
	MOVQ SI, AX; \
	XORQ R15, R15; \
v1tap: \
	VBROADCASTSS (DX)(R15*4), Y4; \
	LOAD1; \
	VFMADD231PS  Y5, Y4, Y0; \
	ADDQ         88(DI), AX; \
	INCQ         R15; \
	CMPQ         R15, 80(DI); \
	JLT          v1tap; \
	LEAQ         (DX)(R15*4), DX; \
	ADDQ         72(DI), SI; \
	DECQ         CX; \
	JNZ          v1row; \
v1epi: \
	FIX(Y0); \
	MOVQ       152(DI), AX; \
	MASK(64(BX), Y12, Y6); \
	MOVQ       16(DI), CX; \
	TESTQ      CX, CX; \
	JZ         v1act; \
	VMASKMOVPS (R14), Y6, Y5; \
	VADDPS     Y5, Y0, Y0; \
v1act: \
	MOVL 128(DI), CX; \
	CMPL CX, $1; \
	JEQ  v1clamp; \
	CMPL CX, $2; \
	JEQ  v1leaky; \
	CMPL CX, $3; \
	JEQ  v1hswish; \
	CMPL CX, $4; \
	JEQ  v1swish; \
	JMP  v1store; \
v1clamp: \
	CLAMP(Y0); \
	JMP v1store; \
v1leaky: \
	LEAKY(Y0); \
	JMP v1store; \
v1hswish: \
	HSWISH(Y0); \
	JMP v1store; \
v1swish: \
	SWISH(Y0); \
v1store: \
	VMASKMOVPS Y0, Y6, (R12); \
	ADDQ       $32, R12; \
	ADDQ       $STEP1, R13; \
	ADDQ       $32, R14; \
	JMP        loop; \
vec4: \
	VBROADCASTSS 132(DI), Y0; \
	VMOVAPS      Y0, Y1; \
	VMOVAPS      Y0, Y2; \
	VMOVAPS      Y0, Y3; \
	MOVQ         24(DI), DX; \
	MOVQ         R13, SI; \
	MOVQ         64(DI), CX; \
	TESTQ        CX, CX; \
	JZ           v4epi; \
v4row: \
	MOVQ SI, AX; \
	XORQ R15, R15; \
v4tap: \
	VBROADCASTSS (DX)(R15*4), Y4; \
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
	FIX(Y0); \
	FIX(Y1); \
	FIX(Y2); \
	FIX(Y3); \
	MOVQ   152(DI), AX; \
	MOVQ   16(DI), CX; \
	TESTQ  CX, CX; \
	JZ     v4act; \
	VADDPS (R14), Y0, Y0; \
	VADDPS 32(R14), Y1, Y1; \
	VADDPS 64(R14), Y2, Y2; \
	VADDPS 96(R14), Y3, Y3; \
v4act: \
	MOVL 128(DI), CX; \
	CMPL CX, $1; \
	JEQ  v4clamp; \
	CMPL CX, $2; \
	JEQ  v4leaky; \
	CMPL CX, $3; \
	JEQ  v4hswish; \
	CMPL CX, $4; \
	JEQ  v4swish; \
	JMP  v4store; \
v4clamp: \
	CLAMP(Y0); \
	CLAMP(Y1); \
	CLAMP(Y2); \
	CLAMP(Y3); \
	JMP v4store; \
v4leaky: \
	LEAKY(Y0); \
	LEAKY(Y1); \
	LEAKY(Y2); \
	LEAKY(Y3); \
	JMP v4store; \
v4hswish: \
	HSWISH(Y0); \
	HSWISH(Y1); \
	HSWISH(Y2); \
	HSWISH(Y3); \
	JMP v4store; \
v4swish: \
	SWISH(Y0); \
	SWISH(Y1); \
	SWISH(Y2); \
	SWISH(Y3); \
v4store: \
	VMOVUPS Y0, (R12); \
	VMOVUPS Y1, 32(R12); \
	VMOVUPS Y2, 64(R12); \
	VMOVUPS Y3, 96(R12); \
	ADDQ    $128, R12; \
	ADDQ    $STEP4, R13; \
	ADDQ    $128, R14; \
	JMP     loop

// func rowsAVX2S1(a *args)
TEXT ·rowsAVX2S1(SB), NOSPLIT, $16-8
	ROWS(LOAD1S1, TAP4S1, FIXS1, 32, 128)

// func rowsAVX2S2(a *args)
TEXT ·rowsAVX2S2(SB), NOSPLIT, $16-8
	ROWS(LOAD1S2, TAP4S2, FIXS2, 64, 256)

// ACTLOOP applies ACT to the CX vectors at R12.
#define ACTLOOP(ACT) \
	VMOVUPS (R12), Y0; \
	ACT(Y0); \
	VMOVUPS Y0, (R12); \
	ADDQ    $32, R12; \
	DECQ    CX

// func activateAVX2(row []float32, a *args) int
TEXT ·activateAVX2(SB), NOSPLIT, $0-40
	MOVQ row_base+0(FP), R12
	MOVQ row_len+8(FP), CX
	MOVQ a+24(FP), DI
	ANDQ $-8, CX
	MOVQ CX, ret+32(FP)
	SHRQ $3, CX
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
