//go:build !noasm

#include "textflag.h"

// The AVX2 and AVX-VNNI tile kernels, for x86 CPUs without AVX-512.
//
// AVX2 has no exact byte product: VPMADDUBSW adds two products of an
// unsigned and a signed byte in int16, and saturates (255·127·2 > 32767).
// So the AVX2 kernel widens both operands to int16 (VPMOVZXBW for the
// uint8 columns, VPMOVSXBW for the int8 rows) and multiplies with
// VPMADDWD, which adds pairs of int16 products into int32 lanes: exact for
// every input. A 4x8 tile: each k step widens the eight columns' 32 bytes
// into Y8 (columns 0-3) and Y9 (columns 4-7), broadcasts each row's four
// bytes as four int16 and adds the products to two accumulators per row
// (Y(2r), Y(2r+1)), which hold each column's sum in two lanes (k 0-1 and
// 2-3) until the end; VPHADDD and VPERMQ then make one register per row.
//
// The AVX-VNNI kernel keeps a 4x24 tile in Y0-Y11 (row r in Y(3r),
// Y(3r+1), Y(3r+2)) and adds each step's products with the VEX form of
// VPDPBUSD (uint8 columns times int8 rows, four products into each int32
// lane), which the Go assembler does not know: it is encoded with BYTE
// directives (VDPBUSD).
//
// Both epilogues run in registers: the offsets, the rank-one term, the
// scale, and the stores of int32, float32 or requantized bytes.

// Fields of tileEp.
#define EP_ROWOFF 0
#define EP_COLOFF 24
#define EP_ROWMUL 48
#define EP_COLMUL 72
#define EP_SCALE 96
#define EP_SCALECOLS 120
#define EP_LO 128
#define EP_HI 132
#define EP_ZP 136
#define EP_MODE 140

// byteIdx gathers the low byte of each dword of a 128-bit lane into the
// lane's first dword.
DATA byteIdx<>+0(SB)/8, $0x808080800c080400
DATA byteIdx<>+8(SB)/8, $0x8080808080808080
DATA byteIdx<>+16(SB)/8, $0x808080800c080400
DATA byteIdx<>+24(SB)/8, $0x8080808080808080
GLOBL byteIdx<>(SB), RODATA|NOPTR, $32

// lanesIdx moves the first dwords of the two lanes (byteIdx's) to dwords
// 0 and 1.
DATA lanesIdx<>+0(SB)/8, $0x0000000400000000
DATA lanesIdx<>+8(SB)/8, $0x0000000000000000
DATA lanesIdx<>+16(SB)/8, $0x0000000000000000
DATA lanesIdx<>+24(SB)/8, $0x0000000000000000
GLOBL lanesIdx<>(SB), RODATA|NOPTR, $32

// W16 adds row r's products (its four bytes at off(SI), widened to four
// int16 repeated) with the widened columns in Y8, Y9 to a0, a1.
#define W16(off, a0, a1) \
	VPBROADCASTD off(SI), X10; \
	VPMOVSXBW    X10, Y10; \
	VPMADDWD     Y10, Y8, Y11; \
	VPADDD       Y11, a0, a0; \
	VPMADDWD     Y10, Y9, Y12; \
	VPADDD       Y12, a1, a1

// PAIRS makes row register d (columns 0-7) of the lane pairs in a0
// (columns 0-3) and a1 (columns 4-7).
#define PAIRS(a0, a1, d) \
	VPHADDD a1, a0, d; \
	VPERMQ  $0xd8, d, d

// OFF adds the column offsets at coff(R11) and the row offset broadcast in
// Y15 to a.
#define OFF(coff, a) \
	VPADDD coff(R11), Y15, Y14; \
	VPADDD Y14, a, a

// MUL adds the column multipliers at coff(R11) times the row multiplier
// in Y15 to a.
#define MUL(coff, a) \
	VPMULLD coff(R11), Y15, Y14; \
	VPADDD  Y14, a, a

// QSTORE requantizes a: clamped to [lo, hi] (Y12, Y13; VMAXPS returns its
// second source, lo, when a is NaN), rounded half to even, plus the zero
// point (Y14); then stores the low bytes of its eight lanes at off(DX)
// (Y15: lanesIdx).
#define QSTORE(a, x, off) \
	VMAXPS    Y12, a, a; \
	VMINPS    Y13, a, a; \
	VCVTPS2DQ a, a; \
	VPADDD    Y14, a, a; \
	VPSHUFB   byteIdx<>(SB), a, a; \
	VPERMD    a, Y15, a; \
	VMOVQ     x, off(DX)

// func tileAVX2(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)
//
// n tiles down one column panel: SI runs through the row panels, DX down
// the rows of C, and R13 is the byte offset of the current tile's rows in
// the per-row vectors.
TEXT ·tileAVX2(SB), NOSPLIT, $0-64
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), BX
	MOVQ ep+48(FP), R9
	MOVQ n+56(FP), R14
	XORQ R13, R13

a2panel:
	MOVQ  kq+0(FP), CX
	MOVQ  offs+24(FP), R8
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	TESTQ CX, CX
	JEQ   a2sum

a2loop:
	MOVLQSX   (R8), R12
	VPMOVZXBW (DI)(R12*1), Y8
	VPMOVZXBW 16(DI)(R12*1), Y9
	W16(0, Y0, Y1)
	W16(4, Y2, Y3)
	W16(8, Y4, Y5)
	W16(12, Y6, Y7)
	ADDQ      $16, SI
	ADDQ      $4, R8
	DECQ      CX
	JNE       a2loop

a2sum:
	PAIRS(Y0, Y1, Y0)
	PAIRS(Y2, Y3, Y1)
	PAIRS(Y4, Y5, Y2)
	PAIRS(Y6, Y7, Y3)

	MOVQ         EP_COLOFF(R9), R11
	MOVQ         EP_ROWOFF(R9), R10
	ADDQ         R13, R10
	VPBROADCASTD 0(R10), Y15
	OFF(0, Y0)
	VPBROADCASTD 4(R10), Y15
	OFF(0, Y1)
	VPBROADCASTD 8(R10), Y15
	OFF(0, Y2)
	VPBROADCASTD 12(R10), Y15
	OFF(0, Y3)

	MOVQ         EP_ROWMUL(R9), R10
	TESTQ        R10, R10
	JEQ          a2store
	ADDQ         R13, R10
	MOVQ         EP_COLMUL(R9), R11
	VPBROADCASTD 0(R10), Y15
	MUL(0, Y0)
	VPBROADCASTD 4(R10), Y15
	MUL(0, Y1)
	VPBROADCASTD 8(R10), Y15
	MUL(0, Y2)
	VPBROADCASTD 12(R10), Y15
	MUL(0, Y3)

