//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// The exp family over whole vectors of d (len(d) a multiple of 4):
// exp.go's Go loops, with the multiply-adds fused as Go's arm64 compiler
// fuses them, so the results are the Go loops' bit for bit. R0 and R1
// point at d and x, R2 counts the vectors.

// expc holds the constants in the order of the registers they are
// loaded into: V16 log2e, V17 magic (whose bits are also the int32
// 0x4b400000), V18 ln2Hi, V19 ln2Lo, V20-V25 exp's polynomial, V26 1, V27
// the int32 127, V28 hiX, V29 loX, V30 +Inf, V31 the sign bit; then
// tanh's: V8 2, V9 10, V10 0.625, V11-V15 its polynomial.
DATA expc<>+0(SB)/4, $0x3fb8aa3b
DATA expc<>+4(SB)/4, $0x4b400000
DATA expc<>+8(SB)/4, $0x3f318000
DATA expc<>+12(SB)/4, $0xb95e8083
DATA expc<>+16(SB)/4, $0x39506967
DATA expc<>+20(SB)/4, $0x3ab743ce
DATA expc<>+24(SB)/4, $0x3c088908
DATA expc<>+28(SB)/4, $0x3d2aa9c1
DATA expc<>+32(SB)/4, $0x3e2aaaaa
DATA expc<>+36(SB)/4, $0x3f000000
DATA expc<>+40(SB)/4, $0x3f800000
DATA expc<>+44(SB)/4, $0x0000007f
DATA expc<>+48(SB)/4, $0x42b17218
DATA expc<>+52(SB)/4, $0xc2aeac50
DATA expc<>+56(SB)/4, $0x7f800000
DATA expc<>+60(SB)/4, $0x80000000
DATA expc<>+64(SB)/4, $0x40000000
DATA expc<>+68(SB)/4, $0x41200000
DATA expc<>+72(SB)/4, $0x3f200000
DATA expc<>+76(SB)/4, $0xbbbaf0ea
DATA expc<>+80(SB)/4, $0x3ca9134e
DATA expc<>+84(SB)/4, $0xbd5c1e2d
DATA expc<>+88(SB)/4, $0x3e088393
DATA expc<>+92(SB)/4, $0xbeaaaa99
GLOBL expc<>(SB), RODATA|NOPTR, $96

// EXPCORE_NEON splits Vx into n*ln2 + r, n in Vn (int32 lanes), and sets
// Vy to exp(r); Vt and Vr are scratch. The polynomial's steps alternate
// between Vy and Vt, each a constant plus a fused product.
#define EXPCORE_NEON(x, y, t, r, n) \
	MOVV(t, 17) \
	FMLAV(t, x, 16) \
	FSUBV(y, t, 17) \
	MOVV(r, x) \
	FMLSV(r, y, 18) \
	FMLSV(r, y, 19) \
	SUB4S(n, t, 17) \
	MOVV(y, 21) \
	FMLAV(y, r, 20) \
	MOVV(t, 22) \
	FMLAV(t, y, r) \
	MOVV(y, 23) \
	FMLAV(y, t, r) \
	MOVV(t, 24) \
	FMLAV(t, y, r) \
	MOVV(y, 25) \
	FMLAV(y, t, r) \
	FMULV(t, y, r) \
	MOVV(y, r) \
	FMLAV(y, t, r) \
	FADDV(y, y, 26)

// BIGN_NEON doubles Vy and decrements Vn where n is 128.
#define BIGN_NEON(y, n, t) \
	CMGT4S(t, n, 27) \
	ADD4S(n, n, t) \
	ANDV(t, y, t) \
	FADDV(y, y, t)

// SCALE_NEON multiplies Vy by 2^n for n in [-126, 127].
#define SCALE_NEON(y, n) \
	ADD4S(n, n, 27) \
	SHL23V(n, n) \
	FMULV(y, y, n)

// HUGE_NEON and TINY_NEON set Vy to +Inf where x > hiX and to 0 where x
// < loX.
#define HUGE_NEON(x, y, t) \
	FCMGTV(t, x, 28) \
	BITV(y, 30, t)

#define TINY_NEON(x, y, t) \
	FCMGTV(t, 29, x) \
	BICV(y, y, t)

