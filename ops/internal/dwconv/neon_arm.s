//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// The armv7 NEON kernels: 4 outputs per vector, the interior of rows of at
// least 4 (see neon_arm64.s, whose structure they follow with fewer
// registers). Registers: R0 args; R1, R2 the row's output and input
// (first tap); R3 the kernel row's address, R7 the tap's; R4 dil, R8 ldk;
// R5, R6 the vector's output and input; R9 the weights; R12 temp and taps
// left (R10 is g, R11 the linker's). Frame: 4(R13) rows left, 8(R13)
// outputs left in the row, 12(R13) res - y in bytes, 16(R13) kernel rows
// left. Q0-Q3 accumulators, Q4-Q11 loaded inputs (in epilogues:
// constants and temps), Q12 the weight, Q13 the bias, Q14 lo, Q15 hi.
// args field offsets on arm (TestArgsLayoutARM): y 0, x 4, res 8, w 12,
// xoff 16, rows 20, ldy 24, ldx 28, kh 32, ldk 36, kw 40, dil 44, n 48,
// act 64, bias 68, lo 72, hi 76, alpha 80, beta 84, consts 88.

// BCAST broadcasts the float32 at off(R0) to Q(d/2) (D registers d, d+1).
#define BCAST(off, d) \
	ADD $off, R0, R12; \
	VLD1DUP2(d, 12, 15)

#define CLAMP(z) \
	VMAXQ(z, z, 14); \
	VMINQ(z, z, 15)

// LEAKY is max(z, 0) + alpha*min(z, 0), with alpha in Q10, zero in Q11.
#define LEAKY(z) \
	VMINQ(9, z, 11); \
	VMAXQ(z, z, 11); \
	VMLAQ(z, 9, 10)

// HSWISH is z * min(max(alpha*z + beta, 0), 1), with alpha in Q10, beta
// in Q11, one in Q8 and zero in Q9.
#define HSWISH(z) \
	VORRQ(7, 11, 11); \
	VMLAQ(7, z, 10); \
	VMAXQ(7, 7, 9); \
	VMINQ(7, 7, 8); \
	VMULQ(z, z, 7)

// LEAKYCONSTS and HSWISHCONSTS load their activation's registers.
#define LEAKYCONSTS \
	BCAST(80, 20); \
	VEORQ(11, 11, 11)

#define HSWISHCONSTS \
	BCAST(80, 20); \
	BCAST(84, 22); \
	MOVW 88(R0), R12; \
	VLD1x2(16, 12, 15); \
	VEORQ(9, 9, 9)

// TAP4S1, TAP4S2, TAP1S1 and TAP1S2 add a tap (weight in Q12, inputs at
// R7) to 4 or 1 accumulators; at stride 2 a vector's inputs are the even
// values of 8 loaded (VLD2).
#define TAP4S1 \
	VLD1x4(8, 7, 13); \
	VLD1x4(16, 7, 15); \
	SUB $32, R7; \
	VMLAQ(0, 4, 12); \
	VMLAQ(1, 5, 12); \
	VMLAQ(2, 8, 12); \
	VMLAQ(3, 9, 12)

#define TAP4S2 \
	VLD2x4(8, 7, 13); \
	VLD2x4(12, 7, 13); \
	VLD2x4(16, 7, 13); \
	VLD2x4(20, 7, 15); \
	SUB $96, R7; \
	VMLAQ(0, 4, 12); \
	VMLAQ(1, 6, 12); \
	VMLAQ(2, 8, 12); \
	VMLAQ(3, 10, 12)

#define TAP1S1 \
	VLD1x2(8, 7, 15); \
	VMLAQ(0, 4, 12)

#define TAP1S2 \
	VLD2x4(8, 7, 15); \
	VMLAQ(0, 4, 12)

// TAPS sums into the accumulators the taps of every kernel row for the
// vector at R6, with TAP; its labels are krow, ktap and kdone.
#define TAPS(TAP, krow, ktap, kdone) \
	MOVW 12(R0), R9; \
	MOVW R6, R3; \
	MOVW 32(R0), R12; \
	CMP  $0, R12; \
	BEQ  kdone; \
krow: \
	MOVW R12, 16(R13); \
	MOVW R3, R7; \
	MOVW 40(R0), R12; \
ktap: \
	VLD1DUP2(24, 9, 13); \
	TAP; \
	ADD   R4, R7; \
	SUB.S $1, R12; \
	BNE   ktap; \
	ADD   R8, R3; \
	MOVW  16(R13), R12; \
	SUB.S $1, R12; \
	BNE   krow; \
kdone:

// ROWS is the body of a row kernel: TAP4 and TAP1 read the inputs, STEP1
// is the input bytes of a vector, 1<<XSHIFT of an output. A row's n
// outputs run 16 at a time, then 4 at a time, then, when n is not a
// multiple of 4, as the 4 ending at the row's end (recomputing a few).
// Every vector starts from the bias, adds the taps of its kernel rows in
// order, then the residual, then the activation (Swish is left to Go).
#define ROWS(TAP4, TAP1, STEP1, XSHIFT) \
	MOVW a+0(FP), R0; \
	BCAST(68, 26); \
	BCAST(72, 28); \
	BCAST(76, 30); \
	MOVW 0(R0), R1; \
	MOVW 4(R0), R2; \
	MOVW 16(R0), R12; \
	ADD  R12, R2; \
	MOVW 8(R0), R12; \
	SUB  R1, R12, R12; \
	MOVW R12, 12(R13); \
	MOVW 44(R0), R4; \
	MOVW 36(R0), R8; \
	MOVW 20(R0), R12; \
	CMP  $0, R12; \
	BEQ  done; \
	MOVW R12, 4(R13); \
