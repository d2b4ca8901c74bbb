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

// LOADI widens 16 bytes at (reg)(AX*1) to int32 in z, unsigned or
// signed as BX says (0: unsigned); LOADQ, to float32.
#define LOADI(reg, z) \
	TESTQ       BX, BX; \
	JNE         3(PC); \
	VPMOVZXBD.Z (reg)(AX*1), K1, z; \
	JMP         2(PC); \
	VPMOVSXBD.Z (reg)(AX*1), K1, z

#define LOADQ(reg, z) \
	LOADI(reg, z); \
	VCVTDQ2PS z, z

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

// func mulScaledAVX512(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)
//
// Sixteen values per step, the last under a mask: (a - za)·(b - zb) in
// int32 (b nil: zb is the second factor), converted to float32, times r,
// plus c, clamped to [lo, hi], rounded half to even.
TEXT ·mulScaledAVX512(SB), NOSPLIT, $0-57
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVL         za+32(FP), R11
	VPBROADCASTD R11, Z9
	MOVL         zb+36(FP), R11
	VPBROADCASTD R11, Z10
	VBROADCASTSS r+40(FP), Z4
	VBROADCASTSS c+44(FP), Z6
	VBROADCASTSS lo+48(FP), Z7
	VBROADCASTSS hi+52(FP), Z8
	MOVBQZX      signed+56(FP), BX
	XORQ         AX, AX

mloop:
	TESTQ CX, CX
	JLE   mdone
	MOVQ  $0xffff, R10
	CMPQ  CX, $16
	JGE   mfull
	MOVQ  $1, R10
	SHLQ  CX, R10
	DECQ  R10

mfull:
	KMOVQ     R10, K1
	LOADI(SI, Z0)
	VPSUBD    Z9, Z0, Z0
	VMOVDQA32 Z10, Z1
	TESTQ     DX, DX
	JEQ       mconst
	LOADI(DX, Z1)
	VPSUBD    Z10, Z1, Z1

mconst:
	VPMULLD   Z1, Z0, Z0
	VCVTDQ2PS Z0, Z0
	VMULPS    Z4, Z0, Z0
	VADDPS    Z6, Z0, Z0
	VMAXPS    Z7, Z0, Z0
	VMINPS    Z8, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPMOVDB   Z0, K1, (DI)(AX*1)
	ADDQ      $16, AX
	SUBQ      $16, CX
	JMP       mloop

mdone:
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

// func lookupAVX512(dst, src *byte, n int, table *[256]byte)
//
// 64 values per step, the last under a mask: two VPERMI2B look each byte
// up in the table's lower and upper halves, and its top bit picks one.
TEXT ·lookupAVX512(SB), NOSPLIT, $0-32
	MOVQ      dst+0(FP), DI
	MOVQ      src+8(FP), SI
	MOVQ      n+16(FP), CX
	MOVQ      table+24(FP), DX
	VMOVDQU64 (DX), Z4
	VMOVDQU64 64(DX), Z5
	VMOVDQU64 128(DX), Z6
	VMOVDQU64 192(DX), Z7
	MOVQ      $-1, R12

lloop:
	TESTQ      CX, CX
	JLE        ldone
	MOVQ       $64, BX
	CMPQ       CX, BX
	CMOVQLT    CX, BX
	BZHIQ      BX, R12, R13
	KMOVQ      R13, K1
	VMOVDQU8.Z (SI), K1, Z0
	VMOVDQA64  Z0, Z1
	VPERMI2B   Z5, Z4, Z1
	VMOVDQA64  Z0, Z2
	VPERMI2B   Z7, Z6, Z2
	VPMOVB2M   Z0, K2
	VMOVDQU8   Z2, K2, Z1
	VMOVDQU8   Z1, K1, (DI)
	ADDQ       $64, SI
	ADDQ       $64, DI
	SUBQ       $64, CX
	JMP        lloop

ldone:
	VZEROUPPER
	RET

