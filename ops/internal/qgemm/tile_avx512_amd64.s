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
#define EP_KEEP 144

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

// CSTORE32 stores the dwords of row registers a0, a1 that K5 and K6
// keep, one after the other (R12: how many of a0's), at DX, then moves DX
// to the next row.
#define CSTORE32(a0, a1) \
	VPCOMPRESSD a0, K5, (DX); \
	VPCOMPRESSD a1, K6, (DX)(R12*4); \
	ADDQ        BX, DX

// CSTORE8 requantizes row registers a0, a1 and stores the bytes of their
// 32 columns that K5 keeps, one after the other, at DX, then moves DX to
// the next row.
#define CSTORE8(a0, a1) \
	QUANT(a0); \
	QUANT(a1); \
	VPMOVDB      a0, X20; \
	VPMOVDB      a1, X21; \
	VINSERTI32X4 $1, X21, Y20, Y20; \
	VPCOMPRESSB  Y20, K5, (DX); \
	ADDQ         BX, DX

// STORE8 requantizes row registers a0, a1 and stores their low bytes
// (16 each) at DX, then moves DX to the next row.
#define STORE8(a0, a1) \
	QUANT(a0); \
	QUANT(a1); \
	VPMOVDB a0, (DX); \
	VPMOVDB a1, 16(DX); \
	ADDQ    BX, DX

// STORE32ALL stores the tile's eight rows of int32 or float (STORE32).
#define STORE32ALL \
	STORE32(Z0, Z1); \
	STORE32(Z2, Z3); \
	STORE32(Z4, Z5); \
	STORE32(Z6, Z7); \
	STORE32(Z8, Z9); \
	STORE32(Z10, Z11); \
	STORE32(Z12, Z13); \
	STORE32(Z14, Z15)

// TILEEPILOGUE is the epilogue of an 8x32 int8 tile whose int32 sums
// are in Z0-Z15 (two registers a row): the rank-one term, then the
// store by mode (int32 sums, float, requantized bytes), each whole or
// under the keep mask; it ends at next. tileAVX512VNNI and epAVX512
// (the AMX kernel's sums) share it, so both store the same bits. Its
// labels are the arguments (each use needs its own).
#define TILEEPILOGUE(rank1, store, scale, scalecols, scaled, cstore32, bytes, cbytes, next) \
rank1: \
	MOVQ      EP_ROWMUL(R9), R10; \
	TESTQ     R10, R10; \
	JEQ       store; \
	ADDQ      R13, R10; \
	MOVQ      EP_COLMUL(R9), R11; \
	VMOVDQU32 (R11), Z16; \
	VMOVDQU32 64(R11), Z17; \
	RANK1(0, Z0, Z1); \
	RANK1(4, Z2, Z3); \
	RANK1(8, Z4, Z5); \
	RANK1(12, Z6, Z7); \
	RANK1(16, Z8, Z9); \
	RANK1(20, Z10, Z11); \
	RANK1(24, Z12, Z13); \
	RANK1(28, Z14, Z15); \
store: \
	MOVL  EP_MODE(R9), AX; \
	MOVQ  EP_KEEP(R9), R11; \
	TESTL AX, AX; \
	JNE   scale; \
	TESTQ R11, R11; \
	JNE   cstore32; \
	STORE32ALL; \
	JMP   next; \
scale: \
	VCVTDQ2PS Z0, Z0; \
	VCVTDQ2PS Z1, Z1; \
	VCVTDQ2PS Z2, Z2; \
	VCVTDQ2PS Z3, Z3; \
	VCVTDQ2PS Z4, Z4; \
	VCVTDQ2PS Z5, Z5; \
	VCVTDQ2PS Z6, Z6; \
	VCVTDQ2PS Z7, Z7; \
	VCVTDQ2PS Z8, Z8; \
	VCVTDQ2PS Z9, Z9; \
	VCVTDQ2PS Z10, Z10; \
	VCVTDQ2PS Z11, Z11; \
	VCVTDQ2PS Z12, Z12; \
	VCVTDQ2PS Z13, Z13; \
	VCVTDQ2PS Z14, Z14; \
	VCVTDQ2PS Z15, Z15; \
	MOVQ      EP_SCALE(R9), R10; \
	CMPQ      EP_SCALECOLS(R9), $0; \
	JNE       scalecols; \
	ADDQ      R13, R10; \
	SCALEROW(0, Z0, Z1); \
	SCALEROW(4, Z2, Z3); \
	SCALEROW(8, Z4, Z5); \
	SCALEROW(12, Z6, Z7); \
	SCALEROW(16, Z8, Z9); \
	SCALEROW(20, Z10, Z11); \
	SCALEROW(24, Z12, Z13); \
	SCALEROW(28, Z14, Z15); \
	JMP       scaled; \
