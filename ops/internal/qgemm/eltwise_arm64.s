//go:build !noasm

#include "textflag.h"
#include "neon.h"

// NARROW16 narrows the int32 lanes of V0-V3 to the 16 bytes of V0
// (truncating: the values fit).
#define NARROW16 \
	UZP1H(0, 0, 1); \
	UZP1H(2, 2, 3); \
	UZP1B(0, 0, 2)

// CLAMPROUND clamps V0-V3 to [V5, V6] (FMAXNM: NaN gives lo) and converts
// them to int32 rounding half to even.
#define CLAMPROUND \
	FMAXNMV(0, 0, 5); \
	FMAXNMV(1, 1, 5); \
	FMAXNMV(2, 2, 5); \
	FMAXNMV(3, 3, 5); \
	FMINV(0, 0, 6); \
	FMINV(1, 1, 6); \
	FMINV(2, 2, 6); \
	FMINV(3, 3, 6); \
	FCVTNS(0, 0); \
	FCVTNS(1, 1); \
	FCVTNS(2, 2); \
	FCVTNS(3, 3)

// func quantizeNEON(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)
//
// Quantize of n values (a multiple of 16), 16 per step: divided by the
// scale, clamped to [lo, hi] (the range minus the zero point; NaN gives
// lo), rounded half to even, plus the zero point.
TEXT ·quantizeNEON(SB), NOSPLIT, $0-40
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  n+16(FP), R2
	FMOVS scale+24(FP), F4
	VDUP  V4.S[0], V4.S4
	MOVW  zp+28(FP), R3
	VDUP  R3, V7.S4
	FMOVS lo+32(FP), F5
	VDUP  V5.S[0], V5.S4
	FMOVS hi+36(FP), F6
	VDUP  V6.S[0], V6.S4
	CBZ   R2, qdone

qloop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	FDIVV(0, 0, 4)
	FDIVV(1, 1, 4)
	FDIVV(2, 2, 4)
	FDIVV(3, 3, 4)
	CLAMPROUND
	VADD   V7.S4, V0.S4, V0.S4
	VADD   V7.S4, V1.S4, V1.S4
	VADD   V7.S4, V2.S4, V2.S4
	VADD   V7.S4, V3.S4, V3.S4
	NARROW16
	VST1.P [V0.B16], 16(R0)
	SUBS   $16, R2, R2
	BNE    qloop

qdone:
	RET

// func addScaledNEON(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)
//
// AddScaled of n values (a multiple of 16), 16 per step: the operands
// widened to float32, b·rb + c and then a·ra plus that, each fused (FMLA),
// clamped to [lo, hi] (NaN gives lo), rounded half to even. b may be nil
// (no b term).
//
// Registers: V0-V3 the sums, V4 c, V5 lo, V6 hi, V7 ra, V8 rb, V18 a's
// bytes, V19 b's, V20-V23 b's floats, V24-V27 a's.
TEXT ·addScaledNEON(SB), NOSPLIT, $0-53
	MOVD  dst+0(FP), R0
	MOVD  a+8(FP), R1
	MOVD  b+16(FP), R2
	MOVD  n+24(FP), R3
	FMOVS ra+32(FP), F7
	VDUP  V7.S[0], V7.S4
	FMOVS rb+36(FP), F8
	VDUP  V8.S[0], V8.S4
	FMOVS c+40(FP), F4
	VDUP  V4.S[0], V4.S4
	FMOVS lo+44(FP), F5
	VDUP  V5.S[0], V5.S4
	FMOVS hi+48(FP), F6
	VDUP  V6.S[0], V6.S4
	MOVBU signed+52(FP), R4
	CBZ   R3, adone
	CBNZ  R4, asigned

auloop:
	VMOV V4.B16, V0.B16
	VMOV V4.B16, V1.B16
	VMOV V4.B16, V2.B16
	VMOV V4.B16, V3.B16
	CBZ  R2, auonly
	VLD1.P 16(R2), [V19.B16]
	UXTLB(16, 19)
	UXTL2B(17, 19)
	UXTLH(20, 16)
	UXTL2H(21, 16)
	UXTLH(22, 17)
	UXTL2H(23, 17)
	SCVTF(20, 20)
	SCVTF(21, 21)
	SCVTF(22, 22)
	SCVTF(23, 23)
	FMLAV(0, 20, 8)
	FMLAV(1, 21, 8)
	FMLAV(2, 22, 8)
	FMLAV(3, 23, 8)

auonly:
	VLD1.P 16(R1), [V18.B16]
	UXTLB(16, 18)
	UXTL2B(17, 18)
	UXTLH(24, 16)
	UXTL2H(25, 16)
	UXTLH(26, 17)
	UXTL2H(27, 17)
	SCVTF(24, 24)
	SCVTF(25, 25)
	SCVTF(26, 26)
	SCVTF(27, 27)
	FMLAV(0, 24, 7)
	FMLAV(1, 25, 7)
	FMLAV(2, 26, 7)
	FMLAV(3, 27, 7)
	CLAMPROUND
	NARROW16
	VST1.P [V0.B16], 16(R0)
	SUBS   $16, R3, R3
	BNE    auloop
	RET

