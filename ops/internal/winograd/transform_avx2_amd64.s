//go:build !noasm

#include "textflag.h"

// The AVX2+FMA transforms: each call works on Lanes = 16 tiles as two
// halves of 8, one per YMM lane.

// BT2 computes Bᵀ z of Y0-Y5 (as bt does, with fused multiply-adds; Y13
// = 4, Y14 = 5, Y15 = 2), leaving o0-o5 in Y4, Y8, Y6, Y10, Y7, Y5 and
// clobbering Y9.
#define BT2 \
	VMOVAPS      Y4, Y6       \ // t1 = z4 - 4 z2
	VFNMADD231PS Y13, Y2, Y6  \
	VMOVAPS      Y3, Y7       \ // t2 = z3 - 4 z1
	VFNMADD231PS Y13, Y1, Y7  \
	VADDPS       Y7, Y6, Y8   \ // o1 = t1 + t2
	VSUBPS       Y7, Y6, Y6   \ // o2 = t1 - t2
	VSUBPS       Y2, Y4, Y7   \ // t3 = z4 - z2
	VSUBPS       Y1, Y3, Y9   \ // t4 = z3 - z1
	VMOVAPS      Y7, Y10      \ // o3 = t3 + 2 t4
	VFMADD231PS  Y15, Y9, Y10 \
	VFNMADD231PS Y15, Y9, Y7  \ // o4 = t3 - 2 t4
	VFMADD231PS  Y13, Y0, Y4  \ // o0 = z4 + 4 z0 - 5 z2
	VFNMADD231PS Y14, Y2, Y4  \
	VFMADD231PS  Y13, Y1, Y5  \ // o5 = z5 + 4 z1 - 5 z3
	VFNMADD231PS Y14, Y3, Y5

// AT2 computes Aᵀ m of Y0-Y5 (as at does; Y13 = 2, Y14 = 4, Y15 = 8),
// leaving y0-y3 in Y0, Y1, Y6, Y7 and clobbering Y8 and Y9.
#define AT2 \
	VADDPS      Y2, Y1, Y6   \ // s12
	VSUBPS      Y2, Y1, Y7   \ // d12
	VADDPS      Y4, Y3, Y8   \ // s34
	VSUBPS      Y4, Y3, Y9   \ // d34
	VADDPS      Y6, Y0, Y0   \ // y0 = m0 + s12 + s34
	VADDPS      Y8, Y0, Y0   \
	VMOVAPS     Y7, Y1       \ // y1 = d12 + 2 d34
	VFMADD231PS Y13, Y9, Y1  \
	VFMADD231PS Y14, Y8, Y6  \ // y2 = s12 + 4 s34
	VADDPS      Y5, Y7, Y7   \ // y3 = d12 + m5 + 8 d34
	VFMADD231PS Y15, Y9, Y7

// CONSTS2 sets Y13, Y14 and Y15 to the floats with the bits a, b and c.
// Every instruction is VEX-encoded: a legacy SSE one (MOVQ to an XMM
// register) among AVX code costs a state transition (measured: 40 times
// slower calls).
#define CONSTS2(a, b, c) \
	MOVL         $a, AX; \
	VMOVQ        AX, X13; \
	VBROADCASTSS X13, Y13; \
	MOVL         $b, AX; \
	VMOVQ        AX, X14; \
	VBROADCASTSS X14, Y14; \
	MOVL         $c, AX; \
	VMOVQ        AX, X15; \
	VBROADCASTSS X15, Y15

// TILEPTR sets r to the first float of the tile whose index is at byte
// off of AX: xp (SI) + 4*idx.
#define TILEPTR(off, r) \
	MOVLQSX off(AX), r; \
	LEAQ    (SI)(r*4), r

// HALFOFF sets r to the current half's offset in bytes (0 or 32): DI's
// from d.
#define HALFOFF(r) \
	MOVQ DI, r; \
	SUBQ d+24(FP), r