scalecols: \
	VMOVUPS (R10), Z16; \
	VMOVUPS 64(R10), Z17; \
	SCALECOLS(Z0, Z1); \
	SCALECOLS(Z2, Z3); \
	SCALECOLS(Z4, Z5); \
	SCALECOLS(Z6, Z7); \
	SCALECOLS(Z8, Z9); \
	SCALECOLS(Z10, Z11); \
	SCALECOLS(Z12, Z13); \
	SCALECOLS(Z14, Z15); \
scaled: \
	CMPL  AX, $1; \
	JNE   bytes; \
	TESTQ R11, R11; \
	JNE   cstore32; \
	STORE32ALL; \
	JMP   next; \
cstore32: \
	KMOVQ   R11, K5; \
	MOVQ    R11, CX; \
	SHRQ    $16, CX; \
	KMOVQ   CX, K6; \
	MOVQ    R11, R12; \
	ANDQ    $0xffff, R12; \
	POPCNTQ R12, R12; \
	CSTORE32(Z0, Z1); \
	CSTORE32(Z2, Z3); \
	CSTORE32(Z4, Z5); \
	CSTORE32(Z6, Z7); \
	CSTORE32(Z8, Z9); \
	CSTORE32(Z10, Z11); \
	CSTORE32(Z12, Z13); \
	CSTORE32(Z14, Z15); \
	JMP     next; \
bytes: \
	VBROADCASTSS EP_LO(R9), Z16; \
	VBROADCASTSS EP_HI(R9), Z17; \
	VPBROADCASTD EP_ZP(R9), Z18; \
	TESTQ        R11, R11; \
	JNE          cbytes; \
	STORE8(Z0, Z1); \
	STORE8(Z2, Z3); \
	STORE8(Z4, Z5); \
	STORE8(Z6, Z7); \
	STORE8(Z8, Z9); \
	STORE8(Z10, Z11); \
	STORE8(Z12, Z13); \
	STORE8(Z14, Z15); \
	JMP          next; \
cbytes: \
	KMOVQ R11, K5; \
	CSTORE8(Z0, Z1); \
	CSTORE8(Z2, Z3); \
	CSTORE8(Z4, Z5); \
	CSTORE8(Z6, Z7); \
	CSTORE8(Z8, Z9); \
	CSTORE8(Z10, Z11); \
	CSTORE8(Z12, Z13); \
	CSTORE8(Z14, Z15)

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

	TILEEPILOGUE(rank1, store, scale, scalecols, scaled, cstore32, bytes, cbytes, next)
next:
	ADDQ $32, R13
	DECQ R14
	JNE  panel
	VZEROUPPER
	RET

// SUMROW sets row r (registers a0, a1) to its sums (at soff(SI)) plus
// rowOff[r] (at roff(R10)) and the column offsets in Z16, Z17.
#define SUMROW(roff, soff, a0, a1) \
	VPBROADCASTD roff(R10), Z18; \
	VPADDD       soff(SI), Z18, a0; \
	VPADDD       soff+64(SI), Z18, a1; \
	VPADDD       Z16, a0, a0; \
	VPADDD       Z17, a1, a1

// func epAVX512(sums *int32, c *byte, ldc int, ep *tileEp, n int)
//
// The epilogue of tileAVX512VNNI on n 8x32 tiles of sums computed
// elsewhere (the AMX kernel's), rows of 32 int32 one after the other: the
// same instructions from the rank-one term on, so that both kernels store
// the same bits.
TEXT ·epAVX512(SB), NOSPLIT, $0-40
	MOVQ sums+0(FP), SI
	MOVQ c+8(FP), DX
	MOVQ ldc+16(FP), BX
	MOVQ ep+24(FP), R9
	MOVQ n+32(FP), R14
	XORQ R13, R13

