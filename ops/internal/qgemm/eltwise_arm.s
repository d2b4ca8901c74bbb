//go:build !noasm

#include "textflag.h"
#include "neon_arm.h"

// quantMagic is 1.5·2^23: a float32 in [-2^22, 2^22] plus it is rounded
// half to even to an integer, which is its bits minus quantMagic's.
DATA quantMagic<>+0(SB)/4, $0x4b400000
GLOBL quantMagic<>(SB), RODATA|NOPTR, $4

// DIV4 divides the 4 lanes of Q(q) (S4q to S4q+3) by S16, VFP VDIV (ARMv7
// NEON has no division), each quotient rounded as Go's.
#define DIV4(q) \
	VDIVF32(4*(q), 4*(q), 16); \
	VDIVF32(4*(q)+1, 4*(q)+1, 16); \
	VDIVF32(4*(q)+2, 4*(q)+2, 16); \
	VDIVF32(4*(q)+3, 4*(q)+3, 16)

// CLAMPROUND4 takes Q(q) to Q(d): lo (Q5) where it is below lo or NaN
// (VCGE is false for NaN), at most hi (Q6), rounded half to even and
// plus the zero point as int32 (quantMagic added, then its bits minus
// the zero point, Q8, subtracted).
#define CLAMPROUND4(q, d) \
	VCGEQ(d, q, 5); \
	VBSLQ(d, q, 5); \
	VMINQ(d, d, 6); \
	VADDQ(d, d, 7); \
	VSUBI32Q(d, d, 8)

// func quantizeNEON(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)
//
// Quantize of n values (a multiple of 16), 16 per step (Q0-Q3): divided
// by the scale (S16), clamped to [lo, hi] (the range minus the zero
// point), rounded half to even, plus the zero point (Q12-Q15), narrowed
// to 16 bytes.
TEXT ·quantizeNEON(SB), NOSPLIT, $0-28
	MOVW dst+0(FP), R0
	MOVW src+4(FP), R1
	MOVW n+8(FP), R2
	MOVW $scale+12(FP), R3
	VLD1DUP1(8, 3, 13)
	VLD1DUP2(18, 3, 13)
	VLD1DUP2(10, 3, 13)
	VLD1DUP2(12, 3, 15)
	MOVW $quantMagic<>(SB), R4
	VLD1DUP2(14, 4, 15)
	VLD1DUP2(16, 4, 15)
	VSUBI32Q(8, 8, 9)
	CMP  $0, R2
	BEQ  done

loop:
	VLD1x4(0, 1, 13)
	VLD1x4(4, 1, 13)
	DIV4(0)
	DIV4(1)
	DIV4(2)
	DIV4(3)
	CLAMPROUND4(0, 12)
	CLAMPROUND4(1, 13)
	CLAMPROUND4(2, 14)
	CLAMPROUND4(3, 15)
	VMOVNI32(20, 12)
	VMOVNI32(21, 13)
	VMOVNI32(22, 14)
	VMOVNI32(23, 15)
	VMOVNI16(0, 10)
	VMOVNI16(1, 11)
	VST1x2(0, 0, 13)
	SUB.S $16, R2
	BNE   loop

done:
	RET
