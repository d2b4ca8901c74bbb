//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// The exp family's Go loops (exp.go) over whole vectors of d, len(d) a
// multiple of 4, for armv7 NEON: every product rounded before its add
// (VMLA, VMLS, as Go's arm code rounds them) and 1/(1+e) by VFP VDIV on
// each lane, so the results are the Go loops' bit for bit but where NEON
// flushes denormals to zero and gives the default NaN.
//
// Registers: Q0 x, Q1 y, Q2 s, Q3 t (S12-S15, the lanes VDIV divides),
// Q7 r, Q8 n; constants: D8 {log2e, ln2Hi}, D9 {ln2Lo, p0}, D10 {1, p1}
// (S20 is 1), D11 {alpha, alpha}, D12 {p2, p3}, D13 {p4, p5} as scalars;
// Q9 magic (whose bits are also the int32 0x4b400000), Q10 1, Q11 the
// int32 127, Q12 hiX, Q13 loX, Q14 +Inf, Q15 the sign bit as vectors.
DATA expc<>+0(SB)/4, $0x3fb8aa3b  // log2e
DATA expc<>+4(SB)/4, $0x3f318000  // ln2Hi
DATA expc<>+8(SB)/4, $0xb95e8083  // ln2Lo
DATA expc<>+12(SB)/4, $0x39506967 // p0
DATA expc<>+16(SB)/4, $0x3f800000 // 1
DATA expc<>+20(SB)/4, $0x3ab743ce // p1
DATA expc<>+24(SB)/4, $0x3c088908 // p2
DATA expc<>+28(SB)/4, $0x3d2aa9c1 // p3
DATA expc<>+32(SB)/4, $0x3e2aaaaa // p4
DATA expc<>+36(SB)/4, $0x3f000000 // p5
DATA expc<>+40(SB)/4, $0x4b400000 // magic
DATA expc<>+44(SB)/4, $0x0000007f // 127
DATA expc<>+48(SB)/4, $0x42b17218 // hiX
DATA expc<>+52(SB)/4, $0xc2aeac50 // loX
DATA expc<>+56(SB)/4, $0x7f800000 // +Inf
DATA expc<>+60(SB)/4, $0x80000000 // sign bit
GLOBL expc<>(SB), RODATA|NOPTR, $64

// EXPCORE splits Qx into n*ln2 + r, n in Q8 (int32 lanes), and sets Q1
// to exp(r); Q3 and Q7 (r) are scratch. The polynomial's steps alternate
// between Q1 and Q3, each a constant plus a product.
#define EXPCORE(x) \
	VORRQ(3, 9, 9) \
	VMLAQS(3, x, 8, 0) \
	VSUBQ(1, 3, 9) \
	VORRQ(7, x, x) \
	VMLSQS(7, 1, 8, 1) \
	VMLSQS(7, 1, 9, 0) \
	VSUBI32Q(8, 3, 9) \
	VDUPQS(1, 10, 1) \
	VMLAQS(1, 7, 9, 1) \
	VDUPQS(3, 12, 0) \
	VMLAQ(3, 1, 7) \
	VDUPQS(1, 12, 1) \
	VMLAQ(1, 3, 7) \
	VDUPQS(3, 13, 0) \
	VMLAQ(3, 1, 7) \
	VDUPQS(1, 13, 1) \
	VMLAQ(1, 3, 7) \
	VMULQ(3, 1, 7) \
	VORRQ(1, 7, 7) \
	VMLAQ(1, 3, 7) \
	VADDQ(1, 1, 10)

// SCALE multiplies Q1 by 2^n for n in [-126, 127].
#define SCALE \
	VADDI32Q(8, 8, 11) \
	VSHLI32Q(8, 8, 23) \
	VMULQ(1, 1, 8)

// TINY sets Q1 to 0 where Qx < loX.
#define TINY(x) \
	VCGTQ(3, 13, x) \
	VBICQ(1, 1, 3)

// SIGMOIDE sets Q1 = e = exp(Q2) for Q2 <= 0 (n <= 0: no 2^128 to
// scale, no overflow), Q3 = 1/(1+e) and Q7 = e/(1+e).
#define SIGMOIDE \
	EXPCORE(2) \
	SCALE \
	TINY(2) \
	VADDQ(3, 1, 10) \
	VDIVF32(12, 20, 12) \
	VDIVF32(13, 20, 13) \
	VDIVF32(14, 20, 14) \
	VDIVF32(15, 20, 15) \
	VMULQ(7, 3, 1)

// func expNEON(k expKind, d, x []float32, alpha float32)
TEXT ·expNEON(SB), NOSPLIT, $0-32
	MOVW k+0(FP), R5
	MOVW d_base+4(FP), R0
	MOVW d_len+8(FP), R2
	MOVW x_base+16(FP), R1
	MOVW $alpha+28(FP), R3
	MOVW $expc<>(SB), R4
	VLD1x3(8, 4, 13)
	VLD1x2(12, 4, 13)
	VLD1DUP1(11, 3, 15)
	VLD1DUP2(18, 4, 13)
	VDUPQS(10, 10, 0)
	VLD1DUP2(22, 4, 13)
	VLD1DUP2(24, 4, 13)
	VLD1DUP2(26, 4, 13)
	VLD1DUP2(28, 4, 13)
	VLD1DUP2(30, 4, 13)
	MOVW R2>>2, R2
	CMP  $0, R2
	BEQ  done
	CMP  $1, R5
	BLO  exp
	BEQ  sigmoid

swish: // x * sigmoid(alpha*x), alpha*x computed again for its sign
	VLD1x2(0, 1, 13)
	VMULQS(2, 0, 11, 0)
	VORRQ(2, 2, 15)
	SIGMOIDE
	VMULQS(8, 0, 11, 0)
	VCLTZQ(8, 8)
	VBSLQ(8, 7, 3)
	VMULQ(8, 0, 8)
	VST1x2(16, 0, 13)
	SUB.S $1, R2
	BNE   swish
	RET

exp:
	VLD1x2(0, 1, 13)
	EXPCORE(0)
	VCGTS32Q(3, 8, 11) // n = 128: y doubled, n decremented
	VADDI32Q(8, 8, 3)
	VANDQ(3, 1, 3)
	VADDQ(1, 1, 3)
	SCALE
	VCGTQ(3, 0, 12)    // +Inf above hiX
	VBITQ(1, 14, 3)
	TINY(0)
	VST1x2(2, 0, 13)
	SUB.S $1, R2
	BNE   exp
	RET

sigmoid: // 1/(1+e) for x >= 0, e/(1+e) below, e = exp(-|x|)
	VLD1x2(0, 1, 13)
	VORRQ(2, 0, 15)
	SIGMOIDE
	VCLTZQ(8, 0)
	VBSLQ(8, 7, 3)
	VST1x2(16, 0, 13)
	SUB.S $1, R2
	BNE   sigmoid

done:
	RET
