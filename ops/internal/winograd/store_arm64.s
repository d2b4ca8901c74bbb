//go:build !noasm

#include "textflag.h"
#include "neon.h"

// CLIPROW biases (V4) and clips (V5, V6) tile row register vr (number r),
// stores it at R10, then advances R10 by a row of y (R3 bytes).
#define CLIPROW(r, vr) \
	FADDV(r, r, 4); \
	FMAXV(r, r, 5); \
	FMINV(r, r, 6); \
	VST1  [vr.S4], (R10); \
	ADD   R3, R10, R10

// func storeNEON(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
TEXT ·storeNEON(SB), NOSPLIT, $0-56
	STOREARGS

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
