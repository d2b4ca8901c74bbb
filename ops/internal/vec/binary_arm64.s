//go:build !noasm

#include "textflag.h"
#include "neon_arm64.h"

// The binary loops: d = a op b over whole vectors, the operands being
// runs of a and b, or one of them a broadcast scalar. R0, R1 and R2 point
// at d, a and b; R3 counts blocks of four vectors, R4 the single vectors
// after them. The operands are in V0-V3 (a) and V4-V7 (b), the results
// in V16-V19, scratch in V20-V23; a scalar operand is broadcast into its
// four registers once and not loaded.

// The functions on register numbers: d = a op b, t scratch. Max is a
// where a > b or a is NaN (a != a), else b, as the Go loops (FMAX would
// give +0 for -0 and +0 either way round).
#define OP_ADD(a, b, d, t) FADDV(d, a, b)
#define OP_SUB(a, b, d, t) FSUBV(d, a, b)
#define OP_MUL(a, b, d, t) FMULV(d, a, b)
#define OP_DIV(a, b, d, t) FDIVV(d, a, b)
#define OP_MAX(a, b, d, t) FCMGTV(d, a, b); FCMEQV(t, a, a); ORNV(d, d, t); BSLV(d, a, b)
#define OP_MIN(a, b, d, t) FCMGTV(d, b, a); FCMEQV(t, a, a); ORNV(d, d, t); BSLV(d, a, b)

// The operands' loads, four vectors or one, and none for a scalar.
#define LOADA4 VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
#define LOADB4 VLD1.P 64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]
#define LOADA1 VLD1.P 16(R1), [V0.S4]
#define LOADB1 VLD1.P 16(R2), [V4.S4]
#define NOLOAD

// LOOP_NEON runs OP over blocks of four vectors, then over single ones,
// then jumps to done.
#define LOOP_NEON(OP, LA4, LB4, LA1, LB1, four, one) \
four: \
	CBZ    R3, one \
	LA4 \
	LB4 \
	OP(0, 4, 16, 20) \
	OP(1, 5, 17, 21) \
	OP(2, 6, 18, 22) \
	OP(3, 7, 19, 23) \
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R0) \
	SUB    $1, R3, R3 \
	B      four \
one: \
	CBZ    R4, done \
	LA1 \
	LB1 \
	OP(0, 4, 16, 20) \
	VST1.P [V16.S4], 16(R0) \
	SUB    $1, R4, R4 \
	B      one

// BINARY_NEON sets the counts from the length in R3, makes the loop of
// every function, and jumps to the one of the function in R8 (an Op).
#define BINARY_NEON(LA4, LB4, LA1, LB1) \
	LSR  $2, R3, R4 \
	AND  $3, R4, R4 \
	LSR  $4, R3, R3 \
	CMP  $1, R8 \
	BLO  add4 \
	BEQ  sub4 \
	CMP  $3, R8 \
	BLO  mul4 \
	BEQ  div4 \
	CMP  $5, R8 \
	BLO  max4 \
	B    min4 \
	LOOP_NEON(OP_ADD, LA4, LB4, LA1, LB1, add4, add1) \
	LOOP_NEON(OP_SUB, LA4, LB4, LA1, LB1, sub4, sub1) \
	LOOP_NEON(OP_MUL, LA4, LB4, LA1, LB1, mul4, mul1) \
	LOOP_NEON(OP_DIV, LA4, LB4, LA1, LB1, div4, div1) \
	LOOP_NEON(OP_MAX, LA4, LB4, LA1, LB1, max4, max1) \
	LOOP_NEON(OP_MIN, LA4, LB4, LA1, LB1, min4, min1) \
done: \
	RET

// func binaryNEON(op Op, d, a, b []float32)
TEXT ·binaryNEON(SB), NOSPLIT, $0-80
	MOVD op+0(FP), R8
	MOVD d_base+8(FP), R0
	MOVD d_len+16(FP), R3
	MOVD a_base+32(FP), R1
	MOVD b_base+56(FP), R2
	BINARY_NEON(LOADA4, LOADB4, LOADA1, LOADB1)

// func binaryScalarNEON(op Op, d, a []float32, s float32)
TEXT ·binaryScalarNEON(SB), NOSPLIT, $0-60
	MOVD  op+0(FP), R8
	MOVD  d_base+8(FP), R0
	MOVD  d_len+16(FP), R3
	MOVD  a_base+32(FP), R1
	FMOVS s+56(FP), F4
	VDUP  V4.S[0], V4.S4
	VMOV  V4.B16, V5.B16
	VMOV  V4.B16, V6.B16
	VMOV  V4.B16, V7.B16
	BINARY_NEON(LOADA4, NOLOAD, LOADA1, NOLOAD)

// func scalarBinaryNEON(op Op, d []float32, s float32, b []float32)
TEXT ·scalarBinaryNEON(SB), NOSPLIT, $0-64
	MOVD  op+0(FP), R8
	MOVD  d_base+8(FP), R0
	MOVD  d_len+16(FP), R3
	FMOVS s+32(FP), F0
	MOVD  b_base+40(FP), R2
	VDUP  V0.S[0], V0.S4
	VMOV  V0.B16, V1.B16
	VMOV  V0.B16, V2.B16
	VMOV  V0.B16, V3.B16
	BINARY_NEON(NOLOAD, LOADB4, NOLOAD, LOADB1)
