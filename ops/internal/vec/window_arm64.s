//go:build !noasm

#include "textflag.h"

// FMAXV is FMAX Vd.4S, Vn.4S, Vm.4S (see max_arm64.s).
#define FMAXV(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))

// MAX3S2 is 4 outputs of Max3x3S2 at R0 from the rows at R1, R4 and R5,
// advancing R0 by 4 values and the rows by 8 (R3 scratch). For each row,
// LD2 splits src[2i:2i+8] into even and odd values, and src[2i+1:2i+9]
// into odd and even ones, the even ones being src[2i+2], ..., src[2i+8]
// (a load from 2i+2 would read one value past the last window); FMAX
// joins the nine.
#define MAX3S2 \
	ADD    $4, R1, R3; \
	VLD2   (R3), [V2.S4, V3.S4]; \
	VLD2.P 32(R1), [V0.S4, V1.S4]; \
	FMAXV(0, 0, 1); \
	FMAXV(0, 0, 3); \
	MAXROW3(R4); \
	MAXROW3(R5); \
	VST1.P [V0.S4], 16(R0)

// MAXROW3 maxes the three values of each of 4 windows of the row at r
// into V0 (as MAX3S2 does its first row), advancing r by 8 values.
#define MAXROW3(r) \
	ADD    $4, r, R3; \
	VLD2   (R3), [V2.S4, V3.S4]; \
	VLD2.P 32(r), [V4.S4, V5.S4]; \
	FMAXV(0, 0, 4); \
	FMAXV(0, 0, 5); \
	FMAXV(0, 0, 3)

// func max3x3s2NEON(dst, r0, r1, r2 []float32)
TEXT ·max3x3s2NEON(SB), NOSPLIT, $0-96
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD r0_base+24(FP), R1
	MOVD r1_base+48(FP), R4
	MOVD r2_base+72(FP), R5
	LSR  $2, R2, R2
	CBZ  R2, done

loop:
	MAX3S2
	SUB  $1, R2, R2
	CBNZ R2, loop

done:
	RET

// func max3x3s2RowsNEON(dst *float32, ldd int, src *float32, w, n, rows int)
//
// Max3x3S2Rows for n >= 4: each output row as max3x3s2NEON, its last n
// mod 4 outputs as one more block overlapping the one before; the rows
// advance dst by ldd values and src by 2w.
TEXT ·max3x3s2RowsNEON(SB), NOSPLIT, $0-48
	MOVD dst+0(FP), R6
	MOVD ldd+8(FP), R7
	LSL  $2, R7, R7
	MOVD src+16(FP), R8
	MOVD w+24(FP), R9
	LSL  $2, R9, R9
	MOVD n+32(FP), R10
	MOVD rows+40(FP), R11
	LSL  $1, R9, R12
	SUB  $4, R10, R13
	LSL  $2, R13, R14
	LSL  $3, R13, R15

row:
	MOVD R6, R0
	MOVD R8, R1
	ADD  R9, R8, R4
	ADD  R9, R4, R5
	LSR  $2, R10, R2

block:
	MAX3S2
	SUB  $1, R2, R2
	CBNZ R2, block
	TST  $3, R10
	BEQ  next
	ADD  R14, R6, R0
	ADD  R15, R8, R1
	ADD  R9, R1, R4
	ADD  R9, R4, R5
	MAX3S2

next:
	ADD  R7, R6, R6
	ADD  R12, R8, R8
	SUBS $1, R11, R11
	BNE  row
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
