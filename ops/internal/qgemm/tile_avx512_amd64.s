//go:build !noasm

#include "textflag.h"

// The AVX-512 VNNI tile kernel: an 8x32 tile of int32 sums in Z0-Z15 (row
// r in Z(2r), columns 0-15, and Z(2r+1), columns 16-31). Each k step loads
// the 32 columns' four bytes (uint8) into Z16 and Z17, broadcasts each
// row's four bytes (int8) and adds the four products of every lane with
// VPDPBUSD (unsigned times signed bytes, summed into the int32 lane).

// Fields of tileEp.
#define EP_ROWOFF 0
#define EP_COLOFF 24
#define EP_ROWMUL 48
#define EP_COLMUL 72
#define EP_SCALE 96
#define EP_SCALECOLS 120
#define EP_LO 128
#define EP_HI 132
#define EP_ZP 136
#define EP_MODE 140

// INITROW sets row r (registers a0, a1) to rowOff[r] (at off(R10)) plus
// the column offsets in Z16, Z17.
#define INITROW(off, a0, a1) \
	VPBROADCASTD off(R10), Z18; \
	VPADDD       Z18, Z16, a0; \
	VPADDD       Z18, Z17, a1

// DOT adds row r's products (its four bytes broadcast from off(SI)) to
// row registers a0, a1, through Z(t).
#define DOT(off, t, a0, a1) \
	VPBROADCASTD off(SI), t; \
	VPDPBUSD     t, Z16, a0; \
	VPDPBUSD     t, Z17, a1

// RANK1 adds rowMul[r] (at off(R10)) times the column multipliers in
// Z16, Z17 to row registers a0, a1.
#define RANK1(off, a0, a1) \
	VPBROADCASTD off(R10), Z18; \
	VPMULLD      Z18, Z16, Z19; \
	VPADDD       Z19, a0, a0; \
	VPMULLD      Z18, Z17, Z19; \
	VPADDD       Z19, a1, a1

// SCALEROW multiplies row registers a0, a1 (float32) by the row's scale
// at off(R10).
#define SCALEROW(off, a0, a1) \
	VBROADCASTSS off(R10), Z18; \
	VMULPS       Z18, a0, a0; \
	VMULPS       Z18, a1, a1

// SCALECOLS multiplies row registers a0, a1 by the columns' scales in
// Z16, Z17.
#define SCALECOLS(a0, a1) \
	VMULPS Z16, a0, a0; \
	VMULPS Z17, a1, a1

// STORE32 stores row registers a0, a1 (64 bytes each) at DX, then moves
// DX to the next row.
#define STORE32(a0, a1) \
	VMOVDQU32 a0, (DX); \
	VMOVDQU32 a1, 64(DX); \
	ADDQ      BX, DX

// QUANT requantizes register a: clamped to [lo, hi] (Z16, Z17; VMAXPS
// returns its second source, lo, when a is NaN), rounded half to even,
// plus the zero point (Z18).
#define QUANT(a) \
	VMAXPS    Z16, a, a; \
	VMINPS    Z17, a, a; \
	VCVTPS2DQ a, a; \
	VPADDD    Z18, a, a

// STORE8 requantizes row registers a0, a1 and stores their low bytes
// (16 each) at DX, then moves DX to the next row.
#define STORE8(a0, a1) \
	QUANT(a0); \
	QUANT(a1); \
	VPMOVDB a0, (DX); \
	VPMOVDB a1, 16(DX); \
	ADDQ    BX, DX

// func tileAVX512VNNI(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)
//
// n tiles down one column panel: SI runs through the row panels, DX down
// the rows of C, and R13 is the byte offset of the current tile's rows in
// the per-row vectors.
TEXT ·tileAVX512VNNI(SB), NOSPLIT, $0-64
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), BX
	MOVQ ep+48(FP), R9
	MOVQ n+56(FP), R14
	XORQ R13, R13

panel:
	MOVQ      kq+0(FP), CX
	MOVQ      offs+24(FP), R8
	MOVQ      EP_COLOFF(R9), R11
	VMOVDQU32 (R11), Z16
	VMOVDQU32 64(R11), Z17
	MOVQ      EP_ROWOFF(R9), R10
	ADDQ      R13, R10
	INITROW(0, Z0, Z1)
	INITROW(4, Z2, Z3)
	INITROW(8, Z4, Z5)
	INITROW(12, Z6, Z7)
	INITROW(16, Z8, Z9)
	INITROW(20, Z10, Z11)
	INITROW(24, Z12, Z13)
	INITROW(28, Z14, Z15)

	TESTQ CX, CX
	JEQ   rank1