a2store:
	MOVL  EP_MODE(R9), AX
	TESTL AX, AX
	JNE   a2scale

a2store32:
	VMOVDQU Y0, (DX)
	ADDQ    BX, DX
	VMOVDQU Y1, (DX)
	ADDQ    BX, DX
	VMOVDQU Y2, (DX)
	ADDQ    BX, DX
	VMOVDQU Y3, (DX)
	ADDQ    BX, DX
	JMP     a2next

a2scale:
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VCVTDQ2PS Y2, Y2
	VCVTDQ2PS Y3, Y3
	MOVQ      EP_SCALE(R9), R10
	CMPQ      EP_SCALECOLS(R9), $0
	JNE       a2scalecols
	ADDQ      R13, R10
	VBROADCASTSS 0(R10), Y15
	VMULPS    Y15, Y0, Y0
	VBROADCASTSS 4(R10), Y15
	VMULPS    Y15, Y1, Y1
	VBROADCASTSS 8(R10), Y15
	VMULPS    Y15, Y2, Y2
	VBROADCASTSS 12(R10), Y15
	VMULPS    Y15, Y3, Y3
	JMP       a2scaled

a2scalecols:
	VMULPS (R10), Y0, Y0
	VMULPS (R10), Y1, Y1
	VMULPS (R10), Y2, Y2
	VMULPS (R10), Y3, Y3

a2scaled:
	CMPL AX, $1
	JEQ  a2store32
	VBROADCASTSS EP_LO(R9), Y12
	VBROADCASTSS EP_HI(R9), Y13
	VPBROADCASTD EP_ZP(R9), Y14
	VMOVDQU      lanesIdx<>(SB), Y15
	QSTORE(Y0, X0, 0)
	ADDQ         BX, DX
	QSTORE(Y1, X1, 0)
	ADDQ         BX, DX
	QSTORE(Y2, X2, 0)
	ADDQ         BX, DX
	QSTORE(Y3, X3, 0)
	ADDQ         BX, DX

a2next:
	ADDQ $16, R13
	DECQ R14
	JNE  a2panel
	VZEROUPPER
	RET

// VDPBUSD is VPDPBUSD Y(acc), Y(b), Y15 (VEX.256.66.0F38.W0 50 /r: Y(acc)
// += the products of Y(b)'s uint8 and Y15's int8, four to a lane) for acc
// in 0-15 and b in 0-15: the bytes C4, ~R ~X ~B 00010, W ~vvvv L pp, 50,
// ModRM 11 acc b'111.
#define VDPBUSD(acc, b) \
	BYTE $0xc4; \
	BYTE $(0xc2 ^ (((acc)&8)<<4)); \
	BYTE $(((15-(b))<<3) | 5); \
	BYTE $0x50; \
	BYTE $(0xc0 | (((acc)&7)<<3) | 7)

// VNROW adds row r's products (its four bytes broadcast from off(SI)
// into Y15) with the columns in Y12-Y14 to Y(a), Y(a+1), Y(a+2).
#define VNROW(off, a) \
	VPBROADCASTD off(SI), Y15; \
	VDPBUSD(a, 12); \
	VDPBUSD(a+1, 13); \
	VDPBUSD(a+2, 14)

// INIT3 sets a row's three registers to the column offsets at (R11) plus
// the row offset at off(R10).
#define INIT3(off, a0, a1, a2) \
	VPBROADCASTD off(R10), Y15; \
	VPADDD       (R11), Y15, a0; \
	VPADDD       32(R11), Y15, a1; \
	VPADDD       64(R11), Y15, a2

// MUL3 adds the column multipliers at (R11) times the row multiplier at
// off(R10) to a row's three registers.
#define MUL3(off, a0, a1, a2) \
	VPBROADCASTD off(R10), Y15; \
	MUL(0, a0); \
	MUL(32, a1); \
	MUL(64, a2)

// SCALE3 multiplies a row's three registers by the row's scale at
// off(R10).
#define SCALE3(off, a0, a1, a2) \
	VBROADCASTSS off(R10), Y15; \
	VMULPS       Y15, a0, a0; \
	VMULPS       Y15, a1, a1; \
	VMULPS       Y15, a2, a2

// SCALEC3 multiplies a row's three registers by the columns' scales at
// (R10).
#define SCALEC3(a0, a1, a2) \
	VMULPS (R10), a0, a0; \
	VMULPS 32(R10), a1, a1; \
	VMULPS 64(R10), a2, a2

// STORE3 stores a row's three registers at DX, then moves DX to the next
// row.
#define STORE3(a0, a1, a2) \
	VMOVDQU a0, (DX); \
	VMOVDQU a1, 32(DX); \
	VMOVDQU a2, 64(DX); \
	ADDQ    BX, DX

// QSTORE3 requantizes and stores a row's three registers' 24 bytes at
// DX, then moves DX to the next row.
#define QSTORE3(a0, x0, a1, x1, a2, x2) \
	QSTORE(a0, x0, 0); \
	QSTORE(a1, x1, 8); \
	QSTORE(a2, x2, 16); \
	ADDQ BX, DX

// CVT3 converts a row's three registers to float32.
#define CVT3(a0, a1, a2) \
	VCVTDQ2PS a0, a0; \
	VCVTDQ2PS a1, a1; \
	VCVTDQ2PS a2, a2

// func tileAVXVNNI(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)
//
// n 4x24 tiles down one column panel, as tileAVX2.
TEXT ·tileAVXVNNI(SB), NOSPLIT, $0-64
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), BX
	MOVQ ep+48(FP), R9
	MOVQ n+56(FP), R14
	XORQ R13, R13

