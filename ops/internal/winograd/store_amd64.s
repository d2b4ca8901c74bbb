//go:build !noasm

#include "textflag.h"

// CLIPROW biases and clips row a (byte offset off) of the tile at R8 and
// stores it at R10, then advances R10 by a row of y (DX bytes). The
// operand order of MAXPS and MINPS returns the value when it is NaN.
#define CLIPROW(off) \
	MOVUPS off(R8), X0; \
	ADDPS  X13, X0; \
	MOVAPS X14, X1; \
	MAXPS  X0, X1; \
	MOVAPS X15, X0; \
	MINPS  X1, X0; \
	MOVUPS X0, (R10); \
	ADDQ   DX, R10

// func storeSSE(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
TEXT ·storeSSE(SB), NOSPLIT, $0-56
	MOVQ   y+0(FP), DI
	MOVQ   offs+8(FP), SI
	MOVQ   ldy+16(FP), DX
	SHLQ   $2, DX
	MOVQ   o+24(FP), R8
	MOVQ   n+32(FP), CX
	MOVQ   bias+40(FP), R9
	MOVSS  lo+48(FP), X14
	SHUFPS $0, X14, X14
	MOVSS  hi+52(FP), X15
	SHUFPS $0, X15, X15

tile:
	MOVLQSX (SI), AX
	TESTQ   AX, AX
	JS      next
	LEAQ    (DI)(AX*4), R10
	MOVSS   (R9), X13
	SHUFPS  $0, X13, X13
	CLIPROW(0)
	CLIPROW(16)
	CLIPROW(32)
	CLIPROW(48)

next:
	ADDQ    $64, R8
	ADDQ    $4, SI
	ADDQ    $4, R9
	DECQ    CX
	JNZ     tile
	RET