epanel:
	MOVQ      EP_COLOFF(R9), R11
	VMOVDQU32 (R11), Z16
	VMOVDQU32 64(R11), Z17
	MOVQ      EP_ROWOFF(R9), R10
	ADDQ      R13, R10
	SUMROW(0, 0, Z0, Z1)
	SUMROW(4, 128, Z2, Z3)
	SUMROW(8, 256, Z4, Z5)
	SUMROW(12, 384, Z6, Z7)
	SUMROW(16, 512, Z8, Z9)
	SUMROW(20, 640, Z10, Z11)
	SUMROW(24, 768, Z12, Z13)
	SUMROW(28, 896, Z14, Z15)

	TILEEPILOGUE(erank1, estore, escale, escalecols, escaled, ecstore32, ebytes, ecbytes, enext)
enext:
	ADDQ $32, R13
	ADDQ $1024, SI
	DECQ R14
	JNE  epanel
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

// interleave2Idx gathers byte 32t+2i of two 64-byte tables to byte 4i+t:
// four rows' 32 bytes (two per table), every other byte, become sixteen
// four-byte columns.
DATA interleave2Idx<>+0(SB)/8, $0x6242220260402000
DATA interleave2Idx<>+8(SB)/8, $0x6646260664442404
DATA interleave2Idx<>+16(SB)/8, $0x6a4a2a0a68482808
DATA interleave2Idx<>+24(SB)/8, $0x6e4e2e0e6c4c2c0c
DATA interleave2Idx<>+32(SB)/8, $0x7252321270503010
DATA interleave2Idx<>+40(SB)/8, $0x7656361674543414
DATA interleave2Idx<>+48(SB)/8, $0x7a5a3a1a78583818
DATA interleave2Idx<>+56(SB)/8, $0x7e5e3e1e7c5c3c1c
GLOBL interleave2Idx<>(SB), RODATA|NOPTR, $64

// func interleave2AVX512(dst, s0, s1, s2, s3 *byte, n int, flip byte)
//
// Interleave4 at stride 2: sixteen columns per step from 31 bytes of each
// row, loaded under a mask (the last step's shorter), gathered by
// VPERMI2B from the rows' two tables.
TEXT ·interleave2AVX512(SB), NOSPLIT, $0-49
	MOVQ         dst+0(FP), DI
	MOVQ         s0+8(FP), R8
	MOVQ         s1+16(FP), R9
	MOVQ         s2+24(FP), R10
	MOVQ         s3+32(FP), R11
	MOVQ         n+40(FP), CX
	VPBROADCASTB flip+48(FP), Z5
	VMOVDQU8     interleave2Idx<>(SB), Z4
	XORQ         AX, AX

i2loop:
	TESTQ        CX, CX
	JLE          i2done
	MOVQ         $16, DX
	CMPQ         CX, DX
	CMOVQLT      CX, DX                 // columns in this step
	LEAQ         -1(DX)(DX*1), BX
	MOVQ         $-1, R12
	BZHIQ        BX, R12, R13
	KMOVQ        R13, K1                // the 2·cols-1 bytes read per row
	LEAQ         (DX*4), BX
	BZHIQ        BX, R12, R13
	KMOVQ        R13, K2                // the 4·cols bytes stored
	VMOVDQU8.Z   (R8)(AX*2), K1, Y0
	VMOVDQU8.Z   (R9)(AX*2), K1, Y1
	VMOVDQU8.Z   (R10)(AX*2), K1, Y2
	VMOVDQU8.Z   (R11)(AX*2), K1, Y3
	VINSERTI64X4 $1, Y1, Z0, Z0
	VINSERTI64X4 $1, Y3, Z2, Z2
	VMOVDQA64    Z4, Z1
	VPERMI2B     Z2, Z0, Z1
	VPXORD       Z5, Z1, Z1
	VMOVDQU8     Z1, K2, (DI)(AX*4)
	ADDQ         $16, AX
	SUBQ         $16, CX
	JMP          i2loop

