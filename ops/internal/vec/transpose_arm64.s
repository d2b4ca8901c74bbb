//go:build !noasm

#include "textflag.h"

// func transpose4NEON(dst []float32, ldd int, src []float32, lds int, blocks int)
//
// Each 4x4 block: rows in V0-V3; TRN1/TRN2 pair up rows 0-1 and 2-3 by
// even and odd columns (V4-V7), ZIP1/ZIP2 on 64-bit halves join them into
// whole columns (V16-V19), stored as rows of dst.
TEXT ·transpose4NEON(SB), NOSPLIT, $0-72
	MOVD dst_base+0(FP), R0
	MOVD ldd+24(FP), R2
	MOVD src_base+32(FP), R1
	MOVD lds+56(FP), R3
	MOVD blocks+64(FP), R4
	LSL  $2, R2, R2
	LSL  $2, R3, R3
	CBZ  R4, done

loop:
	MOVD  R1, R5
	VLD1  (R5), [V0.S4]
	ADD   R3, R5, R5
	VLD1  (R5), [V1.S4]
	ADD   R3, R5, R5
	VLD1  (R5), [V2.S4]
	ADD   R3, R5, R5
	VLD1  (R5), [V3.S4]
	VTRN1 V1.S4, V0.S4, V4.S4
	VTRN2 V1.S4, V0.S4, V5.S4
	VTRN1 V3.S4, V2.S4, V6.S4
	VTRN2 V3.S4, V2.S4, V7.S4
	VZIP1 V6.D2, V4.D2, V16.D2
	VZIP1 V7.D2, V5.D2, V17.D2
	VZIP2 V6.D2, V4.D2, V18.D2
	VZIP2 V7.D2, V5.D2, V19.D2
	VST1  [V16.S4], (R0)
	ADD   R2, R0, R0
	VST1  [V17.S4], (R0)
	ADD   R2, R0, R0
	VST1  [V18.S4], (R0)
	ADD   R2, R0, R0
	VST1  [V19.S4], (R0)
	ADD   R2, R0, R0
	ADD   $16, R1, R1
	SUB   $1, R4, R4
	CBNZ  R4, loop

done:
	RET
