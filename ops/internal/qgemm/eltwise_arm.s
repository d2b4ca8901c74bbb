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

// CLAMPROUND4 takes the floats of Q(q) to int32 in Q(d): Q(lo) where
// they are below it or NaN (VCGE is false for NaN), at most Q(hi), rounded
// half to even (quantMagic in Q(magic) added), less the int32 Q(sub)
// (quantMagic's bits, or those less a zero point).
#define CLAMPROUND4(q, d, lo, hi, magic, sub) \
	VCGEQ(d, q, lo); \
	VBSLQ(d, q, lo); \
	VMINQ(d, d, hi); \
	VADDQ(d, d, magic); \
	VSUBI32Q(d, d, sub)

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
	CLAMPROUND4(0, 12, 5, 6, 7, 8)
	CLAMPROUND4(1, 13, 5, 6, 7, 8)
	CLAMPROUND4(2, 14, 5, 6, 7, 8)
	CLAMPROUND4(3, 15, 5, 6, 7, 8)
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

// MULSTEP is one step of mulScaledNEON on the widened operands, a's in
// D4-D7 and b's in Db0-Db3: the exact int32 products (Q6-Q9), converted
// to float32, times r (Q14), plus c (Q15), each rounded, then clamped to
// [lo, hi] (Q10, Q11), rounded (quantMagic in Q0) and narrowed into 16
// bytes stored at R0.
#define MULSTEP(b0, b1, b2, b3) \
	VMULLS16(6, 4, b0); \
	VMULLS16(7, 5, b1); \
	VMULLS16(8, 6, b2); \
	VMULLS16(9, 7, b3); \
	VCVTF32S32Q(6, 6); \
	VCVTF32S32Q(7, 7); \
	VCVTF32S32Q(8, 8); \
	VCVTF32S32Q(9, 9); \
	VMULQ(6, 6, 14); \
	VMULQ(7, 7, 14); \
	VMULQ(8, 8, 14); \
	VMULQ(9, 9, 14); \
	VADDQ(6, 6, 15); \
	VADDQ(7, 7, 15); \
	VADDQ(8, 8, 15); \
	VADDQ(9, 9, 15); \
	VLD1DUP2(0, 6, 15); \
	CLAMPROUND4(6, 2, 10, 11, 0, 0); \
	CLAMPROUND4(7, 3, 10, 11, 0, 0); \
	CLAMPROUND4(8, 4, 10, 11, 0, 0); \
	CLAMPROUND4(9, 5, 10, 11, 0, 0); \
	VMOVNI32(12, 2); \
	VMOVNI32(13, 3); \
	VMOVNI32(14, 4); \
	VMOVNI32(15, 5); \
	VMOVNI16(0, 6); \
	VMOVNI16(1, 7); \
	VST1x2(0, 0, 13)

// MULPAIR is mulScaledNEON's loop over a and b: 16 bytes of each (Q0,
// Q1) widened by movl (VMOVLU8 or VMOVLS8) into Q2-Q3 and Q4-Q5, less za
// (Q12) and zb (Q13).
#define MULPAIR(movl, loop) \
loop: \
	VLD1x2(0, 1, 13); \
	VLD1x2(2, 2, 13); \
	movl(2, 0); \
	movl(3, 1); \
	movl(4, 2); \
	movl(5, 3); \
	VSUBI16Q(2, 2, 12); \
	VSUBI16Q(3, 3, 12); \
	VSUBI16Q(4, 4, 13); \
	VSUBI16Q(5, 5, 13); \
	MULSTEP(8, 9, 10, 11); \
	SUB.S $16, R3; \
	BNE   loop; \
	RET

// MULCONST is MULPAIR with b nil: every second factor is zb (D26, D27).
#define MULCONST(movl, loop) \
loop: \
	VLD1x2(0, 1, 13); \
	movl(2, 0); \
	movl(3, 1); \
	VSUBI16Q(2, 2, 12); \
	VSUBI16Q(3, 3, 12); \
	MULSTEP(26, 27, 26, 27); \
	SUB.S $16, R3; \
	BNE   loop; \
	RET

// func mulScaledNEON(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)
//
// MulScaled of n values (a multiple of 16), 16 per step, as
// eltwise_arm64.s computes it: a-za and b-zb in int16 (in [-255, 255]),
// their products in int32 (VMULL: exact), each further step rounded. b
// may be nil: zb is then the second factor of every product.
TEXT ·mulScaledNEON(SB), NOSPLIT, $0-41
	MOVW  dst+0(FP), R0
	MOVW  a+4(FP), R1
	MOVW  b+8(FP), R2
	MOVW  n+12(FP), R3
	MOVW  $za+16(FP), R5
	VLD1DUP2H(24, 5, 15)
	MOVW  $zb+20(FP), R5
	VLD1DUP2H(26, 5, 15)
	MOVW  $r+24(FP), R5
	VLD1DUP2(28, 5, 13)
	VLD1DUP2(30, 5, 13)
	VLD1DUP2(20, 5, 13)
	VLD1DUP2(22, 5, 15)
	MOVBU signed+40(FP), R4
	MOVW  $quantMagic<>(SB), R6
	CMP   $0, R3
	BEQ   mudone
	CMP   $0, R2
	BNE   mpair
	CMP   $0, R4
	BNE   mcsloop
	MULCONST(VMOVLU8, mculoop)
	MULCONST(VMOVLS8, mcsloop)