vnpanel:
	MOVQ kq+0(FP), CX
	MOVQ offs+24(FP), R8
	MOVQ EP_COLOFF(R9), R11
	MOVQ EP_ROWOFF(R9), R10
	ADDQ R13, R10
	INIT3(0, Y0, Y1, Y2)
	INIT3(4, Y3, Y4, Y5)
	INIT3(8, Y6, Y7, Y8)
	INIT3(12, Y9, Y10, Y11)
	TESTQ CX, CX
	JEQ   vnrank1

vnloop:
	MOVLQSX (R8), R12
	VMOVDQU (DI)(R12*1), Y12
	VMOVDQU 32(DI)(R12*1), Y13
	VMOVDQU 64(DI)(R12*1), Y14
	VNROW(0, 0)
	VNROW(4, 3)
	VNROW(8, 6)
	VNROW(12, 9)
	ADDQ    $16, SI
	ADDQ    $4, R8
	DECQ    CX
	JNE     vnloop

vnrank1:
	MOVQ  EP_ROWMUL(R9), R10
	TESTQ R10, R10
	JEQ   vnstore
	ADDQ  R13, R10
	MOVQ  EP_COLMUL(R9), R11
	MUL3(0, Y0, Y1, Y2)
	MUL3(4, Y3, Y4, Y5)
	MUL3(8, Y6, Y7, Y8)
	MUL3(12, Y9, Y10, Y11)

vnstore:
	MOVL  EP_MODE(R9), AX
	TESTL AX, AX
	JNE   vnscale

vnstore32:
	STORE3(Y0, Y1, Y2)
	STORE3(Y3, Y4, Y5)
	STORE3(Y6, Y7, Y8)
	STORE3(Y9, Y10, Y11)
	JMP vnnext

vnscale:
	CVT3(Y0, Y1, Y2)
	CVT3(Y3, Y4, Y5)
	CVT3(Y6, Y7, Y8)
	CVT3(Y9, Y10, Y11)
	MOVQ EP_SCALE(R9), R10
	CMPQ EP_SCALECOLS(R9), $0
	JNE  vnscalecols
	ADDQ R13, R10
	SCALE3(0, Y0, Y1, Y2)
	SCALE3(4, Y3, Y4, Y5)
	SCALE3(8, Y6, Y7, Y8)
	SCALE3(12, Y9, Y10, Y11)
	JMP  vnscaled

vnscalecols:
	SCALEC3(Y0, Y1, Y2)
	SCALEC3(Y3, Y4, Y5)
	SCALEC3(Y6, Y7, Y8)
	SCALEC3(Y9, Y10, Y11)

vnscaled:
	CMPL AX, $1
	JEQ  vnstore32
	VBROADCASTSS EP_LO(R9), Y12
	VBROADCASTSS EP_HI(R9), Y13
	VPBROADCASTD EP_ZP(R9), Y14
	VMOVDQU      lanesIdx<>(SB), Y15
	QSTORE3(Y0, X0, Y1, X1, Y2, X2)
	QSTORE3(Y3, X3, Y4, X4, Y5, X5)
	QSTORE3(Y6, X6, Y7, X7, Y8, X8)
	QSTORE3(Y9, X9, Y10, X10, Y11, X11)

vnnext:
	ADDQ $16, R13
	DECQ R14
	JNE  vnpanel
	VZEROUPPER
	RET

// evenIdx gathers, in each lane, its even bytes into its first qword.
DATA evenIdx<>+0(SB)/8, $0x0e0c0a0806040200
DATA evenIdx<>+8(SB)/8, $0x8080808080808080
DATA evenIdx<>+16(SB)/8, $0x0e0c0a0806040200
DATA evenIdx<>+24(SB)/8, $0x8080808080808080
GLOBL evenIdx<>(SB), RODATA|NOPTR, $32

// EVEN16 loads the 16 bytes at stride 2 from (reg)(AX*2) (32 bytes
// read) into x (y its YMM), XOR X12.
#define EVEN16(reg, y, x) \
	VMOVDQU (reg)(AX*2), y; \
	VPSHUFB Y13, y, y; \
	VPERMQ  $0x08, y, y; \
	VPXOR   X12, x, x

// func interleaveAVX2(dst, s0, s1, s2, s3 *byte, n, stride int, flip byte)
//
// Interleave4 at stride 1 or 2 of n columns, a multiple of 16: sixteen
// per step (at stride 2 gathered from 32 bytes by VPSHUFB and VPERMQ),
// the four rows' bytes interleaved by VPUNPCKLBW/HBW (rows 0 and 1, 2
// and 3), then VPUNPCKLWD/HWD.
TEXT ·interleaveAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst+0(FP), DI
	MOVQ         s0+8(FP), R8
	MOVQ         s1+16(FP), R9
	MOVQ         s2+24(FP), R10
	MOVQ         s3+32(FP), R11
	MOVQ         n+40(FP), CX
	MOVQ         stride+48(FP), DX
	VPBROADCASTB flip+56(FP), X12
	VMOVDQU      evenIdx<>(SB), Y13
	XORQ         AX, AX

ia2loop:
	CMPQ       AX, CX
	JGE        ia2done
	CMPQ       DX, $1
	JNE        ia2s2
	VPXOR      (R8)(AX*1), X12, X0
	VPXOR      (R9)(AX*1), X12, X1
	VPXOR      (R10)(AX*1), X12, X2
	VPXOR      (R11)(AX*1), X12, X3
	JMP        ia2mix

ia2s2:
	EVEN16(R8, Y0, X0)
	EVEN16(R9, Y1, X1)
	EVEN16(R10, Y2, X2)
	EVEN16(R11, Y3, X3)

ia2mix:
	VPUNPCKLBW X1, X0, X4
	VPUNPCKHBW X1, X0, X5
	VPUNPCKLBW X3, X2, X6
	VPUNPCKHBW X3, X2, X7
	VPUNPCKLWD X6, X4, X8
	VPUNPCKHWD X6, X4, X9
	VPUNPCKLWD X7, X5, X10
	VPUNPCKHWD X7, X5, X11
	VMOVDQU    X8, (DI)(AX*4)
	VMOVDQU    X9, 16(DI)(AX*4)
	VMOVDQU    X10, 32(DI)(AX*4)
	VMOVDQU    X11, 48(DI)(AX*4)
	ADDQ       $16, AX
	JMP        ia2loop