loop:
	MOVLQSX   (R8), R12
	VMOVDQU32 (DI)(R12*1), Z16
	VMOVDQU32 64(DI)(R12*1), Z17
	DOT(0, Z18, Z0, Z1)
	DOT(4, Z19, Z2, Z3)
	DOT(8, Z20, Z4, Z5)
	DOT(12, Z21, Z6, Z7)
	DOT(16, Z22, Z8, Z9)
	DOT(20, Z23, Z10, Z11)
	DOT(24, Z24, Z12, Z13)
	DOT(28, Z25, Z14, Z15)
	ADDQ      $32, SI
	ADDQ      $4, R8
	DECQ      CX
	JNE       loop

rank1:
	MOVQ      EP_ROWMUL(R9), R10
	TESTQ     R10, R10
	JEQ       store
	ADDQ      R13, R10
	MOVQ      EP_COLMUL(R9), R11
	VMOVDQU32 (R11), Z16
	VMOVDQU32 64(R11), Z17
	RANK1(0, Z0, Z1)
	RANK1(4, Z2, Z3)
	RANK1(8, Z4, Z5)
	RANK1(12, Z6, Z7)
	RANK1(16, Z8, Z9)
	RANK1(20, Z10, Z11)
	RANK1(24, Z12, Z13)
	RANK1(28, Z14, Z15)

store:
	MOVL  EP_MODE(R9), AX
	TESTL AX, AX
	JNE   scale
	STORE32(Z0, Z1)
	STORE32(Z2, Z3)
	STORE32(Z4, Z5)
	STORE32(Z6, Z7)
	STORE32(Z8, Z9)
	STORE32(Z10, Z11)
	STORE32(Z12, Z13)
	STORE32(Z14, Z15)
	JMP   next

scale:
	VCVTDQ2PS Z0, Z0
	VCVTDQ2PS Z1, Z1
	VCVTDQ2PS Z2, Z2
	VCVTDQ2PS Z3, Z3
	VCVTDQ2PS Z4, Z4
	VCVTDQ2PS Z5, Z5
	VCVTDQ2PS Z6, Z6
	VCVTDQ2PS Z7, Z7
	VCVTDQ2PS Z8, Z8
	VCVTDQ2PS Z9, Z9
	VCVTDQ2PS Z10, Z10
	VCVTDQ2PS Z11, Z11
	VCVTDQ2PS Z12, Z12
	VCVTDQ2PS Z13, Z13
	VCVTDQ2PS Z14, Z14
	VCVTDQ2PS Z15, Z15
	MOVQ      EP_SCALE(R9), R10
	CMPQ      EP_SCALECOLS(R9), $0
	JNE       scalecols
	ADDQ      R13, R10
	SCALEROW(0, Z0, Z1)
	SCALEROW(4, Z2, Z3)
	SCALEROW(8, Z4, Z5)
	SCALEROW(12, Z6, Z7)
	SCALEROW(16, Z8, Z9)
	SCALEROW(20, Z10, Z11)
	SCALEROW(24, Z12, Z13)
	SCALEROW(28, Z14, Z15)
	JMP       scaled

scalecols:
	VMOVUPS (R10), Z16
	VMOVUPS 64(R10), Z17
	SCALECOLS(Z0, Z1)
	SCALECOLS(Z2, Z3)
	SCALECOLS(Z4, Z5)
	SCALECOLS(Z6, Z7)
	SCALECOLS(Z8, Z9)
	SCALECOLS(Z10, Z11)
	SCALECOLS(Z12, Z13)
	SCALECOLS(Z14, Z15)

scaled:
	CMPL AX, $1
	JNE  bytes
	STORE32(Z0, Z1)
	STORE32(Z2, Z3)
	STORE32(Z4, Z5)
	STORE32(Z6, Z7)
	STORE32(Z8, Z9)
	STORE32(Z10, Z11)
	STORE32(Z12, Z13)
	STORE32(Z14, Z15)
	JMP  next

bytes:
	VBROADCASTSS EP_LO(R9), Z16
	VBROADCASTSS EP_HI(R9), Z17
	VPBROADCASTD EP_ZP(R9), Z18
	STORE8(Z0, Z1)
	STORE8(Z2, Z3)
	STORE8(Z4, Z5)
	STORE8(Z6, Z7)
	STORE8(Z8, Z9)
	STORE8(Z10, Z11)
	STORE8(Z12, Z13)
	STORE8(Z14, Z15)

