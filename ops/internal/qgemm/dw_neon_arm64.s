//go:build !noasm

#include "textflag.h"
#include "neon.h"

// MACW adds the products of the 16 int8 inputs in V16 and the tap's weight
// broadcast in wt to the 16 sums V0-V3: int16 products (SMULL, SMULL2),
// widened and added (SADDW, SADDW2).
#define MACW(wt) \
	SMULL(19, 16, wt); \
	SMULL2(20, 16, wt); \
	SADDW(0, 0, 19); \
	SADDW2(1, 1, 19); \
	SADDW(2, 2, 20); \
	SADDW2(3, 3, 20)

// MACW2 adds the products of two taps to V0-V3: inputs in V16 and V18,
// weights broadcast in w0 and w1, without -128, so that the two int16
// products of a lane, at most 2·127·128 in magnitude, add in int16
// (SMULL, SMLAL) before they are widened.
#define MACW2(w0, w1) \
	SMULL(20, 16, w0); \
	SMULL2(21, 16, w0); \
	SMLAL(20, 18, w1); \
	SMLAL2(21, 18, w1); \
	SADDW(0, 0, 20); \
	SADDW2(1, 1, 20); \
	SADDW(2, 2, 21); \
	SADDW2(3, 3, 21)

// func dwNEON(a *dwArgs)
//
// Rows of one channel's depthwise plane from a padded int8 copy of its
// input (every tap inside), 16 outputs at a time: each tap is one load of
// 16 input bytes (stride 1) or LD2 of 32 (stride 2, the even bytes) and
// MACW. A 3x3 window keeps its nine weights broadcast in V6-V14 and runs
// unrolled, its taps two by two (MACW2) when a.pairs says no weight is
// -128; other windows loop over their taps, broadcasting each weight
// (LD1R). With the dot product (a.dot), a 3x3 window takes per row of taps
// one load of 32 or 48 input bytes, four TBL gathers of the four-byte
// windows of 16 outputs (a.idx) and four SDOT by the row's weights (a
// quad: the fourth is 0). The sums start from off and end in the epilogue of the tiles
// (Byte: SCVTF, FMUL, FMAXNM lo, FMIN hi, FCVTNS, add zp, UZP1 narrows;
// Int32 as they are). A row's last chunk of fewer than 16 outputs is
// stored whole, over the start of the next rows, which are computed after
// it, when they hold its 16 outputs; otherwise it goes through a.tmp and
// is copied byte by byte.
//
// Registers: R0 a, R1 the row's input, R2 ldi, R3 the taps, R4 wq4, R5
// the output row, R6 its stride, R7 rows left, R8 ow, R9 sh·ldi, R10
// 16·sw, R11 dh·ldi, R12 dw, R13 kh, R14 kw, R15 the chunk's input, R16
// 1 for a 3x3 window (2 with pairs, 3 or 4 with SDOT), R19 outputs left in the row, R20 the
// chunk's output, R21 a tap row, R22 a tap's input, R23 a tap's weight,
// R24 a row of taps, R25 tap rows left, R26 taps left in a row. V24
// scale, V25 lo, V26 hi, V27 zp, V29 off.
TEXT ·dwNEON(SB), NOSPLIT, $0-8
	MOVD  a+0(FP), R0
	MOVD  0(R0), R1
	MOVD  8(R0), R2
	MOVD  16(R0), R3
	MOVD  24(R0), R4
	MOVD  32(R0), R5
	MOVD  40(R0), R6
	MOVD  48(R0), R7
	MOVD  56(R0), R8
	MOVD  64(R0), R9
	MOVD  72(R0), R10
	LSL   $4, R10, R10
	MOVD  80(R0), R11
	MOVD  88(R0), R12
	MOVD  96(R0), R13
	MOVD  104(R0), R14
	MOVW  112(R0), R20
	VDUP  R20, V29.S4
	FMOVS 116(R0), F24
	VDUP  V24.S[0], V24.S4
	FMOVS 120(R0), F25
	VDUP  V25.S[0], V25.S4
	FMOVS 124(R0), F26
	VDUP  V26.S[0], V26.S4
	MOVW  128(R0), R20
	VDUP  R20, V27.S4
	CBZ   R7, done

	// A 3x3 window: the weights into V6-V14, or with the dot product
	// (a.dot: the table's registers, 2 or 3) its rows into the lanes of
	// V14 and the gathers into V10-V13.
	MOVD $0, R16
	CMP  $3, R13
	BNE  row
	CMP  $3, R14
	BNE  row
	MOVD 272(R0), R23
	CBZ  R23, w3
	ADD  $1, R23, R16
	FMOVD (R3), F14
	MOVWU 8(R3), R23
	VMOV  R23, V14.S[2]
	ADD   $208, R0, R23
	VLD1  (R23), [V10.B16, V11.B16, V12.B16, V13.B16]
	B     row