ia2done:
	VZEROUPPER
	RET

// Fields of dwAVX2Args.
#define DA_SRC 0
#define DA_LD 8
#define DA_ROWSTEP 16
#define DA_TAPROW 24
#define DA_ROWS 32
#define DA_CHUNKS 40
#define DA_OUT 48
#define DA_LDO 56
#define DA_W 64
#define DA_KH 72
#define DA_NP 80
#define DA_SW 88
#define DA_OFF 96
#define DA_SCALE 100
#define DA_LO 104
#define DA_HI 108
#define DA_ZP 112
#define DA_MODE 116
#define DA_TAIL 120
#define DA_FAST 128

// pick1Idx gathers, in each lane, the low bytes of words 0, 4, 1, 5, 2,
// 6, 3, 7 (even and odd outputs packed by VPACKSSDW) into its first
// qword; pick2Idx those of words 0-7.
DATA pick1Idx<>+0(SB)/8, $0x0e060c040a020800
DATA pick1Idx<>+8(SB)/8, $0x8080808080808080
DATA pick1Idx<>+16(SB)/8, $0x0e060c040a020800
DATA pick1Idx<>+24(SB)/8, $0x8080808080808080
GLOBL pick1Idx<>(SB), RODATA|NOPTR, $32
DATA pick2Idx<>+0(SB)/8, $0x0e0c0a0806040200
DATA pick2Idx<>+8(SB)/8, $0x8080808080808080
DATA pick2Idx<>+16(SB)/8, $0x0e0c0a0806040200
DATA pick2Idx<>+24(SB)/8, $0x8080808080808080
GLOBL pick2Idx<>(SB), RODATA|NOPTR, $32

// TAP3S1 adds a row of three or four taps (pairs in p0, p1) at stride 1
// from the inputs at DX: even outputs to Y0, odd ones to Y1.
#define TAP3S1(p0, p1) \
	VPMADDWD (DX), p0, Y2; \
	VPADDD   Y2, Y0, Y0; \
	VPMADDWD 2(DX), p0, Y3; \
	VPADDD   Y3, Y1, Y1; \
	VPMADDWD 4(DX), p1, Y4; \
	VPADDD   Y4, Y0, Y0; \
	VPMADDWD 6(DX), p1, Y5; \
	VPADDD   Y5, Y1, Y1

// TAP3S2 is TAP3S1 at stride 2: outputs 0-7 to Y0, 8-15 to Y1.
#define TAP3S2(p0, p1) \
	VPMADDWD (DX), p0, Y2; \
	VPADDD   Y2, Y0, Y0; \
	VPMADDWD 32(DX), p0, Y3; \
	VPADDD   Y3, Y1, Y1; \
	VPMADDWD 4(DX), p1, Y4; \
	VPADDD   Y4, Y0, Y0; \
	VPMADDWD 36(DX), p1, Y5; \
	VPADDD   Y5, Y1, Y1

// func dwAVX2(a *dwAVX2Args)
//
// Rows of a depthwise plane from int16 input rows padded with the zero
// point (every tap inside), sixteen outputs per step in Y0 and Y1. Taps
// go two by two: VPMADDWD multiplies pairs of adjacent int16 inputs by a
// pair of taps (a dword broadcast) and adds them into int32 lanes. At
// stride 2, the 16 inputs from output 0's window give outputs 0-7 (Y0)
// and those from output 8's outputs 8-15 (Y1). At stride 1, the 16 from
// output 0's window give the even outputs (Y0) and those one further the
// odd ones (Y1), interleaved when stored. Three rows of three or four
// taps (fast) keep their six pairs in Y10-Y15 and run unrolled; others
// loop over rows and pairs. Bytes are packed by VPACKSSDW (the zero
// point added in int16, Y9) and one VPSHUFB. A row's last step, when
// short (tail: its bytes), is stored on the stack and copied.
TEXT ·dwAVX2(SB), NOSPLIT, $72-8
	MOVQ         a+0(FP), AX
	MOVQ         DA_SRC(AX), SI
	MOVQ         DA_OUT(AX), DI
	MOVQ         DA_ROWS(AX), R8
	MOVQ         DA_TAPROW(AX), BX
	MOVQ         DA_SW(AX), R14
	SHLQ         $5, R14                 // 16 outputs on: 16·sw int16 inputs
	VBROADCASTSS DA_SCALE(AX), Y6
	VBROADCASTSS DA_LO(AX), Y7
	VBROADCASTSS DA_HI(AX), Y8
	VPBROADCASTW DA_ZP(AX), Y9
	CMPQ         DA_FAST(AX), $0
	JEQ          dwarow
	MOVQ         DA_W(AX), R13
	VPBROADCASTD (R13), Y10
	VPBROADCASTD 4(R13), Y11
	VPBROADCASTD 8(R13), Y12
	VPBROADCASTD 12(R13), Y13
	VPBROADCASTD 16(R13), Y14
	VPBROADCASTD 20(R13), Y15

dwarow:
	MOVQ DA_CHUNKS(AX), R9
	MOVQ SI, R10
	MOVQ DI, R11

dwachunk:
	VPBROADCASTD DA_OFF(AX), Y0
	VMOVDQA      Y0, Y1
	MOVQ         R10, DX
	CMPQ         DA_FAST(AX), $0
	JEQ          dwageneral
	CMPQ         R14, $32
	JNE          dwa3s2
	TAP3S1(Y10, Y11)
	ADDQ         BX, DX
	TAP3S1(Y12, Y13)
	ADDQ         BX, DX
	TAP3S1(Y14, Y15)
	JMP          dwasum

dwa3s2:
	TAP3S2(Y10, Y11)
	ADDQ BX, DX
	TAP3S2(Y12, Y13)
	ADDQ BX, DX
	TAP3S2(Y14, Y15)
	JMP  dwasum

dwageneral:
	MOVQ DA_W(AX), R13
	MOVQ R10, R12
	MOVQ DA_KH(AX), CX
	MOVQ CX, 64(SP)

dwataprow:
	MOVQ DA_NP(AX), CX
	MOVQ R12, DX

dwapair:
	VPBROADCASTD (R13), Y2
	CMPQ         R14, $32
	JNE          dwapair2
	VPMADDWD     (DX), Y2, Y3
	VPADDD       Y3, Y0, Y0
	VPMADDWD     2(DX), Y2, Y4
	VPADDD       Y4, Y1, Y1
	JMP          dwapairnext