mpair:
	CMP $0, R4
	BNE mpsloop
	MULPAIR(VMOVLU8, mpuloop)
	MULPAIR(VMOVLS8, mpsloop)

mudone:
	RET

// WIDEN takes the 16 bytes of Q4 to floats in Q4, Q7, Q8, Q9 (values 0-3,
// 4-7, 8-11, 12-15): movl8 and movl16 widen them (VMOVLU8 and VMOVLU16,
// or the signed ones) through int16 (Q5, Q6) to int32.
#define WIDEN(movl8, movl16) \
	movl8(5, 8); \
	movl8(6, 9); \
	movl16(4, 10); \
	movl16(7, 11); \
	movl16(8, 12); \
	movl16(9, 13); \
	VCVTF32S32Q(4, 4); \
	VCVTF32S32Q(7, 7); \
	VCVTF32S32Q(8, 8); \
	VCVTF32S32Q(9, 9)

// ADDLOOP is addScaledNEON's loop with the bytes widened by movl8 and
// movl16: Q0-Q3 = c, plus b·rb when b is not nil, plus a·ra, each fused
// (VFMA), clamped, rounded and narrowed into 16 bytes stored at R0.
#define ADDLOOP(movl8, movl16, loop, only) \
loop: \
	VORRQ(0, 10, 10); \
	VORRQ(1, 10, 10); \
	VORRQ(2, 10, 10); \
	VORRQ(3, 10, 10); \
	CMP   $0, R2; \
	BEQ   only; \
	VLD1x2(8, 2, 13); \
	WIDEN(movl8, movl16); \
	VFMAQ(0, 4, 12); \
	VFMAQ(1, 7, 12); \
	VFMAQ(2, 8, 12); \
	VFMAQ(3, 9, 12); \
only: \
	VLD1x2(8, 1, 13); \
	WIDEN(movl8, movl16); \
	VFMAQ(0, 4, 11); \
	VFMAQ(1, 7, 11); \
	VFMAQ(2, 8, 11); \
	VFMAQ(3, 9, 11); \
	CLAMPROUND4(0, 4, 13, 14, 15, 15); \
	CLAMPROUND4(1, 5, 13, 14, 15, 15); \
	CLAMPROUND4(2, 6, 13, 14, 15, 15); \
	CLAMPROUND4(3, 7, 13, 14, 15, 15); \
	VMOVNI32(16, 4); \
	VMOVNI32(17, 5); \
	VMOVNI32(18, 6); \
	VMOVNI32(19, 7); \
	VMOVNI16(0, 8); \
	VMOVNI16(1, 9); \
	VST1x2(0, 0, 13); \
	SUB.S $16, R3; \
	BNE   loop; \
	RET

// func addScaledNEON(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)
//
// AddScaled of n values (a multiple of 16), 16 per step, as
// eltwise_arm64.s computes it: b·rb + c and then a·ra plus that, each
// fused (VFMA: VFPv4), clamped to [lo, hi] (NaN gives lo), rounded half
// to even. b may be nil (no b term). Constants: Q10 c, Q11 ra, Q12 rb,
// Q13 lo, Q14 hi, Q15 quantMagic.
TEXT ·addScaledNEON(SB), NOSPLIT, $0-37
	MOVW  dst+0(FP), R0
	MOVW  a+4(FP), R1
	MOVW  b+8(FP), R2
	MOVW  n+12(FP), R3
	MOVW  $ra+16(FP), R5
	VLD1DUP2(22, 5, 13)
	VLD1DUP2(24, 5, 13)
	VLD1DUP2(20, 5, 13)
	VLD1DUP2(26, 5, 13)
	VLD1DUP2(28, 5, 15)
	MOVW  $quantMagic<>(SB), R6
	VLD1DUP2(30, 6, 15)
	MOVBU signed+36(FP), R4
	CMP   $0, R3
	BEQ   adone
	CMP   $0, R4
	BNE   asloop
	ADDLOOP(VMOVLU8, VMOVLU16, auloop, auonly)
	ADDLOOP(VMOVLS8, VMOVLS16, asloop, asonly)

adone:
	RET

// MAXLOOP is maxBytesNEON's loop with vmax (VMAXU8Q or VMAXS8Q): src is
// loaded before dst is stored, so it may run ahead of dst in one buffer.
#define MAXLOOP(vmax, loop) \
loop: \
	VLD1x2(0, 0, 15); \
	VLD1x2(2, 1, 13); \
	vmax(0, 0, 1); \
	VST1x2(0, 0, 13); \
	SUB.S $16, R2; \
	BNE   loop; \
	RET