w3:
	MOVD $1, R16
	MOVD 136(R0), R23
	CBZ  R23, w3load
	MOVD $2, R16

w3load:
	MOVD R3, R23
	VLD1R (R23), [V6.B16]
	ADD   $1, R23, R23
	VLD1R (R23), [V7.B16]
	ADD   $1, R23, R23
	VLD1R (R23), [V8.B16]
	ADD   R4, R3, R24
	MOVD  R24, R23
	VLD1R (R23), [V9.B16]
	ADD   $1, R23, R23
	VLD1R (R23), [V10.B16]
	ADD   $1, R23, R23
	VLD1R (R23), [V11.B16]
	ADD   R4, R24, R24
	MOVD  R24, R23
	VLD1R (R23), [V12.B16]
	ADD   $1, R23, R23
	VLD1R (R23), [V13.B16]
	ADD   $1, R23, R23
	VLD1R (R23), [V14.B16]

row:
	MOVD R1, R15
	MOVD R5, R20
	MOVD R8, R19

chunk:
	VMOV V29.B16, V0.B16
	VMOV V29.B16, V1.B16
	VMOV V29.B16, V2.B16
	VMOV V29.B16, V3.B16
	MOVD R15, R21
	CBZ  R16, taps
	CMP  $3, R16
	BGE  wdot
	CMP  $2, R16
	BEQ  w3pairs
	CMP  $16, R10
	BNE  w3s2
	MOVD R21, R22
	VLD1.P (R22)(R12), [V16.B16]
	MACW(6)
	VLD1.P (R22)(R12), [V16.B16]
	MACW(7)
	VLD1.P (R22)(R12), [V16.B16]
	MACW(8)
	ADD  R11, R21, R21
	MOVD R21, R22
	VLD1.P (R22)(R12), [V16.B16]
	MACW(9)
	VLD1.P (R22)(R12), [V16.B16]
	MACW(10)
	VLD1.P (R22)(R12), [V16.B16]
	MACW(11)
	ADD  R11, R21, R21
	MOVD R21, R22
	VLD1.P (R22)(R12), [V16.B16]
	MACW(12)
	VLD1.P (R22)(R12), [V16.B16]
	MACW(13)
	VLD1.P (R22)(R12), [V16.B16]
	MACW(14)
	B    epilogue

w3s2:
	MOVD R21, R22
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(6)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(7)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(8)
	ADD  R11, R21, R21
	MOVD R21, R22
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(9)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(10)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(11)
	ADD  R11, R21, R21
	MOVD R21, R22
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(12)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(13)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(14)
	B    epilogue

w3pairs:
	CMP  $16, R10
	BNE  w3p2
	MOVD R21, R22
	VLD1.P (R22)(R12), [V16.B16]
	VLD1.P (R22)(R12), [V18.B16]
	MACW2(6, 7)
	VLD1.P (R22)(R12), [V16.B16]
	ADD  R11, R21, R21
	MOVD R21, R22
	VLD1.P (R22)(R12), [V18.B16]
	MACW2(8, 9)
	VLD1.P (R22)(R12), [V16.B16]
	VLD1.P (R22)(R12), [V18.B16]
	MACW2(10, 11)
	ADD  R11, R21, R21
	MOVD R21, R22
	VLD1.P (R22)(R12), [V16.B16]
	VLD1.P (R22)(R12), [V18.B16]
	MACW2(12, 13)
	VLD1.P (R22)(R12), [V16.B16]
	MACW(14)
	B    epilogue

w3p2:
	MOVD R21, R22
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	VLD2.P (R22)(R12), [V18.B16, V19.B16]
	MACW2(6, 7)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	ADD  R11, R21, R21
	MOVD R21, R22
	VLD2.P (R22)(R12), [V18.B16, V19.B16]
	MACW2(8, 9)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	VLD2.P (R22)(R12), [V18.B16, V19.B16]
	MACW2(10, 11)
	ADD  R11, R21, R21
	MOVD R21, R22
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	VLD2.P (R22)(R12), [V18.B16, V19.B16]
	MACW2(12, 13)
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(14)
	B    epilogue

