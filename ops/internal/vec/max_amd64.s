//go:build !noasm

#include "textflag.h"

// func maxAVX(dst, src []float32)
//
// VMAXPS returns its second source (here src) when either operand is NaN,
// so a NaN in src comes out as NaN; VCMPPS (unordered) and VBLENDVPS then
// keep dst's value where that is NaN.
TEXT ·maxAVX(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS   (DI), Y0
	VMOVUPS   (SI), Y1
	VMAXPS    Y1, Y0, Y2
	VCMPPS    $3, Y0, Y0, Y3
	VBLENDVPS Y3, Y0, Y2, Y2
	VMOVUPS   Y2, (DI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	DECQ      CX
	JNZ       loop

done:
	VZEROUPPER
	RET