next:
	ADDQ $32, R13
	DECQ R14
	JNE  panel
	VZEROUPPER
	RET

// interleaveIdx gathers byte 16t+i to byte 4i+t: four 16-byte rows, one
// per 128-bit lane, become sixteen four-byte columns.
DATA interleaveIdx<>+0(SB)/8, $0x3121110130201000
DATA interleaveIdx<>+8(SB)/8, $0x3323130332221202
DATA interleaveIdx<>+16(SB)/8, $0x3525150534241404
DATA interleaveIdx<>+24(SB)/8, $0x3727170736261606
DATA interleaveIdx<>+32(SB)/8, $0x3929190938281808
DATA interleaveIdx<>+40(SB)/8, $0x3b2b1b0b3a2a1a0a
DATA interleaveIdx<>+48(SB)/8, $0x3d2d1d0d3c2c1c0c
DATA interleaveIdx<>+56(SB)/8, $0x3f2f1f0f3e2e1e0e
GLOBL interleaveIdx<>(SB), RODATA|NOPTR, $64

// func interleaveAVX512(dst, s0, s1, s2, s3 *byte, n int, flip byte)
//
// Sixteen columns per step: the four rows' 16 bytes gathered into one
// register by lanes, then VPERMB; the last n%16 under masks.
TEXT ·interleaveAVX512(SB), NOSPLIT, $0-49
	MOVQ         dst+0(FP), DI
	MOVQ         s0+8(FP), R8
	MOVQ         s1+16(FP), R9
	MOVQ         s2+24(FP), R10
	MOVQ         s3+32(FP), R11
	MOVQ         n+40(FP), CX
	VPBROADCASTB flip+48(FP), Z3
	VMOVDQU8     interleaveIdx<>(SB), Z2
	XORQ         AX, AX

iloop:
	CMPQ          CX, $16
	JLT           itail
	VMOVDQU8      (R8)(AX*1), X0
	VINSERTI32X4  $1, (R9)(AX*1), Z0, Z0
	VINSERTI32X4  $2, (R10)(AX*1), Z0, Z0
	VINSERTI32X4  $3, (R11)(AX*1), Z0, Z0
	VPERMB        Z0, Z2, Z1
	VPXORD        Z3, Z1, Z1
	VMOVDQU8      Z1, (DI)(AX*4)
	ADDQ          $16, AX
	SUBQ          $16, CX
	JMP           iloop

itail:
	TESTQ        CX, CX
	JEQ          idone
	MOVQ         $1, R12
	SHLQ         CX, R12
	DECQ         R12
	KMOVQ        R12, K1
	VMOVDQU8.Z   (R8)(AX*1), K1, X0
	VMOVDQU8.Z   (R9)(AX*1), K1, X4
	VMOVDQU8.Z   (R10)(AX*1), K1, X5
	VMOVDQU8.Z   (R11)(AX*1), K1, X6
	VINSERTI32X4 $1, X4, Z0, Z0
	VINSERTI32X4 $2, X5, Z0, Z0
	VINSERTI32X4 $3, X6, Z0, Z0
	VPERMB       Z0, Z2, Z1
	VPXORD       Z3, Z1, Z1
	SHLQ         $2, CX
	MOVQ         $1, R12
	SHLQ         CX, R12
	DECQ         R12
	KMOVQ        R12, K1
	VMOVDQU8     Z1, K1, (DI)(AX*4)

idone:
	VZEROUPPER
	RET

// Fields of dwPlane.
#define DP_SRC 0
#define DP_W 24
#define DP_OUT 48
#define DP_H 72
#define DP_WI 80
#define DP_PADT 88
#define DP_PADL 96
#define DP_KH 104
#define DP_WQ 112
#define DP_SH 128
#define DP_SW 136
#define DP_DH 144
#define DP_OH 160
#define DP_OW 168
#define DP_OFF 176
#define DP_SCALE 180
#define DP_LO 184
#define DP_HI 188
#define DP_ZP 192
#define DP_MODE 196
#define DP_GATHER 200
#define DP_MASK 208
#define DP_ZX 216
#define DP_FLIP 217