wdot:
	CMP  $4, R16
	BEQ  wdot3
	VLD1 (R21), [V16.B16, V17.B16]
	ADD  R11, R21, R21
	TBL2(20, 16, 10)
	TBL2(21, 16, 11)
	TBL2(22, 16, 12)
	TBL2(23, 16, 13)
	SDOT(0, 20, 14, 0)
	SDOT(1, 21, 14, 0)
	SDOT(2, 22, 14, 0)
	SDOT(3, 23, 14, 0)
	VLD1 (R21), [V16.B16, V17.B16]
	ADD  R11, R21, R21
	TBL2(20, 16, 10)
	TBL2(21, 16, 11)
	TBL2(22, 16, 12)
	TBL2(23, 16, 13)
	SDOT(0, 20, 14, 1)
	SDOT(1, 21, 14, 1)
	SDOT(2, 22, 14, 1)
	SDOT(3, 23, 14, 1)
	VLD1 (R21), [V16.B16, V17.B16]
	TBL2(20, 16, 10)
	TBL2(21, 16, 11)
	TBL2(22, 16, 12)
	TBL2(23, 16, 13)
	SDOT(0, 20, 14, 2)
	SDOT(1, 21, 14, 2)
	SDOT(2, 22, 14, 2)
	SDOT(3, 23, 14, 2)
	B    epilogue

wdot3:
	VLD1 (R21), [V16.B16, V17.B16, V18.B16]
	ADD  R11, R21, R21
	TBL3(20, 16, 10)
	TBL3(21, 16, 11)
	TBL3(22, 16, 12)
	TBL3(23, 16, 13)
	SDOT(0, 20, 14, 0)
	SDOT(1, 21, 14, 0)
	SDOT(2, 22, 14, 0)
	SDOT(3, 23, 14, 0)
	VLD1 (R21), [V16.B16, V17.B16, V18.B16]
	ADD  R11, R21, R21
	TBL3(20, 16, 10)
	TBL3(21, 16, 11)
	TBL3(22, 16, 12)
	TBL3(23, 16, 13)
	SDOT(0, 20, 14, 1)
	SDOT(1, 21, 14, 1)
	SDOT(2, 22, 14, 1)
	SDOT(3, 23, 14, 1)
	VLD1 (R21), [V16.B16, V17.B16, V18.B16]
	TBL3(20, 16, 10)
	TBL3(21, 16, 11)
	TBL3(22, 16, 12)
	TBL3(23, 16, 13)
	SDOT(0, 20, 14, 2)
	SDOT(1, 21, 14, 2)
	SDOT(2, 22, 14, 2)
	SDOT(3, 23, 14, 2)
	B    epilogue

taps:
	MOVD R3, R24
	MOVD R13, R25

taprow:
	MOVD R21, R22
	MOVD R24, R23
	MOVD R14, R26
	CMP  $16, R10
	BNE  tap2

tap1:
	VLD1R  (R23), [V18.B16]
	VLD1.P (R22)(R12), [V16.B16]
	MACW(18)
	ADD    $1, R23, R23
	SUBS   $1, R26, R26
	BNE    tap1
	B      nexttaprow

tap2:
	VLD1R  (R23), [V18.B16]
	VLD2.P (R22)(R12), [V16.B16, V17.B16]
	MACW(18)
	ADD    $1, R23, R23
	SUBS   $1, R26, R26
	BNE    tap2

nexttaprow:
	ADD  R11, R21, R21
	ADD  R4, R24, R24
	SUBS $1, R25, R25
	BNE  taprow

