//go:build !noasm

#include "textflag.h"

// The NEON kernels: 4 outputs per vector, the interior of rows of at
// least 4. Registers: R0 args; R1, R2, R3 the row's output, input (first
// tap) and residual; R4 rows left; R5, R6, R7 the vector's output, input
// and residual; R8 outputs left in the row; R9 weights, R10 kernel row
// address, R11 kernel rows left, R12 tap address, R13 taps left; R14
// dil, R15 ldk, R16 &consts, R17 kw; R19-R21 temps. V0-V3 accumulators,
// V4-V11 loaded inputs (in epilogues: the polynomial's coefficients),
// V12-V15 activation temps, V16 lo, V17 hi, V18 alpha, V19 beta, V20
// zero, V21 one, V22 bias, V23-V27 the exponential's clamps, log2(e) and
// ln 2, V31 a weight. args field offsets: see args in kernel.go.

// Vector instructions the Go assembler does not accept, Vd.4S from Vn.4S
// and Vm.4S for register numbers d, n, m. FMAX and FMIN give NaN when
// either operand is NaN, like Go's max and min.
#define FMLAV(d, n, m) WORD $(0x4E20CC00 | (m)<<16 | (n)<<5 | (d))
#define FMLSV(d, n, m) WORD $(0x4EA0CC00 | (m)<<16 | (n)<<5 | (d))
#define FADDV(d, n, m) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))
#define FSUBV(d, n, m) WORD $(0x4EA0D400 | (m)<<16 | (n)<<5 | (d))
#define FMULV(d, n, m) WORD $(0x6E20DC00 | (m)<<16 | (n)<<5 | (d))
#define FDIVV(d, n, m) WORD $(0x6E20FC00 | (m)<<16 | (n)<<5 | (d))
#define FMAXV(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))
#define FMINV(d, n, m) WORD $(0x4EA0F400 | (m)<<16 | (n)<<5 | (d))
// FRINTN rounds to the nearest integer, ties to even; FCVTZS converts to
// int32; SHL23 shifts each lane left by 23.
#define FRINTN(d, n) WORD $(0x4E218800 | (n)<<5 | (d))
#define FCVTZS(d, n) WORD $(0x4EA1B800 | (n)<<5 | (d))
#define SHL23(d, n) WORD $(0x4F375400 | (n)<<5 | (d))

// BCAST broadcasts the float32 at off(R0) to all lanes of v.
#define BCAST(off, v) \
	ADD   $off, R0, R19; \
	VLD1R (R19), [v.S4]

// CONST loads the constant at off(R16) (a 64-byte line of it) into v.
#define CONST(off, v) \
	ADD  $off, R16, R19; \
	VLD1 (R19), [v.S4]

// EPICONSTS loads the epilogue's registers.
#define EPICONSTS \
	MOVD 152(R0), R16; \
	BCAST(136, V16); \
	BCAST(140, V17); \
	BCAST(144, V18); \
	BCAST(148, V19); \
	VEOR V20.B16, V20.B16, V20.B16; \
	CONST(0, V21); \
	CONST(640, V23); \
	CONST(704, V24); \
	CONST(64, V25); \
	CONST(128, V26); \
	CONST(192, V27)

// POLY loads the exponential's polynomial coefficients into V4-V9.
#define POLY \
	CONST(256, V4); \
	CONST(320, V5); \
	CONST(384, V6); \
	CONST(448, V7); \
	CONST(512, V8); \
	CONST(576, V9)

#define CLAMP(z) \
	FMAXV(z, z, 16); \
	FMINV(z, z, 17)

// LEAKY is max(z, 0) + alpha*min(z, 0).
#define LEAKY(z) \
	FMINV(12, z, 20); \
	FMAXV(z, z, 20); \
	FMLAV(z, 12, 18)

// HSWISH is z * min(max(alpha*z + beta, 0), 1).
#define HSWISH(z) \
	VORR V19.B16, V19.B16, V12.B16; \
	FMLAV(12, z, 18); \
	FMAXV(12, 12, 20); \
	FMINV(12, 12, 21); \
	FMULV(z, z, 12)

// HORNER sets V15 = c + V15*V12.
#define HORNER(c) \
	VORR c.B16, c.B16, V14.B16; \
	FMLAV(14, 15, 12); \
	VORR V14.B16, V14.B16, V15.B16

