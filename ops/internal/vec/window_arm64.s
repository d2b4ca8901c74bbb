//go:build !noasm

#include "textflag.h"

// FMAXV is FMAX Vd.4S, Vn.4S, Vm.4S (see max_arm64.s).
#define FMAXV(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))

// func max3s2NEON(dst, src []float32)
//
// Per 4 outputs: LD2 splits src[2i:2i+8] into even (V0) and odd (V1)
// values and src[2i+2:2i+10] into even ones (V2); FMAX joins them.
TEXT ·max3s2NEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD src_base+24(FP), R1
	LSR  $2, R2, R2
	CBZ  R2, done

loop:
	ADD    $8, R1, R3
	VLD2   (R3), [V2.S4, V3.S4]
	VLD2.P 32(R1), [V0.S4, V1.S4]
	FMAXV(0, 0, 1)
	FMAXV(0, 0, 2)
	VST1.P [V0.S4], 16(R0)
	SUB    $1, R2, R2
	CBNZ   R2, loop

done:
	RET