// func maxBytesNEON(dst, src *byte, n int, signed bool)
//
// MaxBytes of n values (a multiple of 16), 16 per step.
TEXT ·maxBytesNEON(SB), NOSPLIT, $0-13
	MOVW  dst+0(FP), R0
	MOVW  src+4(FP), R1
	MOVW  n+8(FP), R2
	MOVBU signed+12(FP), R3
	CMP   $0, R2
	BEQ   mxdone
	CMP   $0, R3
	BNE   mxsloop
	MAXLOOP(VMAXU8Q, mxuloop)
	MAXLOOP(VMAXS8Q, mxsloop)

mxdone:
	RET

// MAX3S2LOOP is max3s2BytesNEON's loop with vmax: VLD2 splits src[2i:2i+32]
// into the even (Q0) and odd (Q1) bytes, and src[2i+2:2i+34] (R4) gives
// the even ones from 2i+2 (Q2).
#define MAX3S2LOOP(vmax, loop) \
loop: \
	VLD2x4B(0, 1, 13); \
	VLD2x4B(4, 4, 13); \
	vmax(0, 0, 1); \
	vmax(0, 0, 2); \
	VST1x2(0, 0, 13); \
	SUB.S $16, R2; \
	BNE   loop; \
	RET

// func max3s2BytesNEON(dst, src *byte, n int, signed bool)
//
// Max3S2Bytes of n outputs (a multiple of 16), 16 per step; it reads
// src[2n+1], past the last window: the caller leaves the last output.
TEXT ·max3s2BytesNEON(SB), NOSPLIT, $0-13
	MOVW  dst+0(FP), R0
	MOVW  src+4(FP), R1
	MOVW  n+8(FP), R2
	MOVBU signed+12(FP), R3
	ADD   $2, R1, R4
	CMP   $0, R2
	BEQ   x3done
	CMP   $0, R3
	BNE   x3sloop
	MAX3S2LOOP(VMAXU8Q, x3uloop)
	MAX3S2LOOP(VMAXS8Q, x3sloop)

x3done:
	RET

// func lookupNEON(dst, src *byte, n int, table *[256]byte)
//
// Lookup of n values (a multiple of 16), 16 per step, the table in
// chunks of 32 bytes (four D registers, what a VTBL reads): a VTBL of
// chunk 0 and a VTBX of each next with the index less 32 per chunk (an
// index below the chunk wraps past 31, and VTBX leaves the byte found
// before). Chunks 0-4 stay in D10-D29, chunks 5-7 are loaded into D6-D9
// at each step (NEON has 32 D registers). Registers: R0 dst, R1 src, R2
// values left, R3 chunk 5 of the table, R4 the chunk to load; Q0 the
// indices, Q1 the bytes found, Q2 32 in every byte.
TEXT ·lookupNEON(SB), NOSPLIT, $0-16
	MOVW dst+0(FP), R0
	MOVW src+4(FP), R1
	MOVW n+8(FP), R2
	MOVW table+12(FP), R3
	VLD1x4(10, 3, 13)
	VLD1x4(14, 3, 13)
	VLD1x4(18, 3, 13)
	VLD1x4(22, 3, 13)
	VLD1x4(26, 3, 13)
	MOVW $·lookupChunk(SB), R4
	VLD1DUP8(4, 4, 15)
	VLD1DUP8(5, 4, 15)
	CMP  $0, R2
	BEQ  lkdone

lkloop:
	VLD1x2(0, 1, 13)
	VTBL4(2, 10, 0)
	VTBL4(3, 10, 1)
	VSUBI8Q(0, 0, 2)
	VTBX4(2, 14, 0)
	VTBX4(3, 14, 1)
	VSUBI8Q(0, 0, 2)
	VTBX4(2, 18, 0)
	VTBX4(3, 18, 1)
	VSUBI8Q(0, 0, 2)
	VTBX4(2, 22, 0)
	VTBX4(3, 22, 1)
	VSUBI8Q(0, 0, 2)
	VTBX4(2, 26, 0)
	VTBX4(3, 26, 1)
	MOVW R3, R4
	VSUBI8Q(0, 0, 2)
	VLD1x4(6, 4, 13)
	VTBX4(2, 6, 0)
	VTBX4(3, 6, 1)
	VSUBI8Q(0, 0, 2)
	VLD1x4(6, 4, 13)
	VTBX4(2, 6, 0)
	VTBX4(3, 6, 1)
	VSUBI8Q(0, 0, 2)
	VLD1x4(6, 4, 15)
	VTBX4(2, 6, 0)
	VTBX4(3, 6, 1)
	VST1x2(2, 0, 13)
	SUB.S $16, R2
	BNE   lkloop

lkdone:
	RET