i2done:
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
#define DP_CHUNKS 224

// func dwAVX512(p *dwPlane)
//
// Per output row, the kh input rows its taps read are found first (their
// addresses in the frame, 0 for a row outside the plane). Then sixteen
// outputs per step, their sums in Z0: for each row of taps, the 64 input
// bytes from the first output's window (dwChunk) are loaded under the
// mask K4 of those inside the row over the zero point's bytes (Z15; a
// row outside the plane is all zero point), flipped to uint8 (Z16),
// gathered by VPERMB into each output's four bytes per quad of taps (Z8,
// Z9, zero where the quad has no tap: masks K1, K2), and VPDPBUSD adds
// their products with the quad's four weights. The last outputs of a row
// are stored under K3.
TEXT ·dwAVX512(SB), NOSPLIT, $64-8
	MOVQ         p+0(FP), AX
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
	CMPQ  R8, DP_OH(AX)
	JGE   dwdone
	MOVQ  R8, CX
	IMULQ DP_SH(AX), CX
	SUBQ  DP_PADT(AX), CX           // the first tap row's input row
	XORQ  BX, BX

dwrows:
	XORQ  R13, R13
	CMPQ  CX, DP_H(AX)
	JAE   dwrowptr                   // outside the plane (unsigned: below 0 too)
	MOVQ  CX, R13
	IMULQ DP_WI(AX), R13
	ADDQ  DP_SRC(AX), R13

dwrowptr:
	MOVQ R13, (SP)(BX*8)
	ADDQ DP_DH(AX), CX
	INCQ BX
	CMPQ BX, DP_KH(AX)
	JLT  dwrows

	MOVQ DP_CHUNKS(AX), SI
	MOVQ DP_OW(AX), R9

dwchunk:
	TESTQ     R9, R9
	JLE       dwrowend
	MOVQ      (SI), R10              // the window's first column
	KMOVQ     8(SI), K4
	MOVQ      $16, R12
	CMPQ      R9, R12
	CMOVQLT   R9, R12                // R12: outputs in this step
	MOVQ      $1, R13
	MOVQ      R12, CX
	SHLQ      CX, R13
	DECQ      R13
	KMOVQ     R13, K3
	VMOVDQA32 Z10, Z0
	MOVQ      DP_W(AX), R11
	XORQ      BX, BX

dwtap:
	VMOVDQA64 Z15, Z1
	MOVQ      (SP)(BX*8), CX
	TESTQ     CX, CX
	JEQ       dwgather
	VMOVDQU8  (CX)(R10*1), K4, Z1

dwgather:
	VPXORD        Z16, Z1, Z1
	VPERMB.Z      Z1, Z8, K1, Z2
	VPDPBUSD.BCST (R11), Z2, Z0
	CMPQ          DP_WQ(AX), $1
	JEQ           dwnexttap
	VPERMB.Z      Z1, Z9, K2, Z2
	VPDPBUSD.BCST 4(R11), Z2, Z0
	ADDQ          $4, R11

dwnexttap:
	ADDQ $4, R11
	INCQ BX
	CMPQ BX, DP_KH(AX)
	JLT  dwtap

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
	ADDQ $16, SI
	SUBQ $16, R9
	JMP  dwchunk

dwrowend:
	INCQ R8
	JMP  dwrow

dwdone:
	VZEROUPPER
	RET

// func rowAVX512VNNI(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)
//
// One row of a tile (a matrix-vector product): its four bytes per k step
// at a, astride bytes apart, broadcast against the 32 columns, four k
// steps at a time into four pairs of accumulators (Z0-Z7) so that the
// additions do not wait on each other, summed at the end; then the
// epilogue of row 0.
TEXT ·rowAVX512VNNI(SB), NOSPLIT, $0-56
	MOVQ kq+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ astride+16(FP), BX
	MOVQ b+24(FP), DI
	MOVQ offs+32(FP), R8
	MOVQ c+40(FP), DX
	MOVQ ep+48(FP), R9

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