dwapair2:
	VPMADDWD (DX), Y2, Y3
	VPADDD   Y3, Y0, Y0
	VPMADDWD 32(DX), Y2, Y4
	VPADDD   Y4, Y1, Y1

dwapairnext:
	ADDQ $4, DX
	ADDQ $4, R13
	DECQ CX
	JNE  dwapair
	ADDQ BX, R12
	DECQ 64(SP)
	JNE  dwataprow

dwasum:
	MOVQ R11, DX
	CMPQ R9, $1
	JNE  dwadst
	CMPQ DA_TAIL(AX), $0
	JEQ  dwadst
	LEAQ (SP), DX                        // a short last step: on the stack

dwadst:
	CMPL DA_MODE(AX), $0
	JNE  dwabytes
	CMPQ R14, $32
	JNE  dwastore32
	VPUNPCKLDQ Y1, Y0, Y3                // outputs 0-3 | 8-11
	VPUNPCKHDQ Y1, Y0, Y4                // outputs 4-7 | 12-15
	VPERM2I128 $0x20, Y4, Y3, Y0
	VPERM2I128 $0x31, Y4, Y3, Y1

dwastore32:
	VMOVDQU Y0, (DX)
	VMOVDQU Y1, 32(DX)
	MOVQ    $64, CX
	JMP     dwastored

dwabytes:
	VCVTDQ2PS Y0, Y0
	VCVTDQ2PS Y1, Y1
	VMULPS    Y6, Y0, Y0
	VMULPS    Y6, Y1, Y1
	VMAXPS    Y7, Y0, Y0                 // NaN: lo
	VMAXPS    Y7, Y1, Y1
	VMINPS    Y8, Y0, Y0
	VMINPS    Y8, Y1, Y1
	VCVTPS2DQ Y0, Y0
	VCVTPS2DQ Y1, Y1
	VPACKSSDW Y1, Y0, Y2
	CMPQ      R14, $32
	JEQ       dwabytes1
	VPERMQ    $0xd8, Y2, Y2              // outputs 0-3, 4-7 | 8-11, 12-15
	VPADDW    Y9, Y2, Y2
	VPSHUFB   pick2Idx<>(SB), Y2, Y2
	JMP       dwabytes2

dwabytes1: // even and odd outputs, by lanes
	VPADDW  Y9, Y2, Y2
	VPSHUFB pick1Idx<>(SB), Y2, Y2

dwabytes2:
	VPERMQ  $0x08, Y2, Y2
	VMOVDQU X2, (DX)
	MOVQ    $16, CX

dwastored:
	CMPQ DX, R11
	JNE  dwatail
	ADDQ CX, R11
	JMP  dwanext

dwatail:
	MOVQ DA_TAIL(AX), CX
	XORQ R12, R12

dwatailb:
	MOVB (SP)(R12*1), DX
	MOVB DX, (R11)(R12*1)
	INCQ R12
	CMPQ R12, CX
	JLT  dwatailb

dwanext:
	ADDQ R14, R10
	DECQ R9
	JNE  dwachunk

	ADDQ DA_ROWSTEP(AX), SI
	ADDQ DA_LDO(AX), DI
	DECQ R8
	JNE  dwarow
	VZEROUPPER
	RET

// Fields of dwWidenArgs.
#define DWW_DST 0
#define DWW_LDD 8
#define DWW_SRC 16
#define DWW_LDS 24
#define DWW_N 32
#define DWW_ROWS 40
#define DWW_ZX 48
#define DWW_MASK 80
#define DWW_FLIP 112
#define DWW_SIGNED 113

// WIDENROW widens a row of n (DX) bytes at R8 to int16 at R9 with wide
// (VPMOVZXBW or VPMOVSXBW): 16 at a time, then the last 16 (overlapping)
// when n is not a multiple of 16, or, when n is below 16, 16 read past
// the row with the lanes from n on set to the zero point (Y14, under the
// mask Y13).
#define WIDENROW(wide, l, short, done) \
	CMPQ      DX, $16; \
	JLT       short; \
	XORQ      CX, CX; \
l: \
	VPXOR     (R8)(CX*1), X15, X0; \
	wide      X0, Y0; \
	VMOVDQU   Y0, (R9)(CX*2); \
	ADDQ      $16, CX; \
	LEAQ      16(CX), R10; \
	CMPQ      R10, DX; \
	JLE       l; \
	CMPQ      CX, DX; \
	JEQ       done; \
	LEAQ      -16(DX), CX; \
	VPXOR     (R8)(CX*1), X15, X0; \
	wide      X0, Y0; \
	VMOVDQU   Y0, (R9)(CX*2); \
	JMP       done; \
short: \
	VPXOR     (R8), X15, X0; \
	wide      X0, Y0; \
	VPBLENDVB Y13, Y0, Y14, Y0; \
	VMOVDQU   Y0, (R9)

// func dwWidenRowsAVX2(a *dwWidenArgs)
//
// Widens rows of bytes, each XOR flip, to int16 (see dwWidenArgs).
TEXT ·dwWidenRowsAVX2(SB), NOSPLIT, $0-8
	MOVQ         a+0(FP), AX
	MOVQ         DWW_DST(AX), R9
	MOVQ         DWW_SRC(AX), R8
	MOVQ         DWW_N(AX), DX
	MOVQ         DWW_ROWS(AX), BX
	VPBROADCASTB DWW_FLIP(AX), X15
	VMOVDQU      DWW_ZX(AX), Y14
	VMOVDQU      DWW_MASK(AX), Y13
	CMPB         DWW_SIGNED(AX), $0
	JNE          wsrow

wurow:
	TESTQ BX, BX
	JEQ   wdone
	WIDENROW(VPMOVZXBW, wul, wushort, wudone)

wudone:
	ADDQ DWW_LDS(AX), R8
	ADDQ DWW_LDD(AX), R9
	DECQ BX
	JMP  wurow

wsrow:
	TESTQ BX, BX
	JEQ   wdone
	WIDENROW(VPMOVSXBW, wsl, wsshort, wsdone)

wsdone:
	ADDQ DWW_LDS(AX), R8
	ADDQ DWW_LDD(AX), R9
	DECQ BX
	JMP  wsrow

wdone:
	VZEROUPPER
	RET

// func quantizeAVX2(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)
//
// quantizeAVX512 on AVX2, eight values per step, for n a multiple of 8.
TEXT ·quantizeAVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS scale+24(FP), Y4
	MOVL         zp+28(FP), R11
	MOVQ         R11, X5
	VPBROADCASTD X5, Y5
	VBROADCASTSS lo+32(FP), Y6
	VBROADCASTSS hi+36(FP), Y7
	VMOVDQU      lanesIdx<>(SB), Y8
	VMOVDQU      byteIdx<>(SB), Y9

q2loop:
	CMPQ      CX, $8
	JLT       q2done
	VMOVUPS   (SI), Y0
	VDIVPS    Y4, Y0, Y0
	VMAXPS    Y6, Y0, Y0               // NaN: lo
	VMINPS    Y7, Y0, Y0
	VCVTPS2DQ Y0, Y0
	VPADDD    Y5, Y0, Y0
	VPSHUFB   Y9, Y0, Y0
	VPERMD    Y0, Y8, Y0
	VMOVQ     X0, (DI)
	ADDQ      $32, SI
	ADDQ      $8, DI
	SUBQ      $8, CX
	JMP       q2loop

q2done:
	VZEROUPPER
	RET

// func addScaledAVX2(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)
//
// addScaledAVX512 on AVX2 and FMA, eight values per step, for n a
// multiple of 8.
TEXT ·addScaledAVX2(SB), NOSPLIT, $0-53
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS ra+32(FP), Y4
	VBROADCASTSS rb+36(FP), Y5
	VBROADCASTSS c+40(FP), Y6
	VBROADCASTSS lo+44(FP), Y7
	VBROADCASTSS hi+48(FP), Y8
	VMOVDQU      lanesIdx<>(SB), Y9
	VMOVDQU      byteIdx<>(SB), Y10
	MOVBQZX      signed+52(FP), BX
	XORQ         AX, AX

a2loop8:
	CMPQ    CX, $8
	JLT     a2done8
	VMOVAPS Y6, Y2
	TESTQ   DX, DX
	JEQ     a2only
	TESTQ   BX, BX
	JNE     a2bs
	VPMOVZXBD (DX)(AX*1), Y1
	JMP     a2b

a2bs:
	VPMOVSXBD (DX)(AX*1), Y1

a2b:
	VCVTDQ2PS   Y1, Y1
	VFMADD231PS Y5, Y1, Y2

a2only:
	TESTQ BX, BX
	JNE   a2as
	VPMOVZXBD (SI)(AX*1), Y0
	JMP   a2a

a2as:
	VPMOVSXBD (SI)(AX*1), Y0

a2a:
	VCVTDQ2PS   Y0, Y0
	VFMADD231PS Y4, Y0, Y2
	VMAXPS      Y7, Y2, Y2             // NaN: lo
	VMINPS      Y8, Y2, Y2
	VCVTPS2DQ   Y2, Y2
	VPSHUFB     Y10, Y2, Y2
	VPERMD      Y2, Y9, Y2
	VMOVQ       X2, (DI)(AX*1)
	ADDQ        $8, AX
	SUBQ        $8, CX
	JMP         a2loop8

a2done8:
	VZEROUPPER
	RET

// LOAD8 widens the 8 bytes at (reg)(AX*1) to int32 in y, unsigned or
// signed as BX says (0: unsigned).
#define LOAD8(reg, y) \
	TESTQ     BX, BX; \
	JNE       3(PC); \
	VPMOVZXBD (reg)(AX*1), y; \
	JMP       2(PC); \
	VPMOVSXBD (reg)(AX*1), y

// func mulScaledAVX2(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)
//
// mulScaledAVX512 on AVX2, eight values per step, for n a multiple of 8.
TEXT ·mulScaledAVX2(SB), NOSPLIT, $0-57
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), DX
	MOVQ         n+24(FP), CX
	MOVL         za+32(FP), R11
	MOVQ         R11, X9
	VPBROADCASTD X9, Y9
	MOVL         zb+36(FP), R11
	MOVQ         R11, X10
	VPBROADCASTD X10, Y10
	VBROADCASTSS r+40(FP), Y4
	VBROADCASTSS c+44(FP), Y6
	VBROADCASTSS lo+48(FP), Y7
	VBROADCASTSS hi+52(FP), Y8
	VMOVDQU      lanesIdx<>(SB), Y11
	VMOVDQU      byteIdx<>(SB), Y12
	MOVBQZX      signed+56(FP), BX
	XORQ         AX, AX

m2loop:
	CMPQ    CX, $8
	JLT     m2done
	LOAD8(SI, Y0)
	VPSUBD  Y9, Y0, Y0
	VMOVDQA Y10, Y1
	TESTQ   DX, DX
	JEQ     m2const
	LOAD8(DX, Y1)
	VPSUBD  Y10, Y1, Y1

m2const:
	VPMULLD   Y1, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VMULPS    Y4, Y0, Y0
	VADDPS    Y6, Y0, Y0
	VMAXPS    Y7, Y0, Y0               // NaN: lo
	VMINPS    Y8, Y0, Y0
	VCVTPS2DQ Y0, Y0
	VPSHUFB   Y12, Y0, Y0
	VPERMD    Y0, Y11, Y0
	VMOVQ     X0, (DI)(AX*1)
	ADDQ      $8, AX
	SUBQ      $8, CX
	JMP       m2loop

m2done:
	VZEROUPPER
	RET

// func maxBytesAVX2(dst, src *byte, n int, signed bool)
//
// maxBytesAVX512 on AVX2, 32 values per step, for n a multiple of 32;
// src is loaded before dst is stored, so it may run ahead of dst in one
// buffer.
TEXT ·maxBytesAVX2(SB), NOSPLIT, $0-25
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	MOVBQZX signed+24(FP), BX

mb2loop:
	CMPQ    CX, $32
	JLT     mb2done
	VMOVDQU (SI), Y0
	VMOVDQU (DI), Y1
	TESTQ   BX, BX
	JNE     mb2signed
	VPMAXUB Y0, Y1, Y1
	JMP     mb2store

mb2signed:
	VPMAXSB Y0, Y1, Y1

mb2store:
	VMOVDQU Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $32, CX
	JMP     mb2loop

mb2done:
	VZEROUPPER
	RET

// oddIdx gathers, in each lane, its odd bytes into its first qword.
DATA oddIdx<>+0(SB)/8, $0x0f0d0b0907050301
DATA oddIdx<>+8(SB)/8, $0x8080808080808080
DATA oddIdx<>+16(SB)/8, $0x0f0d0b0907050301
DATA oddIdx<>+24(SB)/8, $0x8080808080808080
GLOBL oddIdx<>(SB), RODATA|NOPTR, $32

// func max3s2BytesAVX2(dst, src *byte, n int, signed bool)
//
// Max3S2Bytes on AVX2, 16 outputs per step from 32 bytes of src and 32
// more two bytes on (34 read), for n a multiple of 16: the even and odd
// bytes gathered by VPSHUFB and VPERMQ.
TEXT ·max3s2BytesAVX2(SB), NOSPLIT, $0-25
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	MOVBQZX signed+24(FP), BX
	VMOVDQU evenIdx<>(SB), Y6
	VMOVDQU oddIdx<>(SB), Y7

s2loop:
	CMPQ    CX, $16
	JLT     s2done
	VMOVDQU (SI), Y0
	VMOVDQU 2(SI), Y1
	VPSHUFB Y6, Y0, Y2
	VPSHUFB Y7, Y0, Y3
	VPSHUFB Y6, Y1, Y4
	VPERMQ  $0x08, Y2, Y2
	VPERMQ  $0x08, Y3, Y3
	VPERMQ  $0x08, Y4, Y4
	TESTQ   BX, BX
	JNE     s2signed
	VPMAXUB X3, X2, X2
	VPMAXUB X4, X2, X2
	JMP     s2store

s2signed:
	VPMAXSB X3, X2, X2
	VPMAXSB X4, X2, X2

s2store:
	VMOVDQU X2, (DI)
	ADDQ    $32, SI
	ADDQ    $16, DI
	SUBQ    $16, CX
	JMP     s2loop

s2done:
	VZEROUPPER
	RET

// func rowAVX2(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)
//
// One row of an AVX2 tile (a matrix-vector product): its four bytes per k
// step at a, astride bytes apart, widened and multiplied with the eight
// widened columns as in tileAVX2, two steps at a time into two pairs of
// accumulators (Y0, Y1 and Y2, Y3); then the epilogue of row 0.
TEXT ·rowAVX2(SB), NOSPLIT, $0-56
	MOVQ  kq+0(FP), CX
	MOVQ  a+8(FP), SI
	MOVQ  astride+16(FP), BX
	MOVQ  b+24(FP), DI
	MOVQ  offs+32(FP), R8
	MOVQ  c+40(FP), DX
	MOVQ  ep+48(FP), R9
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3

r2loop2:
	CMPQ         CX, $2
	JLT          r2loop1
	MOVLQSX      (R8), R12
	VPMOVZXBW    (DI)(R12*1), Y8
	VPMOVZXBW    16(DI)(R12*1), Y9
	VPBROADCASTD (SI), X10
	VPMOVSXBW    X10, Y10
	VPMADDWD     Y10, Y8, Y11
	VPADDD       Y11, Y0, Y0
	VPMADDWD     Y10, Y9, Y12
	VPADDD       Y12, Y1, Y1
	ADDQ         BX, SI
	MOVLQSX      4(R8), R12
	VPMOVZXBW    (DI)(R12*1), Y4
	VPMOVZXBW    16(DI)(R12*1), Y5
	VPBROADCASTD (SI), X6
	VPMOVSXBW    X6, Y6
	VPMADDWD     Y6, Y4, Y7
	VPADDD       Y7, Y2, Y2
	VPMADDWD     Y6, Y5, Y13
	VPADDD       Y13, Y3, Y3
	ADDQ         BX, SI
	ADDQ         $8, R8
	SUBQ         $2, CX
	JMP          r2loop2

r2loop1:
	TESTQ        CX, CX
	JEQ          r2sum
	MOVLQSX      (R8), R12
	VPMOVZXBW    (DI)(R12*1), Y8
	VPMOVZXBW    16(DI)(R12*1), Y9
	VPBROADCASTD (SI), X10
	VPMOVSXBW    X10, Y10
	VPMADDWD     Y10, Y8, Y11
	VPADDD       Y11, Y0, Y0
	VPMADDWD     Y10, Y9, Y12
	VPADDD       Y12, Y1, Y1

r2sum:
	VPADDD Y2, Y0, Y0
	VPADDD Y3, Y1, Y1
	PAIRS(Y0, Y1, Y0)
	MOVQ         EP_COLOFF(R9), R11
	MOVQ         EP_ROWOFF(R9), R10
	VPBROADCASTD (R10), Y15
	OFF(0, Y0)
	MOVQ         EP_ROWMUL(R9), R10
	TESTQ        R10, R10
	JEQ          r2store
	MOVQ         EP_COLMUL(R9), R11
	VPBROADCASTD (R10), Y15
	MUL(0, Y0)

r2store:
	MOVL  EP_MODE(R9), AX
	TESTL AX, AX
	JNE   r2scale
	VMOVDQU Y0, (DX)
	VZEROUPPER
	RET

r2scale:
	VCVTDQ2PS Y0, Y0
	MOVQ      EP_SCALE(R9), R10
	CMPQ      EP_SCALECOLS(R9), $0
	JNE       r2scalecols
	VBROADCASTSS (R10), Y15
	VMULPS    Y15, Y0, Y0
	JMP       r2scaled

r2scalecols:
	VMULPS (R10), Y0, Y0

r2scaled:
	CMPL AX, $1
	JNE  r2bytes
	VMOVDQU Y0, (DX)
	VZEROUPPER
	RET

r2bytes:
	VBROADCASTSS EP_LO(R9), Y12
	VBROADCASTSS EP_HI(R9), Y13
	VPBROADCASTD EP_ZP(R9), Y14
	VMOVDQU      lanesIdx<>(SB), Y15
	QSTORE(Y0, X0, 0)
	VZEROUPPER
	RET

