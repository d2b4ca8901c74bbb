//go:build !noasm

#include "textflag.h"

// FMAXV is FMAX Vd.4S, Vn.4S, Vm.4S (see max_arm64.s).
#define FMAXV(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))

// func max3x3s2NEON(dst, r0, r1, r2 []float32)
//
// Per 4 outputs: for each row, LD2 splits src[2i:2i+8] into even and odd
// values, and src[2i+1:2i+9] into odd and even ones, the even ones being
// src[2i+2], ..., src[2i+8] (a load from 2i+2 would read one value past
// the last window); FMAX joins the nine.
TEXT ·max3x3s2NEON(SB), NOSPLIT, $0-96
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD r0_base+24(FP), R1
	MOVD r1_base+48(FP), R4
	MOVD r2_base+72(FP), R5
	LSR  $2, R2, R2
	CBZ  R2, done

loop:
	ADD    $4, R1, R3
	VLD2   (R3), [V2.S4, V3.S4]
	VLD2.P 32(R1), [V0.S4, V1.S4]
	FMAXV(0, 0, 1)
	FMAXV(0, 0, 3)
	ADD    $4, R4, R3
	VLD2   (R3), [V2.S4, V3.S4]
	VLD2.P 32(R4), [V4.S4, V5.S4]
	FMAXV(0, 0, 4)
	FMAXV(0, 0, 5)
	FMAXV(0, 0, 3)
	ADD    $4, R5, R3
	VLD2   (R3), [V2.S4, V3.S4]
	VLD2.P 32(R5), [V4.S4, V5.S4]
	FMAXV(0, 0, 4)
	FMAXV(0, 0, 5)
	FMAXV(0, 0, 3)
	VST1.P [V0.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, loop

done:
	RET

// COL3S1 loads the three rows' values at byte offset off (4 of them,
// R3 the scratch address) and maxes them into V(d), with V(t) scratch.
#define COL3S1(off, d, vd, t, vt) \
	ADD  $off, R1, R3; \
	VLD1 (R3), [vd.S4]; \
	ADD  $off, R4, R3; \
	VLD1 (R3), [vt.S4]; \
	FMAXV(d, d, t); \
	ADD  $off, R5, R3; \
	VLD1 (R3), [vt.S4]; \
	FMAXV(d, d, t)

// func max3x3s1NEON(dst, r0, r1, r2 []float32)
//
// Per 4 outputs: the three rows' values maxed column by column at
// offsets 0, 1 and 2 values, then the three maxed together.
TEXT ·max3x3s1NEON(SB), NOSPLIT, $0-96
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD r0_base+24(FP), R1
	MOVD r1_base+48(FP), R4
	MOVD r2_base+72(FP), R5
	LSR  $2, R2, R2
	CBZ  R2, done1

loop1:
	COL3S1(0, 0, V0, 3, V3)
	COL3S1(4, 1, V1, 3, V3)
	COL3S1(8, 2, V2, 3, V3)
	FMAXV(0, 0, 1)
	FMAXV(0, 0, 2)
	VST1.P [V0.S4], 16(R0)
	ADD    $16, R1, R1
	ADD    $16, R4, R4
	ADD    $16, R5, R5
	SUB    $1, R2, R2
	CBNZ   R2, loop1

done1:
	RET
