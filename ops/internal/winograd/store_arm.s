//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// CLIPROW biases (Q4) and clips (Q5, Q6) tile row Qr, stores it at R8,
// then advances R8 by a row of y (R3 bytes). VMAX and VMIN give the
// default NaN for a NaN, which stays NaN as Store requires.
#define CLIPROW(r) \
	VADDQ(r, r, 4); \
	VMAXQ(r, r, 5); \
	VMINQ(r, r, 6); \
	VST1x2(2*(r), 8, 3)

// func storeNEON(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
//
// store_arm64.s's loop: per tile, its offset (R6), its bias in every lane
// of Q4 and its 4 rows (Q0-Q3) loaded, the rows stored unless the offset
// is negative.
TEXT ·storeNEON(SB), NOSPLIT, $0-32
	MOVW y+0(FP), R0
	MOVW offs+4(FP), R1
	MOVW ldy+8(FP), R3
	MOVW R3<<2, R3
	MOVW o+12(FP), R2
	MOVW n+16(FP), R4
	MOVW bias+20(FP), R5
	MOVW $lo+24(FP), R7
	VLD1DUP2(10, 7, 13)
	VLD1DUP2(12, 7, 15)

tile:
	MOVW.P 4(R1), R6
	VLD1DUP2(8, 5, 13)
	VLD1x4(0, 2, 13)
	VLD1x4(4, 2, 13)
	CMP    $0, R6
	BLT    next
	ADD    R6<<2, R0, R8
	CLIPROW(0)
	CLIPROW(1)
	CLIPROW(2)
	CLIPROW(3)

next:
	SUB.S $1, R4
	BNE   tile
	RET