// The byte indices of VPERMB that gather a vector's even and odd bytes
// into its lower half (and again into its upper half).
DATA evenBytes<>+0(SB)/8, $0x0e0c0a0806040200
DATA evenBytes<>+8(SB)/8, $0x1e1c1a1816141210
DATA evenBytes<>+16(SB)/8, $0x2e2c2a2826242220
DATA evenBytes<>+24(SB)/8, $0x3e3c3a3836343230
DATA evenBytes<>+32(SB)/8, $0x0e0c0a0806040200
DATA evenBytes<>+40(SB)/8, $0x1e1c1a1816141210
DATA evenBytes<>+48(SB)/8, $0x2e2c2a2826242220
DATA evenBytes<>+56(SB)/8, $0x3e3c3a3836343230
GLOBL evenBytes<>(SB), RODATA|NOPTR, $64

DATA oddBytes<>+0(SB)/8, $0x0f0d0b0907050301
DATA oddBytes<>+8(SB)/8, $0x1f1d1b1917151311
DATA oddBytes<>+16(SB)/8, $0x2f2d2b2927252321
DATA oddBytes<>+24(SB)/8, $0x3f3d3b3937353331
DATA oddBytes<>+32(SB)/8, $0x0f0d0b0907050301
DATA oddBytes<>+40(SB)/8, $0x1f1d1b1917151311
DATA oddBytes<>+48(SB)/8, $0x2f2d2b2927252321
DATA oddBytes<>+56(SB)/8, $0x3f3d3b3937353331
GLOBL oddBytes<>(SB), RODATA|NOPTR, $64

// func max3s2BytesAVX512(dst, src *byte, n, m int, signed bool)
//
// 32 outputs per step from 64 bytes of src and 64 more two bytes on, each
// load and the store under masks for the m bytes of src and n of dst left:
// dst[i] = max(src[2i], src[2i+1], src[2i+2]), the even and odd bytes
// gathered with VPERMB.
TEXT ·max3s2BytesAVX512(SB), NOSPLIT, $0-33
	MOVQ      dst+0(FP), DI
	MOVQ      src+8(FP), SI
	MOVQ      n+16(FP), CX
	MOVQ      m+24(FP), DX
	MOVBQZX   signed+32(FP), BX
	VMOVDQU64 evenBytes<>(SB), Z6
	VMOVDQU64 oddBytes<>(SB), Z7
	MOVQ      $-1, R12

sloop:
	TESTQ      CX, CX
	JLE        sdone
	MOVQ       $64, R8
	CMPQ       DX, R8
	CMOVQLT    DX, R8
	BZHIQ      R8, R12, R13
	KMOVQ      R13, K1
	VMOVDQU8.Z (SI), K1, Z0
	MOVQ       DX, R9
	SUBQ       $2, R9
	XORQ       R10, R10
	CMPQ       R9, R10
	CMOVQLT    R10, R9
	MOVQ       $64, R8
	CMPQ       R9, R8
	CMOVQLT    R9, R8
	BZHIQ      R8, R12, R13
	KMOVQ      R13, K2
	VMOVDQU8.Z 2(SI), K2, Z1
	VPERMB     Z0, Z6, Z2
	VPERMB     Z0, Z7, Z3
	VPERMB     Z1, Z6, Z4
	TESTQ      BX, BX
	JNE        ssigned
	VPMAXUB    Z3, Z2, Z2
	VPMAXUB    Z4, Z2, Z2
	JMP        sstore

ssigned:
	VPMAXSB Z3, Z2, Z2
	VPMAXSB Z4, Z2, Z2

sstore:
	MOVQ     $32, R8
	CMPQ     CX, R8
	CMOVQLT  CX, R8
	BZHIQ    R8, R12, R13
	KMOVQ    R13, K3
	VMOVDQU8 Z2, K3, (DI)
	ADDQ     $64, SI
	SUBQ     $64, DX
	ADDQ     $32, DI
	SUBQ     $32, CX
	JMP      sloop

sdone:
	VZEROUPPER
	RET