row: \
	MOVW R1, R5; \
	MOVW R2, R6; \
	MOVW 48(R0), R12; \
loop: \
	CMP $16, R12; \
	BLT small; \
	SUB $16, R12; \
	MOVW R12, 8(R13); \
	B   vec4; \
small: \
	CMP $4, R12; \
	BGE one; \
	CMP $0, R12; \
	BEQ next; \
	RSB $4, R12, R12; \
	SUB R12<<2, R5, R5; \
	SUB R12<<XSHIFT, R6, R6; \
	MOVW $4, R12; \
one: \
	SUB  $4, R12; \
	MOVW R12, 8(R13); \
	B    vec1; \
next: \
	MOVW  24(R0), R12; \
	ADD   R12, R1; \
	MOVW  28(R0), R12; \
	ADD   R12, R2; \
	MOVW  4(R13), R12; \
	SUB.S $1, R12; \
	MOVW  R12, 4(R13); \
	BNE   row; \
done: \
	RET; \
vec1: \
	VORRQ(0, 13, 13); \
	TAPS(TAP1, v1row, v1tap, v1epi); \
	MOVW 8(R0), R12; \
	CMP  $0, R12; \
	BEQ  v1act; \
	MOVW 12(R13), R12; \
	ADD  R5, R12; \
	VLD1x2(8, 12, 15); \
	VADDQ(0, 0, 4); \
v1act: \
	MOVW 64(R0), R12; \
	CMP  $1, R12; \
	BEQ  v1clamp; \
	CMP  $2, R12; \
	BEQ  v1leaky; \
	CMP  $3, R12; \
	BEQ  v1hswish; \
	B    v1store; \
v1clamp: \
	CLAMP(0); \
	B v1store; \
v1leaky: \
	LEAKYCONSTS; \
	LEAKY(0); \
	B v1store; \
v1hswish: \
	HSWISHCONSTS; \
	HSWISH(0); \
v1store: \
	VST1x2(0, 5, 13); \
	ADD  $STEP1, R6; \
	MOVW 8(R13), R12; \
	B    loop; \
vec4: \
	VORRQ(0, 13, 13); \
	VORRQ(1, 13, 13); \
	VORRQ(2, 13, 13); \
	VORRQ(3, 13, 13); \
	TAPS(TAP4, v4row, v4tap, v4epi); \
	MOVW 8(R0), R12; \
	CMP  $0, R12; \
	BEQ  v4act; \
	MOVW 12(R13), R12; \
	ADD  R5, R12; \
	VLD1x4(8, 12, 13); \
	VLD1x4(12, 12, 15); \
	VADDQ(0, 0, 4); \
	VADDQ(1, 1, 5); \
	VADDQ(2, 2, 6); \
	VADDQ(3, 3, 7); \
v4act: \
	MOVW 64(R0), R12; \
	CMP  $1, R12; \
	BEQ  v4clamp; \
	CMP  $2, R12; \
	BEQ  v4leaky; \
	CMP  $3, R12; \
	BEQ  v4hswish; \
	B    v4store; \
v4clamp: \
	CLAMP(0); \
	CLAMP(1); \
	CLAMP(2); \
	CLAMP(3); \
	B v4store; \
v4leaky: \
	LEAKYCONSTS; \
	LEAKY(0); \
	LEAKY(1); \
	LEAKY(2); \
	LEAKY(3); \
	B v4store; \
v4hswish: \
	HSWISHCONSTS; \
	HSWISH(0); \
	HSWISH(1); \
	HSWISH(2); \
	HSWISH(3); \
v4store: \
	VST1x4(0, 5, 13); \
	VST1x4(4, 5, 13); \
	ADD  $(4*STEP1), R6; \
	MOVW 8(R13), R12; \
	B    loop

// func rowsNEONS1(a *args)
TEXT ·rowsNEONS1(SB), NOSPLIT, $16-4
	ROWS(TAP4S1, TAP1S1, 16, 2)

// func rowsNEONS2(a *args)
TEXT ·rowsNEONS2(SB), NOSPLIT, $16-4
	ROWS(TAP4S2, TAP1S2, 32, 3)

// ACTLOOP applies ACT to the R8 vectors at R5.
#define ACTLOOP(ACT) \
	VLD1x2(0, 5, 15); \
	ACT(0); \
	VST1x2(0, 5, 13); \
	SUB.S $1, R8

// func activateNEON(row []float32, a *args) int
//
// R5 the row, R8 the vectors left, R9 the activation (BCAST uses R12).
TEXT ·activateNEON(SB), NOSPLIT, $0-20
	MOVW row_base+0(FP), R5
	MOVW row_len+4(FP), R8
	MOVW a+12(FP), R0
	MOVW 64(R0), R9
	CMP  $1, R9
	BEQ  start
	CMP  $2, R9
	BEQ  start
	CMP  $3, R9
	BEQ  start
	MOVW $0, R8

start:
	BIC  $3, R8
	MOVW R8, ret+16(FP)
	MOVW R8>>2, R8
	CMP  $0, R8
	BEQ  done
	BCAST(72, 28)
	BCAST(76, 30)
	CMP  $1, R9
	BEQ  clamp
	CMP  $2, R9
	BEQ  leaky
	HSWISHCONSTS

hswish:
	ACTLOOP(HSWISH)
	BNE hswish
	B   done

clamp:
	ACTLOOP(CLAMP)
	BNE clamp
	B   done

leaky:
	LEAKYCONSTS

leakyloop:
	ACTLOOP(LEAKY)
	BNE leakyloop

done:
	RET