// SIGMOID_NEON sets Vy = sigmoid(Vx); V2-V6 are scratch.
#define SIGMOID_NEON(x, y) \
	ORRV(6, x, 31) \
	EXPCORE_NEON(6, y, 2, 3, 4) \
	SCALE_NEON(y, 4) \
	TINY_NEON(6, y, 5) \
	FADDV(2, y, 26) \
	FDIVV(2, 26, 2) \
	FMULV(3, 2, y) \
	CMLT0V(y, x) \
	BSLV(y, 3, 2)

// func expNEON(k expKind, d, x []float32, alpha float32)
TEXT ·expNEON(SB), NOSPLIT, $0-60
	MOVD    k+0(FP), R8
	MOVD    d_base+8(FP), R0
	MOVD    d_len+16(FP), R2
	MOVD    x_base+32(FP), R1
	MOVD    $expc<>(SB), R5
	VLD1R.P 4(R5), [V16.S4]
	VLD1R.P 4(R5), [V17.S4]
	VLD1R.P 4(R5), [V18.S4]
	VLD1R.P 4(R5), [V19.S4]
	VLD1R.P 4(R5), [V20.S4]
	VLD1R.P 4(R5), [V21.S4]
	VLD1R.P 4(R5), [V22.S4]
	VLD1R.P 4(R5), [V23.S4]
	VLD1R.P 4(R5), [V24.S4]
	VLD1R.P 4(R5), [V25.S4]
	VLD1R.P 4(R5), [V26.S4]
	VLD1R.P 4(R5), [V27.S4]
	VLD1R.P 4(R5), [V28.S4]
	VLD1R.P 4(R5), [V29.S4]
	VLD1R.P 4(R5), [V30.S4]
	VLD1R.P 4(R5), [V31.S4]
	VLD1R.P 4(R5), [V8.S4]
	VLD1R.P 4(R5), [V9.S4]
	VLD1R.P 4(R5), [V10.S4]
	VLD1R.P 4(R5), [V11.S4]
	VLD1R.P 4(R5), [V12.S4]
	VLD1R.P 4(R5), [V13.S4]
	VLD1R.P 4(R5), [V14.S4]
	VLD1R.P 4(R5), [V15.S4]
	LSR     $2, R2, R2
	CBZ     R2, done
	CMP     $1, R8
	BLO     exp
	BEQ     sigmoid
	CMP     $3, R8
	BLO     tanh
	FMOVS   alpha+56(FP), F8
	VDUP    V8.S[0], V8.S4
	B       swish

exp:
	VLD1.P 16(R1), [V0.S4]
	EXPCORE_NEON(0, 1, 2, 3, 4)
	BIGN_NEON(1, 4, 5)
	SCALE_NEON(1, 4)
	HUGE_NEON(0, 1, 5)
	TINY_NEON(0, 1, 5)
	VST1.P [V1.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, exp
	RET

sigmoid:
	VLD1.P 16(R1), [V0.S4]
	SIGMOID_NEON(0, 1)
	VST1.P [V1.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, sigmoid
	RET

swish: // x * sigmoid(alpha*x)
	VLD1.P 16(R1), [V0.S4]
	FMULV(7, 0, 8)
	SIGMOID_NEON(7, 1)
	FMULV(1, 0, 1)
	VST1.P [V1.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, swish
	RET

tanh: // e = exp(2 min(|x|, 10)) needs no range checks
	VLD1.P 16(R1), [V0.S4]
	BICV(6, 0, 31)
	FMINV(7, 6, 9)
	FADDV(7, 7, 7)
	EXPCORE_NEON(7, 1, 2, 3, 4)
	SCALE_NEON(1, 4)
	FADDV(2, 1, 26) // |x| > 0.625: ±(1 - 2/(e+1))
	FDIVV(2, 8, 2)
	FSUBV(2, 26, 2)
	ANDV(3, 0, 31)
	EORV(2, 2, 3)
	FMULV(3, 0, 0)  // else x + x*s*p(s) for s = x*x
	MOVV(4, 12)
	FMLAV(4, 11, 3)
	MOVV(5, 13)
	FMLAV(5, 4, 3)
	MOVV(4, 14)
	FMLAV(4, 5, 3)
	MOVV(5, 15)
	FMLAV(5, 4, 3)
	FMULV(3, 0, 3)
	MOVV(4, 0)
	FMLAV(4, 3, 5)
	FCMGTV(1, 6, 10)
	BSLV(1, 2, 4)
	VST1.P [V1.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, tanh

done:
	RET
