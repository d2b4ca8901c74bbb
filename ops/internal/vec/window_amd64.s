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

// func max3s2AVX2(dst, src []float32)
//
// Per 8 outputs: the even values of src[2i:2i+16] (E), its odd values
// (O, from VSHUFPS $0xDD) and the even values of src[2i+2:2i+18] (E'),
// maxed together.
TEXT ·max3s2AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 8(SI), Y2
	VMOVUPS 40(SI), Y3
	VSHUFPS $0xDD, Y1, Y0, Y4
	VPERMPD $0xD8, Y4, Y4
	EVENS8(Y0, Y1)
	EVENS8(Y2, Y3)
	MAXNAN(Y4, Y0, Y5)
	MAXNAN(Y2, Y0, Y5)
	VMOVUPS Y0, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET
