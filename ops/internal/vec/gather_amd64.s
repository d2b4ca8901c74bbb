//go:build !noasm

#include "textflag.h"

// func gather2AVX2(dst, src []float32)
//
// Per block: two loads of 8 values; VSHUFPS keeps the even ones of each
// 128-bit lane (a0 a2 b0 b2 | a4 a6 b4 b6) and VPERMPD puts the 64-bit
// pairs in order (a0 a2 a4 a6 b0 b2 b4 b6).
TEXT ·gather2AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ src_base+24(FP), SI
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VPERMPD $0xD8, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET
