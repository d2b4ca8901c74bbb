//go:build !noasm

#include "textflag.h"

// NEON instructions the Go assembler does not accept, as WORD encodings,
// for register numbers d, n, m in 0..31 (checked with objdump).

// SDOT is SDOT Vd.4S, Vn.16B, Vm.4B[lane] (ARMv8.2 DotProd): each int32
// lane i of vd gets the dot product of bytes 4i..4i+3 of vn with bytes
// 4·lane..4·lane+3 of vm.
#define SDOT(d, n, m, lane) WORD $(0x4F80E000 | ((lane)&1)<<21 | (m)<<16 | ((lane)>>1)<<11 | (n)<<5 | (d))

// SMULL and SMULL2 are SMULL Vd.8H, Vn.8B, Vm.8B and SMULL2 Vd.8H,
// Vn.16B, Vm.16B: the int16 products of the low (high) eight int8 lanes.
#define SMULL(d, n, m) WORD $(0x0E20C000 | (m)<<16 | (n)<<5 | (d))
#define SMULL2(d, n, m) WORD $(0x4E20C000 | (m)<<16 | (n)<<5 | (d))

// SADALP is SADALP Vd.4S, Vn.8H: vd[i] += vn[2i] + vn[2i+1].
#define SADALP(d, n) WORD $(0x4E606800 | (n)<<5 | (d))

// ADDP is ADDP Vd.4S, Vn.4S, Vm.4S: the sums of adjacent pairs of vn, then
// of vm.
#define ADDP(d, n, m) WORD $(0x4EA0BC00 | (m)<<16 | (n)<<5 | (d))

// DUPS is DUP Vd.4S, Vn.S[lane].
#define DUPS(d, n, lane) WORD $(0x4E040400 | (lane)<<19 | (n)<<5 | (d))

// DOTSTEP is one k step of the 8x12 dot-product tile: A's rows 0-3 and
// 4-7 in V0 and V1 (four bytes each), B's columns 0-3, 4-7 and 8-11 in
// V2-V4. Row r of the tile is V(8+3r) (columns 0-3), V(9+3r), V(10+3r).
#define DOTSTEP \
	SDOT(8, 2, 0, 0); \
	SDOT(9, 3, 0, 0); \
	SDOT(10, 4, 0, 0); \
	SDOT(11, 2, 0, 1); \
	SDOT(12, 3, 0, 1); \
	SDOT(13, 4, 0, 1); \
	SDOT(14, 2, 0, 2); \
	SDOT(15, 3, 0, 2); \
	SDOT(16, 4, 0, 2); \
	SDOT(17, 2, 0, 3); \
	SDOT(18, 3, 0, 3); \
	SDOT(19, 4, 0, 3); \
	SDOT(20, 2, 1, 0); \
	SDOT(21, 3, 1, 0); \
	SDOT(22, 4, 1, 0); \
	SDOT(23, 2, 1, 1); \
	SDOT(24, 3, 1, 1); \
	SDOT(25, 4, 1, 1); \
	SDOT(26, 2, 1, 2); \
	SDOT(27, 3, 1, 2); \
	SDOT(28, 4, 1, 2); \
	SDOT(29, 2, 1, 3); \
	SDOT(30, 3, 1, 3); \
	SDOT(31, 4, 1, 3)

// func dotNEONDot8x12(kq int, a, b *byte, offs *int32, acc *int32)
//
// The sums of one 8x12 tile over kq steps, stored row by row into acc
// (96 int32): step s reads 32 bytes of A at a+32s and 48 bytes of B at
// b+offs[s]. The tile stays in V8-V31; each step is two loads of A, three
// of B and 24 SDOT by element (A needs no broadcasts).
//
// Registers: R0 steps left, R1 a, R2 b, R3 offs, R4 acc, R5 the step's B.
TEXT ·dotNEONDot8x12(SB), NOSPLIT, $0-40
	MOVD kq+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD offs+24(FP), R3
	MOVD acc+32(FP), R4
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	CBZ  R0, store