asigned:
asloop:
	VMOV V4.B16, V0.B16
	VMOV V4.B16, V1.B16
	VMOV V4.B16, V2.B16
	VMOV V4.B16, V3.B16
	CBZ  R2, asonly
	VLD1.P 16(R2), [V19.B16]
	SXTLB(16, 19)
	SXTL2B(17, 19)
	SXTLH(20, 16)
	SXTL2H(21, 16)
	SXTLH(22, 17)
	SXTL2H(23, 17)
	SCVTF(20, 20)
	SCVTF(21, 21)
	SCVTF(22, 22)
	SCVTF(23, 23)
	FMLAV(0, 20, 8)
	FMLAV(1, 21, 8)
	FMLAV(2, 22, 8)
	FMLAV(3, 23, 8)

asonly:
	VLD1.P 16(R1), [V18.B16]
	SXTLB(16, 18)
	SXTL2B(17, 18)
	SXTLH(24, 16)
	SXTL2H(25, 16)
	SXTLH(26, 17)
	SXTL2H(27, 17)
	SCVTF(24, 24)
	SCVTF(25, 25)
	SCVTF(26, 26)
	SCVTF(27, 27)
	FMLAV(0, 24, 7)
	FMLAV(1, 25, 7)
	FMLAV(2, 26, 7)
	FMLAV(3, 27, 7)
	CLAMPROUND
	NARROW16
	VST1.P [V0.B16], 16(R0)
	SUBS   $16, R3, R3
	BNE    asloop
	RET

adone:
	RET

// func maxBytesNEON(dst, src *byte, n int, signed bool)
//
// MaxBytes of n values (a multiple of 16), 16 per step; src is loaded
// before dst is stored, so it may run ahead of dst in one buffer.
TEXT ·maxBytesNEON(SB), NOSPLIT, $0-25
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  n+16(FP), R2
	MOVBU signed+24(FP), R3
	CBZ   R2, mdone
	CBNZ  R3, msigned

mloop:
	VLD1.P 16(R1), [V0.B16]
	VLD1   (R0), [V1.B16]
	UMAXB(1, 1, 0)
	VST1.P [V1.B16], 16(R0)
	SUBS   $16, R2, R2
	BNE    mloop
	RET

msigned:
	VLD1.P 16(R1), [V0.B16]
	VLD1   (R0), [V1.B16]
	SMAXB(1, 1, 0)
	VST1.P [V1.B16], 16(R0)
	SUBS   $16, R2, R2
	BNE    msigned

mdone:
	RET

// MULSTEP is one step of mulScaledNEON on the widened operands V16-V17
// (a) and V18-V19 (b): the exact int32 products, converted to float32,
// times V7, plus V4 (each rounded), clamped, rounded and narrowed into
// 16 bytes stored at R0.
#define MULSTEP \
	SMULLH(0, 16, 18); \
	SMULL2H(1, 16, 18); \
	SMULLH(2, 17, 19); \
	SMULL2H(3, 17, 19); \
	SCVTF(0, 0); \
	SCVTF(1, 1); \
	SCVTF(2, 2); \
	SCVTF(3, 3); \
	FMULV(0, 0, 7); \
	FMULV(1, 1, 7); \
	FMULV(2, 2, 7); \
	FMULV(3, 3, 7); \
	FADDV(0, 0, 4); \
	FADDV(1, 1, 4); \
	FADDV(2, 2, 4); \
	FADDV(3, 3, 4); \
	CLAMPROUND; \
	NARROW16; \
	VST1.P [V0.B16], 16(R0)

// MULCONST is mulScaledNEON's loop with b nil: a's bytes widened by
// xtlb and xtl2b (UXTLB, UXTL2B or the SXT ones), less za; the labels
// are the arguments.
#define MULCONST(xtlb, xtl2b, loop) \
loop: \
	VLD1.P 16(R1), [V11.B16]; \
	xtlb(16, 11); \
	xtl2b(17, 11); \
	VSUB   V9.H8, V16.H8, V16.H8; \
	VSUB   V9.H8, V17.H8, V17.H8; \
	MULSTEP; \
	SUBS   $16, R3, R3; \
	BNE    loop; \
	RET

// MULPAIR is mulScaledNEON's loop over a and b, widened as in MULCONST,
// less za and zb.
#define MULPAIR(xtlb, xtl2b, loop) \
loop: \
	VLD1.P 16(R1), [V11.B16]; \
	VLD1.P 16(R2), [V12.B16]; \
	xtlb(16, 11); \
	xtl2b(17, 11); \
	xtlb(18, 12); \
	xtl2b(19, 12); \
	VSUB   V9.H8, V16.H8, V16.H8; \
	VSUB   V9.H8, V17.H8, V17.H8; \
	VSUB   V10.H8, V18.H8, V18.H8; \
	VSUB   V10.H8, V19.H8, V19.H8; \
	MULSTEP; \
	SUBS   $16, R3, R3; \
	BNE    loop; \
	RET

