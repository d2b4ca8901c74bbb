//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// The activation loops: d = f(x) over whole vectors. R0 and R1 point at d
// and x; R3 counts blocks of four vectors, R4 the single vectors after
// them. x is loaded into V0-V3, f(x) made in V16-V19 with scratch
// V20-V23; the parameters a and b are in V24 and V25, 1 in V26.
//
// Compares and bit selects keep NaN and -0 where the Go loops' tests do
// (FMAX and FMIN would not keep -0, nor x for a NaN bound).
#define U_RELU(x, d, t) FCMLT0V(t, x); BICV(d, x, t)
#define U_CLIP(x, d, t) FCMGTV(d, 24, x); BSLV(d, 24, x); FCMGTV(t, d, 25); BITV(d, 25, t)
#define U_LEAKY(x, d, t) FMULV(t, x, 24); FCMLT0V(d, x); BSLV(d, t, x)
#define U_HSIG(x, d, t) FMULV(d, x, 24); FADDV(d, d, 25); FCMLT0V(t, d); BICV(d, d, t); FCMGTV(t, d, 26); BITV(d, 26, t)
#define U_HSWISH(x, d, t) U_HSIG(x, d, t); FMULV(d, x, d)

// ULOOP_NEON runs OP over blocks of four vectors, then over single ones,
// then jumps to done.
#define ULOOP_NEON(OP, four, one) \
four: \
	CBZ    R3, one \
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4] \
	OP(0, 16, 20) \
	OP(1, 17, 21) \
	OP(2, 18, 22) \
	OP(3, 19, 23) \
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R0) \
	SUB    $1, R3, R3 \
	B      four \
one: \
	CBZ    R4, done \
	VLD1.P 16(R1), [V0.S4] \
	OP(0, 16, 20) \
	VST1.P [V16.S4], 16(R0) \
	SUB    $1, R4, R4 \
	B      one

// func unaryNEON(k unary, d, x []float32, a, b float32)
TEXT ·unaryNEON(SB), NOSPLIT, $0-64
	MOVD  k+0(FP), R8
	MOVD  d_base+8(FP), R0
	MOVD  d_len+16(FP), R3
	MOVD  x_base+32(FP), R1
	FMOVS a+56(FP), F24
	FMOVS b+60(FP), F25
	FMOVS $1.0, F26
	VDUP  V24.S[0], V24.S4
	VDUP  V25.S[0], V25.S4
	VDUP  V26.S[0], V26.S4
	LSR   $2, R3, R4
	AND   $3, R4, R4
	LSR   $4, R3, R3
	CMP   $1, R8
	BLO   relu4
	BEQ   clip4
	CMP   $3, R8
	BLO   leaky4
	BEQ   hsig4
	B     hswish4
	ULOOP_NEON(U_RELU, relu4, relu1)
	ULOOP_NEON(U_CLIP, clip4, clip1)
	ULOOP_NEON(U_LEAKY, leaky4, leaky1)
	ULOOP_NEON(U_HSIG, hsig4, hsig1)
	ULOOP_NEON(U_HSWISH, hswish4, hswish1)

done:
	RET