// SWISH is z / (1 + exp(-alpha*z)) (see avx512_amd64.s), with POLY
// loaded; 2^n is made in the exponent bits: n<<23 plus the bits of 1.0.
#define SWISH(z) \
	FMULV(12, z, 18); \
	FSUBV(12, 20, 12); \
	FMINV(12, 12, 23); \
	FMAXV(12, 12, 24); \
	FMULV(13, 12, 25); \
	FRINTN(13, 13); \
	FMLSV(12, 13, 26); \
	FMLSV(12, 13, 27); \
	VORR V4.B16, V4.B16, V15.B16; \
	HORNER(V5); \
	HORNER(V6); \
	HORNER(V7); \
	HORNER(V8); \
	HORNER(V9); \
	FMULV(14, 12, 12); \
	VORR V12.B16, V12.B16, V11.B16; \
	FMLAV(11, 15, 14); \
	FADDV(11, 11, 21); \
	FCVTZS(13, 13); \
	SHL23(13, 13); \
	VADD V21.S4, V13.S4, V13.S4; \
	FMULV(11, 11, 13); \
	FADDV(11, 11, 21); \
	FDIVV(z, z, 11)

// TAP4S1, TAP4S2, TAP1S1 and TAP1S2 add a tap (weight in V31, inputs at
// R12) to 4 or 1 accumulators; at stride 2 a vector's inputs are the even
// values of 8 loaded.
#define TAP4S1 \
	VLD1 (R12), [V4.S4, V5.S4, V6.S4, V7.S4]; \
	FMLAV(0, 4, 31); \
	FMLAV(1, 5, 31); \
	FMLAV(2, 6, 31); \
	FMLAV(3, 7, 31)

#define TAP4S2 \
	VLD2 (R12), [V4.S4, V5.S4]; \
	ADD  $32, R12, R19; \
	VLD2 (R19), [V6.S4, V7.S4]; \
	ADD  $64, R12, R19; \
	VLD2 (R19), [V8.S4, V9.S4]; \
	ADD  $96, R12, R19; \
	VLD2 (R19), [V10.S4, V11.S4]; \
	FMLAV(0, 4, 31); \
	FMLAV(1, 6, 31); \
	FMLAV(2, 8, 31); \
	FMLAV(3, 10, 31)

#define TAP1S1 \
	VLD1 (R12), [V4.S4]; \
	FMLAV(0, 4, 31)

#define TAP1S2 \
	VLD2 (R12), [V4.S4, V5.S4]; \
	FMLAV(0, 4, 31)

// TAPS sums into the accumulators the taps of every kernel row for the
// vector at R6, with TAP; its labels are krow, ktap and kdone.
#define TAPS(TAP, krow, ktap, kdone) \
	MOVD 24(R0), R9; \
	MOVD R6, R10; \
	MOVD 64(R0), R11; \
	CBZ  R11, kdone; \
krow: \
	MOVD R10, R12; \
	MOVD R17, R13; \
ktap: \
	VLD1R.P 4(R9), [V31.S4]; \
	TAP; \
	ADD     R14, R12, R12; \
	SUB     $1, R13, R13; \
	CBNZ    R13, ktap; \
	ADD     R15, R10, R10; \
	SUB     $1, R11, R11; \
	CBNZ    R11, krow; \
kdone:

// ROWS is the body of a row kernel: TAP4 and TAP1 read the inputs,
// STEP1 is the input bytes of a vector, 1<<XSHIFT of an output. A row's n outputs run 16 at a time,
// then 4 at a time, then, when n is not a multiple of 4, as the 4 ending
// at the row's end (recomputing a few). Every vector starts from the
// bias, adds the taps of its kernel rows in order, then the residual,
// then the activation.
#define ROWS(TAP4, TAP1, STEP1, XSHIFT) \
	MOVD a+0(FP), R0; \
	EPICONSTS; \
	BCAST(132, V22); \
	MOVD 0(R0), R1; \
	MOVD 8(R0), R2; \
	MOVD 32(R0), R19; \
	ADD  R19, R2, R2; \
	MOVD 16(R0), R3; \
	MOVD 40(R0), R4; \
	MOVD 88(R0), R14; \
	MOVD 72(R0), R15; \
	MOVD 80(R0), R17; \
row: \
	MOVD R1, R5; \
	MOVD R2, R6; \
	MOVD R3, R7; \
	MOVD 96(R0), R8; \
loop: \
	CMP $16, R8; \
	BLT small; \
	SUB $16, R8, R8; \
	B   vec4; \
small: \
	CMP $4, R8; \
	BGE one; \
	CBZ R8, next; \
	MOVD $4, R19; \
	SUB  R8, R19, R19; \
	SUB  R19<<2, R5, R5; \
	SUB  R19<<2, R7, R7; \
	SUB  R19<<XSHIFT, R6, R6; \
	MOVD $4, R8; \
one: \
	SUB $4, R8, R8; \
	B   vec1; \
next: \
	MOVD 48(R0), R19; \
	ADD  R19, R1, R1; \
	ADD  R19, R3, R3; \
	MOVD 56(R0), R19; \
	ADD  R19, R2, R2; \
	SUB  $1, R4, R4; \
	CBNZ R4, row; \
	RET; \