rloop4:
	CMPQ          CX, $4
	JLT           rloop1
	MOVLQSX       0(R8), R12
	VMOVDQU32     (DI)(R12*1), Z16
	VMOVDQU32     64(DI)(R12*1), Z17
	VPDPBUSD.BCST (SI), Z16, Z0
	VPDPBUSD.BCST (SI), Z17, Z1
	ADDQ          BX, SI
	MOVLQSX       4(R8), R12
	VMOVDQU32     (DI)(R12*1), Z18
	VMOVDQU32     64(DI)(R12*1), Z19
	VPDPBUSD.BCST (SI), Z18, Z2
	VPDPBUSD.BCST (SI), Z19, Z3
	ADDQ          BX, SI
	MOVLQSX       8(R8), R12
	VMOVDQU32     (DI)(R12*1), Z20
	VMOVDQU32     64(DI)(R12*1), Z21
	VPDPBUSD.BCST (SI), Z20, Z4
	VPDPBUSD.BCST (SI), Z21, Z5
	ADDQ          BX, SI
	MOVLQSX       12(R8), R12
	VMOVDQU32     (DI)(R12*1), Z22
	VMOVDQU32     64(DI)(R12*1), Z23
	VPDPBUSD.BCST (SI), Z22, Z6
	VPDPBUSD.BCST (SI), Z23, Z7
	ADDQ          BX, SI
	ADDQ          $16, R8
	SUBQ          $4, CX
	JMP           rloop4

rloop1:
	TESTQ         CX, CX
	JEQ           rsum
	MOVLQSX       0(R8), R12
	VMOVDQU32     (DI)(R12*1), Z16
	VMOVDQU32     64(DI)(R12*1), Z17
	VPDPBUSD.BCST (SI), Z16, Z0
	VPDPBUSD.BCST (SI), Z17, Z1
	ADDQ          BX, SI
	ADDQ          $4, R8
	DECQ          CX
	JMP           rloop1

rsum:
	VPADDD       Z2, Z0, Z0
	VPADDD       Z3, Z1, Z1
	VPADDD       Z6, Z4, Z4
	VPADDD       Z7, Z5, Z5
	VPADDD       Z4, Z0, Z0
	VPADDD       Z5, Z1, Z1
	MOVQ         EP_COLOFF(R9), R11
	VPADDD       (R11), Z0, Z0
	VPADDD       64(R11), Z1, Z1
	MOVQ         EP_ROWOFF(R9), R10
	VPBROADCASTD (R10), Z18
	VPADDD       Z18, Z0, Z0
	VPADDD       Z18, Z1, Z1
	MOVQ         EP_ROWMUL(R9), R10
	TESTQ        R10, R10
	JEQ          rstore
	MOVQ         EP_COLMUL(R9), R11
	VMOVDQU32    (R11), Z16
	VMOVDQU32    64(R11), Z17
	RANK1(0, Z0, Z1)

rstore:
	MOVL  EP_MODE(R9), AX
	TESTL AX, AX
	JNE   rscale
	VMOVDQU32 Z0, (DX)
	VMOVDQU32 Z1, 64(DX)
	VZEROUPPER
	RET

rscale:
	VCVTDQ2PS Z0, Z0
	VCVTDQ2PS Z1, Z1
	MOVQ      EP_SCALE(R9), R10
	CMPQ      EP_SCALECOLS(R9), $0
	JNE       rscalecols
	SCALEROW(0, Z0, Z1)
	JMP       rscaled

rscalecols:
	VMOVUPS (R10), Z16
	VMOVUPS 64(R10), Z17
	SCALECOLS(Z0, Z1)

rscaled:
	CMPL AX, $1
	JNE  rbytes
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	VZEROUPPER
	RET

rbytes:
	VBROADCASTSS EP_LO(R9), Z16
	VBROADCASTSS EP_HI(R9), Z17
	VPBROADCASTD EP_ZP(R9), Z18
	QUANT(Z0)
	QUANT(Z1)
	VPMOVDB Z0, (DX)
	VPMOVDB Z1, 16(DX)
	VZEROUPPER
	RET