epilogue:
	// V0-V3 to 16 bytes in V4, or int32 as they are.
	MOVW 132(R0), R21
	CBZ  R21, store32
	SCVTF(0, 0)
	SCVTF(1, 1)
	SCVTF(2, 2)
	SCVTF(3, 3)
	FMULV(0, 0, 24)
	FMULV(1, 1, 24)
	FMULV(2, 2, 24)
	FMULV(3, 3, 24)
	FMAXNMV(0, 0, 25)
	FMAXNMV(1, 1, 25)
	FMAXNMV(2, 2, 25)
	FMAXNMV(3, 3, 25)
	FMINV(0, 0, 26)
	FMINV(1, 1, 26)
	FMINV(2, 2, 26)
	FMINV(3, 3, 26)
	FCVTNS(0, 0)
	FCVTNS(1, 1)
	FCVTNS(2, 2)
	FCVTNS(3, 3)
	VADD V27.S4, V0.S4, V0.S4
	VADD V27.S4, V1.S4, V1.S4
	VADD V27.S4, V2.S4, V2.S4
	VADD V27.S4, V3.S4, V3.S4
	UZP1H(4, 0, 1)
	UZP1H(5, 2, 3)
	UZP1B(4, 4, 5)
	CMP  $16, R19
	BGE  whole8
	SUB  $1, R7, R22
	MADD R8, R19, R22, R22
	CMP  $16, R22
	BLT  tail8

whole8:
	VST1 [V4.B16], (R20)
	ADD  $16, R20, R20
	B    nextchunk

tail8:
	ADD  $144, R0, R21
	VST1 [V4.B16], (R21)
	MOVD R19, R22
	B    copy

store32:
	CMP  $16, R19
	BGE  whole32
	SUB  $1, R7, R22
	MADD R8, R19, R22, R22
	CMP  $16, R22
	BLT  tail32

whole32:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R20)
	B      nextchunk

tail32:
	ADD  $144, R0, R21
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R21)
	LSL  $2, R19, R22

copy:
	MOVBU.P 1(R21), R23
	MOVB.P  R23, 1(R20)
	SUBS    $1, R22, R22
	BNE     copy
	B       nextrow

nextchunk:
	ADD  R10, R15, R15
	SUBS $16, R19, R19
	BGT  chunk

nextrow:
	ADD  R9, R1, R1
	ADD  R6, R5, R5
	SUBS $1, R7, R7
	BNE  row

done:
	RET

// func dwCopyNEON(dst *byte, ldd int, src *byte, lds, n, rows int, flip byte)
//
// rows rows of n bytes XOR flip, 16 at a time (a row's last 16 overlapping
// the ones before when n is not a multiple); rows of fewer than 16 bytes
// as two overlapping words of 8 or 4 bytes, or byte by byte below 4.
TEXT ·dwCopyNEON(SB), NOSPLIT, $0-49
	MOVD  dst+0(FP), R0
	MOVD  ldd+8(FP), R1
	MOVD  src+16(FP), R2
	MOVD  lds+24(FP), R3
	MOVD  n+32(FP), R4
	MOVD  rows+40(FP), R5
	MOVBU flip+48(FP), R6
	VDUP  R6, V31.B16
	MOVD  $0x0101010101010101, R13
	MUL   R6, R13, R13
	CBZ   R5, cdone
	CBZ   R4, cdone

crow:
	MOVD R0, R7
	MOVD R2, R8
	MOVD R4, R9
	CMP  $16, R4
	BLT  cbytes

cvec:
	VLD1.P 16(R8), [V0.B16]
	VEOR   V31.B16, V0.B16, V0.B16
	VST1.P [V0.B16], 16(R7)
	SUB    $16, R9, R9
	CMP    $16, R9
	BGE    cvec
	CBZ    R9, cnext
	SUB    $16, R9, R10
	ADD    R10, R8, R8
	ADD    R10, R7, R7
	VLD1   (R8), [V0.B16]
	VEOR   V31.B16, V0.B16, V0.B16
	VST1   [V0.B16], (R7)
	B      cnext

cbytes:
	CMP  $8, R9
	BLT  c4
	SUB  $8, R9, R10
	MOVD (R8), R11
	MOVD (R8)(R10), R12
	EOR  R13, R11, R11
	EOR  R13, R12, R12
	MOVD R11, (R7)
	MOVD R12, (R7)(R10)
	B    cnext

c4:
	CMP   $4, R9
	BLT   c1
	SUB   $4, R9, R10
	MOVWU (R8), R11
	MOVWU (R8)(R10), R12
	EOR   R13, R11, R11
	EOR   R13, R12, R12
	MOVW  R11, (R7)
	MOVW  R12, (R7)(R10)
	B     cnext

c1:
	MOVBU.P 1(R8), R10
	EOR     R6, R10, R10
	MOVB.P  R10, 1(R7)
	SUBS    $1, R9, R9
	BNE     c1

cnext:
	ADD  R1, R0, R0
	ADD  R3, R2, R2
	SUBS $1, R5, R5
	BNE  crow

cdone:
	RET
