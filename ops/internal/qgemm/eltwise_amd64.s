//go:build !noasm

#include "textflag.h"

// func quantizeAVX512(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)
//
// Sixteen values per step, the last under a mask: divided by the scale,
// clamped to [lo, hi] (the range minus the zero point; NaN gives lo),
// rounded half to even, plus the zero point.
TEXT ·quantizeAVX512(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS scale+24(FP), Z4
	MOVL         zp+28(FP), R11
	VPBROADCASTD R11, Z5
	VBROADCASTSS lo+32(FP), Z6
	VBROADCASTSS hi+36(FP), Z7

qloop:
	TESTQ     CX, CX
	JLE       qdone
	MOVQ      $0xffff, R10
	CMPQ      CX, $16
	JGE       qfull
	MOVQ      $1, R10
	SHLQ      CX, R10
	DECQ      R10

qfull:
	KMOVQ     R10, K1
	VMOVUPS.Z (SI), K1, Z0
	VDIVPS    Z4, Z0, Z0
	VMAXPS    Z6, Z0, Z0
	VMINPS    Z7, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD    Z5, Z0, Z0
	VPMOVDB   Z0, K1, (DI)
	ADDQ      $64, SI
	ADDQ      $16, DI
	SUBQ      $16, CX
	JMP       qloop

qdone:
	VZEROUPPER
	RET

// LOADQ widens 16 bytes at (reg)(AX*1) to float32 in z, unsigned or
// signed as BX says (0: unsigned).
#define LOADQ(reg, z) \
	TESTQ       BX, BX; \
	JNE         3(PC); \
	VPMOVZXBD.Z (reg)(AX*1), K1, z; \
	JMP         2(PC); \
	VPMOVSXBD.Z (reg)(AX*1), K1, z; \
	VCVTDQ2PS   z, z

// func addScaledAVX512(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)
//
// Sixteen values per step, the last under a mask: b·rb + c, then a·ra
// plus that, each fused, clamped to [lo, hi], rounded half to even.
TEXT ·addScaledAVX512(SB), NOSPLIT, $0-53
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS ra+32(FP), Z4
	VBROADCASTSS rb+36(FP), Z5
	VBROADCASTSS c+40(FP), Z6
	VBROADCASTSS lo+44(FP), Z7
	VBROADCASTSS hi+48(FP), Z8
	MOVBQZX      signed+52(FP), BX
	XORQ         AX, AX

aloop:
	TESTQ   CX, CX
	JLE     adone
	MOVQ    $0xffff, R10
	CMPQ    CX, $16
	JGE     afull
	MOVQ    $1, R10
	SHLQ    CX, R10
	DECQ    R10

afull:
	KMOVQ       R10, K1
	VMOVAPS     Z6, Z2
	TESTQ       DX, DX
	JEQ         aonly
	LOADQ(DX, Z1)
	VFMADD231PS Z5, Z1, Z2

aonly:
	LOADQ(SI, Z0)
	VFMADD231PS Z4, Z0, Z2
	VMAXPS      Z7, Z2, Z2
	VMINPS      Z8, Z2, Z2
	VCVTPS2DQ   Z2, Z2
	VPMOVDB     Z2, K1, (DI)(AX*1)
	ADDQ        $16, AX
	SUBQ        $16, CX
	JMP         aloop

adone:
	VZEROUPPER
	RET

// func maxBytesAVX512(dst, src *byte, n int, signed bool)
//
// 64 values per step, the last under a mask; src is loaded before dst is
// stored, so it may run ahead of dst in one buffer.
TEXT ·maxBytesAVX512(SB), NOSPLIT, $0-25
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	MOVBQZX signed+24(FP), BX
	MOVQ    $-1, R12

mloop:
	TESTQ      CX, CX
	JLE        mdone
	MOVQ       $64, DX
	CMPQ       CX, DX
	CMOVQLT    CX, DX
	BZHIQ      DX, R12, R13
	KMOVQ      R13, K1
	VMOVDQU8.Z (SI), K1, Z0
	VMOVDQU8.Z (DI), K1, Z1
	TESTQ      BX, BX
	JNE        msigned
	VPMAXUB    Z0, Z1, Z1
	JMP        mstore

msigned:
	VPMAXSB Z0, Z1, Z1

mstore:
	VMOVDQU8 Z1, K1, (DI)
	ADDQ     $64, SI
	ADDQ     $64, DI
	SUBQ     $64, CX
	JMP      mloop

mdone:
	VZEROUPPER
	RET