vec1: \
	VORR V22.B16, V22.B16, V0.B16; \
	TAPS(TAP1, v1row, v1tap, v1epi); \
	MOVD 16(R0), R19; \
	CBZ  R19, v1act; \
	VLD1 (R7), [V4.S4]; \
	FADDV(0, 0, 4); \
v1act: \
	MOVW 128(R0), R19; \
	CMP  $1, R19; \
	BEQ  v1clamp; \
	CMP  $2, R19; \
	BEQ  v1leaky; \
	CMP  $3, R19; \
	BEQ  v1hswish; \
	CMP  $4, R19; \
	BEQ  v1swish; \
	B    v1store; \
v1clamp: \
	CLAMP(0); \
	B v1store; \
v1leaky: \
	LEAKY(0); \
	B v1store; \
v1hswish: \
	HSWISH(0); \
	B v1store; \
v1swish: \
	POLY; \
	SWISH(0); \
v1store: \
	VST1 [V0.S4], (R5); \
	ADD  $16, R5, R5; \
	ADD  $STEP1, R6, R6; \
	ADD  $16, R7, R7; \
	B    loop; \
vec4: \
	VORR V22.B16, V22.B16, V0.B16; \
	VORR V22.B16, V22.B16, V1.B16; \
	VORR V22.B16, V22.B16, V2.B16; \
	VORR V22.B16, V22.B16, V3.B16; \
	TAPS(TAP4, v4row, v4tap, v4epi); \
	MOVD 16(R0), R19; \
	CBZ  R19, v4act; \
	VLD1 (R7), [V4.S4, V5.S4, V6.S4, V7.S4]; \
	FADDV(0, 0, 4); \
	FADDV(1, 1, 5); \
	FADDV(2, 2, 6); \
	FADDV(3, 3, 7); \
v4act: \
	MOVW 128(R0), R19; \
	CMP  $1, R19; \
	BEQ  v4clamp; \
	CMP  $2, R19; \
	BEQ  v4leaky; \
	CMP  $3, R19; \
	BEQ  v4hswish; \
	CMP  $4, R19; \
	BEQ  v4swish; \
	B    v4store; \
v4clamp: \
	CLAMP(0); \
	CLAMP(1); \
	CLAMP(2); \
	CLAMP(3); \
	B v4store; \
v4leaky: \
	LEAKY(0); \
	LEAKY(1); \
	LEAKY(2); \
	LEAKY(3); \
	B v4store; \
v4hswish: \
	HSWISH(0); \
	HSWISH(1); \
	HSWISH(2); \
	HSWISH(3); \
	B v4store; \
v4swish: \
	POLY; \
	SWISH(0); \
	SWISH(1); \
	SWISH(2); \
	SWISH(3); \
v4store: \
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R5); \
	ADD  $64, R5, R5; \
	ADD  $(4*STEP1), R6, R6; \
	ADD  $64, R7, R7; \
	B    loop

// func rowsNEONS1(a *args)
TEXT ·rowsNEONS1(SB), NOSPLIT, $0-8
	ROWS(TAP4S1, TAP1S1, 16, 2)

// func rowsNEONS2(a *args)
TEXT ·rowsNEONS2(SB), NOSPLIT, $0-8
	ROWS(TAP4S2, TAP1S2, 32, 3)

// ACTLOOP applies ACT to the R8 vectors at R5.
#define ACTLOOP(ACT) \
	VLD1 (R5), [V0.S4]; \
	ACT(0); \
	VST1.P [V0.S4], 16(R5); \
	SUB $1, R8, R8

// func activateNEON(row []float32, a *args) int
TEXT ·activateNEON(SB), NOSPLIT, $0-40
	MOVD row_base+0(FP), R5
	MOVD row_len+8(FP), R8
	MOVD a+24(FP), R0
	AND  $-4, R8, R8
	MOVD R8, ret+32(FP)
	LSR  $2, R8, R8
	CBZ  R8, done
	EPICONSTS
	POLY
	MOVW 128(R0), R19
	CMP  $1, R19
	BEQ  clamp
	CMP  $2, R19
	BEQ  leaky
	CMP  $3, R19
	BEQ  hswish
	CMP  $4, R19
	BEQ  swish
	B    done

clamp:
	ACTLOOP(CLAMP)
	CBNZ R8, clamp
	B    done

leaky:
	ACTLOOP(LEAKY)
	CBNZ R8, leaky
	B    done

hswish:
	ACTLOOP(HSWISH)
	CBNZ R8, hswish
	B    done

swish:
	ACTLOOP(SWISH)
	CBNZ R8, swish

done:
	RET