// func gatherAVX2(xp *float32, idx *int32, wp int, d, dst *float32, stride int)
//
// For each half: the rows of its 8 tiles, one tile row i at a time, are
// loaded and transposed so that Y0-Y5 hold element (i, j) of the 8 tiles
// (tiles l and l+4 share a load: their elements 0-3 as the two 128-bit
// halves, elements 4-5 as pairs), transformed (the rows of d B) and stored
// to d, element (i, n) of tile l at d[(i*6+n)*16+l]; then each column of
// d is loaded, transformed (Bᵀ of it) and point k*6+n stored to
// dst[(k*6+n)*stride+l]. Registers: SI xp, DX wp (bytes), DI the half's
// d, CX the tile row's offset (bytes), BX rows left, R8-R15 the tiles.
TEXT ·gatherAVX2(SB), NOSPLIT, $0-48
	CONSTS2(0x40800000, 0x40a00000, 0x40000000)
	MOVQ xp+0(FP), SI
	MOVQ wp+16(FP), DX
	MOVQ d+24(FP), DI
	SHLQ $2, DX

half:
	HALFOFF(AX)
	ADDQ idx+8(FP), AX
	TILEPTR(0, R8)
	TILEPTR(4, R9)
	TILEPTR(8, R10)
	TILEPTR(12, R11)
	TILEPTR(16, R12)
	TILEPTR(20, R13)
	TILEPTR(24, R14)
	TILEPTR(28, R15)
	XORQ CX, CX
	MOVQ $6, BX