loop:
	MOVWU.P 4(R3), R5
	ADD     R2, R5, R5
	VLD1.P  32(R1), [V0.B16, V1.B16]
	VLD1    (R5), [V2.B16, V3.B16, V4.B16]
	DOTSTEP
	SUBS    $1, R0, R0
	BNE     loop

store:
	VST1.P [V8.S4, V9.S4, V10.S4], 48(R4)
	VST1.P [V11.S4, V12.S4, V13.S4], 48(R4)
	VST1.P [V14.S4, V15.S4, V16.S4], 48(R4)
	VST1.P [V17.S4, V18.S4, V19.S4], 48(R4)
	VST1.P [V20.S4, V21.S4, V22.S4], 48(R4)
	VST1.P [V23.S4, V24.S4, V25.S4], 48(R4)
	VST1.P [V26.S4, V27.S4, V28.S4], 48(R4)
	VST1.P [V29.S4, V30.S4, V31.S4], 48(R4)
	RET

// NROW is row r of one k step of the ARMv8.0 4x8 tile: A's row r (lane r
// of V0) broadcast into va, multiplied by B's columns 0-3 (V1) and 4-7
// (V2) as int16 products (int8·int8 fits), whose adjacent pairs, the
// products of k values 0-1 and 2-3 of one column, are added into the
// accumulators d..d+3 (columns 0-1, 2-3, 4-5, 6-7: two partial sums per
// column), through temporaries t..t+3.
#define NROW(r, va, t, d) \
	DUPS(va, 0, r); \
	SMULL(t, 1, va); \
	SMULL2(t+1, 1, va); \
	SMULL(t+2, 2, va); \
	SMULL2(t+3, 2, va); \
	SADALP(d, t); \
	SADALP(d+1, t+1); \
	SADALP(d+2, t+2); \
	SADALP(d+3, t+3)

// func dotNEON4x8(kq int, a, b *byte, offs *int32, acc *int32)
//
// The sums of one 4x8 tile over kq steps, stored row by row into acc (32
// int32), for CPUs without the dot product: step s reads 16 bytes of A at
// a+16s and 32 bytes of B at b+offs[s]. Without SDOT, each row's four
// bytes are broadcast, multiplied by B with SMULL/SMULL2 and the products
// added pairwise into int32 with SADALP (two int16 products could
// overflow: -128·-128·2). Row r keeps two partial sums per column in
// V(16+4r)-V(19+4r); ADDP adds them at the end.
//
// Registers: R0 steps left, R1 a, R2 b, R3 offs, R4 acc, R5 the step's B.
TEXT ·dotNEON4x8(SB), NOSPLIT, $0-40
	MOVD kq+0(FP), R0
	MOVD a+8(FP), R1
	MOVD b+16(FP), R2
	MOVD offs+24(FP), R3
	MOVD acc+32(FP), R4
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	CBZ  R0, store

loop:
	MOVWU.P 4(R3), R5
	ADD     R2, R5, R5
	VLD1.P  16(R1), [V0.B16]
	VLD1    (R5), [V1.B16, V2.B16]
	NROW(0, 3, 4, 16)
	NROW(1, 8, 9, 20)
	NROW(2, 3, 4, 24)
	NROW(3, 8, 9, 28)
	SUBS    $1, R0, R0
	BNE     loop

store:
	ADDP(0, 16, 17)
	ADDP(1, 18, 19)
	ADDP(2, 20, 21)
	ADDP(3, 22, 23)
	ADDP(4, 24, 25)
	ADDP(5, 26, 27)
	ADDP(6, 28, 29)
	ADDP(7, 30, 31)
	VST1.P [V0.S4, V1.S4], 32(R4)
	VST1.P [V2.S4, V3.S4], 32(R4)
	VST1.P [V4.S4, V5.S4], 32(R4)
	VST1.P [V6.S4, V7.S4], 32(R4)
	RET