// func rowAVXVNNI(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)
//
// One row of an AVX-VNNI tile: 24 columns, two steps at a time into two
// triples of accumulators (Y0-Y2, Y3-Y5); then the epilogue of row 0.
TEXT ·rowAVXVNNI(SB), NOSPLIT, $0-56
	MOVQ  kq+0(FP), CX
	MOVQ  a+8(FP), SI
	MOVQ  astride+16(FP), BX
	MOVQ  b+24(FP), DI
	MOVQ  offs+32(FP), R8
	MOVQ  c+40(FP), DX
	MOVQ  ep+48(FP), R9
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5

rvloop2:
	CMPQ         CX, $2
	JLT          rvloop1
	MOVLQSX      (R8), R12
	VMOVDQU      (DI)(R12*1), Y12
	VMOVDQU      32(DI)(R12*1), Y13
	VMOVDQU      64(DI)(R12*1), Y14
	VPBROADCASTD (SI), Y15
	VDPBUSD(0, 12)
	VDPBUSD(1, 13)
	VDPBUSD(2, 14)
	ADDQ         BX, SI
	MOVLQSX      4(R8), R12
	VMOVDQU      (DI)(R12*1), Y12
	VMOVDQU      32(DI)(R12*1), Y13
	VMOVDQU      64(DI)(R12*1), Y14
	VPBROADCASTD (SI), Y15
	VDPBUSD(3, 12)
	VDPBUSD(4, 13)
	VDPBUSD(5, 14)
	ADDQ         BX, SI
	ADDQ         $8, R8
	SUBQ         $2, CX
	JMP          rvloop2

rvloop1:
	TESTQ        CX, CX
	JEQ          rvsum
	MOVLQSX      (R8), R12
	VMOVDQU      (DI)(R12*1), Y12
	VMOVDQU      32(DI)(R12*1), Y13
	VMOVDQU      64(DI)(R12*1), Y14
	VPBROADCASTD (SI), Y15
	VDPBUSD(0, 12)
	VDPBUSD(1, 13)
	VDPBUSD(2, 14)

rvsum:
	VPADDD       Y3, Y0, Y0
	VPADDD       Y4, Y1, Y1
	VPADDD       Y5, Y2, Y2
	MOVQ         EP_COLOFF(R9), R11
	MOVQ         EP_ROWOFF(R9), R10
	VPBROADCASTD (R10), Y15
	OFF(0, Y0)
	OFF(32, Y1)
	OFF(64, Y2)
	MOVQ         EP_ROWMUL(R9), R10
	TESTQ        R10, R10
	JEQ          rvstore
	MOVQ         EP_COLMUL(R9), R11
	MUL3(0, Y0, Y1, Y2)

rvstore:
	MOVQ  $0, BX                         // STORE3's row step
	MOVL  EP_MODE(R9), AX
	TESTL AX, AX
	JNE   rvscale
	STORE3(Y0, Y1, Y2)
	VZEROUPPER
	RET

rvscale:
	CVT3(Y0, Y1, Y2)
	MOVQ EP_SCALE(R9), R10
	CMPQ EP_SCALECOLS(R9), $0
	JNE  rvscalecols
	SCALE3(0, Y0, Y1, Y2)
	JMP  rvscaled

rvscalecols:
	SCALEC3(Y0, Y1, Y2)

rvscaled:
	CMPL AX, $1
	JNE  rvbytes
	STORE3(Y0, Y1, Y2)
	VZEROUPPER
	RET

rvbytes:
	VBROADCASTSS EP_LO(R9), Y12
	VBROADCASTSS EP_HI(R9), Y13
	VPBROADCASTD EP_ZP(R9), Y14
	VMOVDQU      lanesIdx<>(SB), Y15
	QSTORE3(Y0, X0, Y1, X1, Y2, X2)
	VZEROUPPER
	RET

// LOOK adds, by XOR, the lookup of the indices in Y1 in the 16-byte table
// at off(SP) (both lanes) to Y0, then moves the indices 16 down
// (saturating: a negative index stays negative).
#define LOOK(off) \
	VBROADCASTI128 off(SP), Y2; \
	VPSHUFB        Y1, Y2, Y2; \
	VPXOR          Y2, Y0, Y0; \
	VPSUBSB        Y3, Y1, Y1

// func lookupAVX2(dst, src *byte, n int, table *[256]byte)
//
// Lookup of n values, a multiple of 32, 32 per step. VPSHUFB looks 16
// entries up and gives 0 for a negative index, so the table is cut into
// sixteen rows of 16, each stored XOR the row before (rows 0 and 8 as
// they are): for an index x below 128, indices x, x-16, ..., x-112 look
// rows 0-7 up, those from x's row on negative, and the XOR of the rows
// up to x's telescopes to x's entry; x XOR 0x80 does the same for x from
// 128 with rows 8-15, and is negative below 128.
TEXT ·lookupAVX2(SB), NOSPLIT, $256-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ table+24(FP), DX
	XORQ AX, AX

lkrows:
	VMOVDQU (DX)(AX*1), X0
	TESTQ   $0x7f, AX
	JEQ     lkfirst                      // rows 0 and 8
	VPXOR   -16(DX)(AX*1), X0, X0

lkfirst:
	VMOVDQU X0, (SP)(AX*1)
	ADDQ    $16, AX
	CMPQ    AX, $256
	JLT     lkrows

	MOVL         $0x10101010, AX
	MOVQ         AX, X3
	VPBROADCASTD X3, Y3
	MOVL         $0x80808080, AX
	MOVQ         AX, X4
	VPBROADCASTD X4, Y4

lkloop:
	CMPQ    CX, $32
	JLT     lkdone
	VMOVDQU (SI), Y5
	VPXOR   Y0, Y0, Y0
	VMOVDQA Y5, Y1
	LOOK(0)
	LOOK(16)
	LOOK(32)
	LOOK(48)
	LOOK(64)
	LOOK(80)
	LOOK(96)
	LOOK(112)
	VPXOR   Y4, Y5, Y1
	LOOK(128)
	LOOK(144)
	LOOK(160)
	LOOK(176)
	LOOK(192)
	LOOK(208)
	LOOK(224)
	LOOK(240)
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $32, CX
	JMP     lkloop

lkdone:
	VZEROUPPER
	RET