// func mulScaledNEON(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)
//
// MulScaled of n values (a multiple of 16), 16 per step: a-za and b-zb in
// int16 (in [-255, 255]), their products in int32 (SMULL: exact), then as
// mulScaledAVX512 computes them. b may be nil: zb is then the second
// factor of every product.
//
// Registers: V0-V3 the results, V4 c, V5 lo, V6 hi, V7 r, V9 za and V10
// zb (int16 lanes), V11 and V12 a's and b's bytes, V16-V19 the factors.
TEXT ·mulScaledNEON(SB), NOSPLIT, $0-57
	MOVD  dst+0(FP), R0
	MOVD  a+8(FP), R1
	MOVD  b+16(FP), R2
	MOVD  n+24(FP), R3
	MOVW  za+32(FP), R4
	VDUP  R4, V9.H8
	MOVW  zb+36(FP), R4
	VDUP  R4, V10.H8
	FMOVS r+40(FP), F7
	VDUP  V7.S[0], V7.S4
	FMOVS c+44(FP), F4
	VDUP  V4.S[0], V4.S4
	FMOVS lo+48(FP), F5
	VDUP  V5.S[0], V5.S4
	FMOVS hi+52(FP), F6
	VDUP  V6.S[0], V6.S4
	MOVBU signed+56(FP), R5
	CBZ   R3, mudone
	CBNZ  R2, mpair

	// b nil: the second factors are zb.
	VMOV V10.B16, V18.B16
	VMOV V10.B16, V19.B16
	CBNZ R5, mcsloop
	MULCONST(UXTLB, UXTL2B, mculoop)
	MULCONST(SXTLB, SXTL2B, mcsloop)

mpair:
	CBNZ R5, mpsloop
	MULPAIR(UXTLB, UXTL2B, mpuloop)
	MULPAIR(SXTLB, SXTL2B, mpsloop)

mudone:
	RET

// func lookupNEON(dst, src *byte, n int, table *[256]byte)
//
// Lookup of n values (a multiple of 16), 16 per step: the table in
// V16-V31, a TBL of its first 64 bytes and a TBX of each next 64 with the
// index less 64, 128, 192 (an index below the quarter wraps past 63, and
// TBX leaves the byte found before).
TEXT ·lookupNEON(SB), NOSPLIT, $0-32
	MOVD   dst+0(FP), R0
	MOVD   src+8(FP), R1
	MOVD   n+16(FP), R2
	MOVD   table+24(FP), R3
	VLD1.P 64(R3), [V16.B16, V17.B16, V18.B16, V19.B16]
	VLD1.P 64(R3), [V20.B16, V21.B16, V22.B16, V23.B16]
	VLD1.P 64(R3), [V24.B16, V25.B16, V26.B16, V27.B16]
	VLD1   (R3), [V28.B16, V29.B16, V30.B16, V31.B16]
	MOVD   $64, R4
	VDUP   R4, V3.B16
	CBZ    R2, ldone

lloop:
	VLD1.P 16(R1), [V0.B16]
	TBL4(1, 16, 0)
	VSUB   V3.B16, V0.B16, V0.B16
	TBX4(1, 20, 0)
	VSUB   V3.B16, V0.B16, V0.B16
	TBX4(1, 24, 0)
	VSUB   V3.B16, V0.B16, V0.B16
	TBX4(1, 28, 0)
	VST1.P [V1.B16], 16(R0)
	SUBS   $16, R2, R2
	BNE    lloop

ldone:
	RET

// func max3s2BytesNEON(dst, src *byte, n int, signed bool)
//
// Max3S2Bytes of n values (a multiple of 16), 16 per step: LD2 splits 32
// bytes into the windows' first (even) and middle (odd) values, and a
// second LD2 two bytes on gives their last ones (src[2i+2]); it reads
// src[2n+1], one byte past the last window.
TEXT ·max3s2BytesNEON(SB), NOSPLIT, $0-25
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  n+16(FP), R2
	MOVBU signed+24(FP), R3
	CBZ   R2, xdone
	ADD   $2, R1, R4
	CBNZ  R3, xsigned

xloop:
	VLD2.P 32(R1), [V0.B16, V1.B16]
	VLD2.P 32(R4), [V2.B16, V3.B16]
	UMAXB(0, 0, 1)
	UMAXB(0, 0, 2)
	VST1.P [V0.B16], 16(R0)
	SUBS   $16, R2, R2
	BNE    xloop
	RET

xsigned:
	VLD2.P 32(R1), [V0.B16, V1.B16]
	VLD2.P 32(R4), [V2.B16, V3.B16]
	SMAXB(0, 0, 1)
	SMAXB(0, 0, 2)
	VST1.P [V0.B16], 16(R0)
	SUBS   $16, R2, R2
	BNE    xsigned

xdone:
	RET