// func dwAVX512(p *dwPlane)
//
// Sixteen outputs of a row per step, their sums in Z0. For each row of
// taps, the 64 input bytes from the first output's window are loaded
// under the mask K4 of those inside the row over the zero point's bytes
// (Z15; a row outside the plane is all zero point), flipped to uint8
// (Z16), gathered by VPERMB into each output's four bytes per quad of
// taps (Z8, Z9, zero where the quad has no tap: masks K1, K2), and
// VPDPBUSD adds their products with the quad's four weights. The last
// outputs of a row are stored under K3.
TEXT ·dwAVX512(SB), NOSPLIT, $0-8
	MOVQ         p+0(FP), AX
	MOVQ         DP_SRC(AX), SI
	MOVQ         DP_OUT(AX), DI
	MOVQ         DP_GATHER(AX), R13
	VMOVDQU8     (R13), Z8
	VMOVDQU8     64(R13), Z9
	MOVQ         DP_MASK(AX), R13
	KMOVQ        (R13), K1
	KMOVQ        8(R13), K2
	VPBROADCASTD DP_OFF(AX), Z10
	VBROADCASTSS DP_SCALE(AX), Z11
	VBROADCASTSS DP_LO(AX), Z12
	VBROADCASTSS DP_HI(AX), Z13
	VPBROADCASTD DP_ZP(AX), Z14
	VPBROADCASTB DP_ZX(AX), Z15
	VPBROADCASTB DP_FLIP(AX), Z16
	XORQ         R8, R8

dwrow:
	CMPQ R8, DP_OH(AX)
	JGE  dwdone
	XORQ R9, R9

dwchunk:
	CMPQ    R9, DP_OW(AX)
	JGE     dwrowend
	MOVQ    R9, R10
	IMULQ   DP_SW(AX), R10
	SUBQ    DP_PADL(AX), R10       // R10: the window's first column
	MOVQ    DP_WI(AX), CX
	SUBQ    R10, CX                // bytes of the row from it on
	XORQ    R13, R13
	CMPQ    CX, $0
	CMOVQLT R13, CX
	MOVQ    $64, R13
	CMPQ    CX, R13
	CMOVQGT R13, CX
	MOVQ    $-1, R14
	BZHIQ   CX, R14, R14           // the bytes before the row's end
	MOVQ    R10, CX
	NEGQ    CX
	XORQ    R13, R13
	CMPQ    CX, $0
	CMOVQLT R13, CX
	MOVQ    $-1, R13
	SHLXQ   CX, R13, R13           // the bytes from the row's start
	ANDQ    R13, R14
	KMOVQ   R14, K4
	MOVQ    DP_OW(AX), R12
	SUBQ    R9, R12
	MOVQ    $16, R13
	CMPQ    R12, R13
	CMOVQGT R13, R12               // R12: outputs in this step
	MOVQ    $1, R13
	MOVQ    R12, CX
	SHLQ    CX, R13
	DECQ    R13
	KMOVQ   R13, K3
	VMOVDQA32 Z10, Z0
	MOVQ    DP_W(AX), R11
	XORQ    BX, BX

dwtap:
	CMPQ      BX, DP_KH(AX)
	JGE       dwstore
	MOVQ      R8, CX
	IMULQ     DP_SH(AX), CX
	MOVQ      BX, R13
	IMULQ     DP_DH(AX), R13
	ADDQ      R13, CX
	SUBQ      DP_PADT(AX), CX      // the input row
	VMOVDQA64 Z15, Z1
	CMPQ      CX, DP_H(AX)
	JAE       dwgather              // outside the plane (unsigned: below 0 too)
	IMULQ     DP_WI(AX), CX
	ADDQ      SI, CX
	ADDQ      R10, CX
	VMOVDQU8  (CX), K4, Z1

dwgather:
	VPXORD        Z16, Z1, Z1
	VPERMB.Z      Z1, Z8, K1, Z2
	VPDPBUSD.BCST (R11), Z2, Z0
	CMPQ          DP_WQ(AX), $1
	JEQ           dwnexttap
	VPERMB.Z      Z1, Z9, K2, Z2
	VPDPBUSD.BCST 4(R11), Z2, Z0

dwnexttap:
	MOVQ DP_WQ(AX), R13
	LEAQ (R11)(R13*4), R11
	INCQ BX
	JMP  dwtap

dwstore:
	CMPL      DP_MODE(AX), $0
	JNE       dwbytes
	VMOVDQU32 Z0, K3, (DI)
	LEAQ      (DI)(R12*4), DI
	JMP       dwnext

dwbytes:
	VCVTDQ2PS Z0, Z0
	VMULPS    Z11, Z0, Z0
	VMAXPS    Z12, Z0, Z0
	VMINPS    Z13, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD    Z14, Z0, Z0
	VPMOVDB   Z0, K3, (DI)
	ADDQ      R12, DI

dwnext:
	ADDQ $16, R9
	JMP  dwchunk

dwrowend:
	INCQ R8
	JMP  dwrow

dwdone:
	VZEROUPPER
	RET