row:
	VMOVUPS     (R8)(CX*1), X6
	VINSERTF128 $1, (R12)(CX*1), Y6, Y6
	VMOVUPS     (R9)(CX*1), X7
	VINSERTF128 $1, (R13)(CX*1), Y7, Y7
	VMOVUPS     (R10)(CX*1), X8
	VINSERTF128 $1, (R14)(CX*1), Y8, Y8
	VMOVUPS     (R11)(CX*1), X9
	VINSERTF128 $1, (R15)(CX*1), Y9, Y9
	VUNPCKLPS   Y7, Y6, Y10
	VUNPCKHPS   Y7, Y6, Y6
	VUNPCKLPS   Y9, Y8, Y7
	VUNPCKHPS   Y9, Y8, Y8
	VSHUFPS     $0x44, Y7, Y10, Y0
	VSHUFPS     $0xEE, Y7, Y10, Y1
	VSHUFPS     $0x44, Y8, Y6, Y2
	VSHUFPS     $0xEE, Y8, Y6, Y3

	// Elements 4 and 5: Y6 = tiles 0, 1 | 4, 5 and Y7 = tiles 2, 3 |
	// 6, 7, each as (e4, e5) pairs.
	VMOVSD      16(R8)(CX*1), X6
	VMOVHPS     16(R9)(CX*1), X6, X6
	VMOVSD      16(R12)(CX*1), X11
	VMOVHPS     16(R13)(CX*1), X11, X11
	VINSERTF128 $1, X11, Y6, Y6
	VMOVSD      16(R10)(CX*1), X7
	VMOVHPS     16(R11)(CX*1), X7, X7
	VMOVSD      16(R14)(CX*1), X11
	VMOVHPS     16(R15)(CX*1), X11, X11
	VINSERTF128 $1, X11, Y7, Y7
	VSHUFPS     $0x88, Y7, Y6, Y4
	VSHUFPS     $0xDD, Y7, Y6, Y5
	BT2
	VMOVUPS     Y4, 0(DI)
	VMOVUPS     Y8, 64(DI)
	VMOVUPS     Y6, 128(DI)
	VMOVUPS     Y10, 192(DI)
	VMOVUPS     Y7, 256(DI)
	VMOVUPS     Y5, 320(DI)
	ADDQ        $384, DI
	ADDQ        DX, CX
	DECQ        BX
	JNZ         row

	// Columns: column n of d (its 6 rows 384 bytes apart) to points
	// k*6+n, k*6*stride floats apart.
	SUBQ $2304, DI
	HALFOFF(R8)
	ADDQ dst+32(FP), R8
	MOVQ stride+40(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R10
	SHLQ $1, R10
	MOVQ DI, R11
	MOVQ $6, BX

col:
	VMOVUPS 0(R11), Y0
	VMOVUPS 384(R11), Y1
	VMOVUPS 768(R11), Y2
	VMOVUPS 1152(R11), Y3
	VMOVUPS 1536(R11), Y4
	VMOVUPS 1920(R11), Y5
	BT2
	MOVQ    R8, R12
	VMOVUPS Y4, (R12)
	ADDQ    R10, R12
	VMOVUPS Y8, (R12)
	ADDQ    R10, R12
	VMOVUPS Y6, (R12)
	ADDQ    R10, R12
	VMOVUPS Y10, (R12)
	ADDQ    R10, R12
	VMOVUPS Y7, (R12)
	ADDQ    R10, R12
	VMOVUPS Y5, (R12)
	ADDQ    $64, R11
	ADDQ    R9, R8
	DECQ    BX
	JNZ     col

	// The second half: 8 lanes on in idx, d and dst.
	ADDQ $32, DI
	HALFOFF(R8)
	CMPQ R8, $64
	JNE  half
	VZEROUPPER
	RET

// func outputAVX2(m *float32, stride int, o *float32)
//
// For each half: each column j of the products (point i*6+j at
// (i*6+j)*stride floats) is loaded and transformed (Aᵀ of it), element
// (a, j) of the 8 tiles stored to o's scratch at 1024+(a*6+j)*32 bytes;
// then each row a of those is transformed (the rows of (Aᵀ M) A), the
// four values of each tile transposed into one 128-bit half (tiles q and
// q+4 in one YMM) and stored as row a of tile l, at o[(l*4+a)*4].
// Registers: SI m, DX stride (bytes), R9 a row of points (bytes), DI o,
// R8 the half's first tile in o, BX count, R10-R12 pointers.
TEXT ·outputAVX2(SB), NOSPLIT, $0-24
	CONSTS2(0x40000000, 0x40800000, 0x41000000)
	MOVQ m+0(FP), SI
	MOVQ stride+8(FP), DX
	MOVQ o+16(FP), DI
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R9
	SHLQ $1, R9
	MOVQ DI, R8
	MOVQ $2, CX

outhalf:
	MOVQ SI, R10
	LEAQ 1024(DI), R11
	MOVQ $6, BX

outcol:
	MOVQ    R10, R12
	VMOVUPS (R12), Y0
	ADDQ    R9, R12
	VMOVUPS (R12), Y1
	ADDQ    R9, R12
	VMOVUPS (R12), Y2
	ADDQ    R9, R12
	VMOVUPS (R12), Y3
	ADDQ    R9, R12
	VMOVUPS (R12), Y4
	ADDQ    R9, R12
	VMOVUPS (R12), Y5
	AT2
	VMOVUPS Y0, 0(R11)
	VMOVUPS Y1, 192(R11)
	VMOVUPS Y6, 384(R11)
	VMOVUPS Y7, 576(R11)
	ADDQ    DX, R10
	ADDQ    $32, R11
	DECQ    BX
	JNZ     outcol

	LEAQ 1024(DI), R11
	MOVQ R8, R12
	MOVQ $4, BX

outrow:
	VMOVUPS      0(R11), Y0
	VMOVUPS      32(R11), Y1
	VMOVUPS      64(R11), Y2
	VMOVUPS      96(R11), Y3
	VMOVUPS      128(R11), Y4
	VMOVUPS      160(R11), Y5
	AT2
	VUNPCKLPS    Y1, Y0, Y2
	VUNPCKHPS    Y1, Y0, Y3
	VUNPCKLPS    Y7, Y6, Y4
	VUNPCKHPS    Y7, Y6, Y5
	VSHUFPS      $0x44, Y4, Y2, Y0
	VSHUFPS      $0xEE, Y4, Y2, Y1
	VSHUFPS      $0x44, Y5, Y3, Y6
	VSHUFPS      $0xEE, Y5, Y3, Y7
	VMOVUPS      X0, 0(R12)
	VEXTRACTF128 $1, Y0, 256(R12)
	VMOVUPS      X1, 64(R12)
	VEXTRACTF128 $1, Y1, 320(R12)
	VMOVUPS      X6, 128(R12)
	VEXTRACTF128 $1, Y6, 384(R12)
	VMOVUPS      X7, 192(R12)
	VEXTRACTF128 $1, Y7, 448(R12)
	ADDQ         $192, R11
	ADDQ         $16, R12
	DECQ         BX
	JNZ          outrow

	ADDQ $32, SI
	ADDQ $512, R8
	DECQ CX
	JNZ  outhalf
	VZEROUPPER
	RET
