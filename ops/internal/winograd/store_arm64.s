//go:build !noasm

#include "textflag.h"

// FMAXV and FMINV are FMAX and FMIN Vd.4S, Vn.4S, Vm.4S (NaN when either
// operand is NaN).
#define FMAXV(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))
#define FMINV(d, n, m) WORD $(0x4EA0F400 | (m)<<16 | (n)<<5 | (d))
#define FADDV4(d, n, m) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))

// CLIPROW biases (V4) and clips (V5, V6) tile row register vr (number r),
// stores it at R10, then advances R10 by a row of y (R3 bytes).
#define CLIPROW(r, vr) \
	FADDV4(r, r, 4); \
	FMAXV(r, r, 5); \
	FMINV(r, r, 6); \
	VST1  [vr.S4], (R10); \
	ADD   R3, R10, R10

// func storeNEON(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
TEXT ·storeNEON(SB), NOSPLIT, $0-56
	MOVD  y+0(FP), R0
	MOVD  offs+8(FP), R1
	MOVD  ldy+16(FP), R3
	LSL   $2, R3, R3
	MOVD  o+24(FP), R2
	MOVD  n+32(FP), R4
	MOVD  bias+40(FP), R5
	FMOVS lo+48(FP), F5
	VDUP  V5.S[0], V5.S4
	FMOVS hi+52(FP), F6
	VDUP  V6.S[0], V6.S4

tile:
	MOVW   (R1), R6
	ADD    $4, R1, R1
	VLD1R  (R5), [V4.S4]
	ADD    $4, R5, R5
	VLD1.P 64(R2), [V0.S4, V1.S4, V2.S4, V3.S4]
	TBNZ   $31, R6, next
	ADD    R6<<2, R0, R10
	CLIPROW(0, V0)
	CLIPROW(1, V1)
	CLIPROW(2, V2)
	CLIPROW(3, V3)

next:
	SUB    $1, R4, R4
	CBNZ   R4, tile
	RET
