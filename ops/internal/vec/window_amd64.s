//go:build !noasm

#include "textflag.h"

// EVENS8 puts the even values of the 16 in y0, y1 (in order) into y0.
#define EVENS8(y0, y1) \
	VSHUFPS $0x88, y1, y0, y0; \
	VPERMPD $0xD8, y0, y0

// MAXNAN sets acc = max(acc, x), NaN when either is NaN (see maxAVX);
// t is scratch.
#define MAXNAN(x, acc, t) \
	VCMPPS    $3, acc, acc, t; \
	VMAXPS    x, acc, x; \
	VBLENDVPS t, acc, x, acc

// ROW3S2 loads 17 values of a row at R: src[2i:2i+16] into y0, y1,
// src[2i+2:2i+10] into y2 and src[2i+9:2i+17] into y3 (whose odd lanes
// are the even values after y2's: a load at 40 bytes would read one value
// past the last window).
#define ROW3S2(R, y0, y1, y2, y3) \
	VMOVUPS (R), y0; \
	VMOVUPS 32(R), y1; \
	VMOVUPS 8(R), y2; \
	VMOVUPS 36(R), y3

// func max3x3s2AVX2(dst, r0, r1, r2 []float32)
//
// Per 8 outputs: the three rows' values maxed column by column (see
// ROW3S2), then the even values of src[2i:2i+16] (E), their odd values
// (O, from VSHUFPS $0xDD) and src[2i+2], src[2i+4], ..., src[2i+16] (E':
// the even lanes of Y2 and the odd ones of Y3), maxed together.
TEXT ·max3x3s2AVX2(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ r0_base+24(FP), SI
	MOVQ r1_base+48(FP), R8
	MOVQ r2_base+72(FP), R9
	SHRQ $3, CX
	JZ   done

loop:
	ROW3S2(SI, Y0, Y1, Y2, Y3)
	ROW3S2(R8, Y6, Y7, Y8, Y9)
	MAXNAN(Y6, Y0, Y5)
	MAXNAN(Y7, Y1, Y5)
	MAXNAN(Y8, Y2, Y5)
	MAXNAN(Y9, Y3, Y5)
	ROW3S2(R9, Y6, Y7, Y8, Y9)
	MAXNAN(Y6, Y0, Y5)
	MAXNAN(Y7, Y1, Y5)
	MAXNAN(Y8, Y2, Y5)
	MAXNAN(Y9, Y3, Y5)
	VSHUFPS $0xDD, Y1, Y0, Y4
	VPERMPD $0xD8, Y4, Y4
	EVENS8(Y0, Y1)
	VSHUFPS $0xD8, Y3, Y2, Y2
	VPERMPD $0xD8, Y2, Y2
	MAXNAN(Y4, Y0, Y5)
	MAXNAN(Y2, Y0, Y5)
	VMOVUPS Y0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET

// COL3S1 maxes the three rows' values at byte offset off (8 of them)
// into y, with Y6 as scratch (Y5 MAXNAN's).
#define COL3S1(off, y) \
	VMOVUPS off(SI), y; \
	VMOVUPS off(R8), Y6; \
	MAXNAN(Y6, y, Y5); \
	VMOVUPS off(R9), Y6; \
	MAXNAN(Y6, y, Y5)

// func max3x3s1AVX2(dst, r0, r1, r2 []float32)
//
// Per 8 outputs: the three rows' values maxed column by column at
// offsets 0, 1 and 2 values, then the three maxed together.
TEXT ·max3x3s1AVX2(SB), NOSPLIT, $0-96
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ r0_base+24(FP), SI
	MOVQ r1_base+48(FP), R8
	MOVQ r2_base+72(FP), R9
	SHRQ $3, CX
	JZ   done1

loop1:
	COL3S1(0, Y0)
	COL3S1(4, Y1)
	COL3S1(8, Y2)
	MAXNAN(Y1, Y0, Y5)
	MAXNAN(Y2, Y0, Y5)
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop1

done1:
	VZEROUPPER
	RET
