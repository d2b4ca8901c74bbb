//go:build !noasm

#include "textflag.h"

// The AMX-INT8 kernel's sums: 32x32 int32 panels in four tiles (TMM0-TMM3:
// rows 0-15 and 16-31 by columns 0-15 and 16-31), per block of 16 k steps
// the panel's two A tiles (TMM4, TMM5: 16 rows of 64 int8, packed by
// PackRows) and the columns' two B tiles (TMM6, TMM7: the block's 16
// steps of 16 columns' four uint8, the layout every kernel reads B in)
// multiplied by TDPBSUD (signed bytes of its first source times unsigned
// bytes of its second, each int32 lane summing four products), then
// stored to memory for the AVX-512 epilogue (epAVX512). Every tile is 16
// rows of 64 bytes (amxConfig).
//
// Go's assembler has no AMX instructions: they are BYTE directives, each
// under a comment giving the instruction (Intel syntax), every one checked
// against binutils (as, then objdump -d: same bytes; and objdump -d of a
// built test binary shows each instruction here). Only the registers
// without REX bits are used (AX, BX, CX, DX, SI, DI), so the VEX prefix is
// C4 E2 (no R, X or B extension, map 0F38).

// LDTILECFG [rax]
#define LDTILECFG_AX BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0x00
// TILERELEASE
#define TILERELEASE BYTE $0xc4; BYTE $0xe2; BYTE $0x78; BYTE $0x49; BYTE $0xc0
// TILEZERO tmm0 .. tmm3
#define TILEZERO_0 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc0
#define TILEZERO_1 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xc8
#define TILEZERO_2 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd0
#define TILEZERO_3 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x49; BYTE $0xd8
// TILELOADD tmm4, [rsi+rcx*1]
#define LOAD_A0 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x24; BYTE $0x0e
// TILELOADD tmm5, [rsi+rcx*1+0x400]
#define LOAD_A1 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0xac; BYTE $0x0e; BYTE $0x00; BYTE $0x04; BYTE $0x00; BYTE $0x00
// TILELOADD tmm6, [rdi+rdx*1]
#define LOAD_B0 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x34; BYTE $0x17
// TILELOADD tmm7, [rdi+rdx*1+0x40]
#define LOAD_B1 BYTE $0xc4; BYTE $0xe2; BYTE $0x7b; BYTE $0x4b; BYTE $0x7c; BYTE $0x17; BYTE $0x40
// TDPBSUD tmm0, tmm4, tmm6
#define DP_00 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xc4
// TDPBSUD tmm1, tmm4, tmm7
#define DP_01 BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xcc
// TDPBSUD tmm2, tmm5, tmm6
#define DP_10 BYTE $0xc4; BYTE $0xe2; BYTE $0x4a; BYTE $0x5e; BYTE $0xd5
// TDPBSUD tmm3, tmm5, tmm7
#define DP_11 BYTE $0xc4; BYTE $0xe2; BYTE $0x42; BYTE $0x5e; BYTE $0xdd
// TILESTORED [rbx+rax*1], tmm0
#define STORE_00 BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x04; BYTE $0x03
// TILESTORED [rbx+rax*1+0x40], tmm1
#define STORE_01 BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x4c; BYTE $0x03; BYTE $0x40
// TILESTORED [rbx+rax*1+0x800], tmm2
#define STORE_10 BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x94; BYTE $0x03; BYTE $0x00; BYTE $0x08; BYTE $0x00; BYTE $0x00
// TILESTORED [rbx+rax*1+0x840], tmm3
#define STORE_11 BYTE $0xc4; BYTE $0xe2; BYTE $0x7a; BYTE $0x4b; BYTE $0x9c; BYTE $0x03; BYTE $0x40; BYTE $0x08; BYTE $0x00; BYTE $0x00

// func sumsAMX(cfg *byte, a *byte, blocks *amxBlock, kb, n int, sums *int32)
//
// The sums of n 32x32 panels (A's n row panels, each kb blocks of 2 KiB,
// one after the other, by the same columns) into sums, 4 KiB per panel
// (rows 128 bytes apart). blocks holds each block's B: the address of its
// first step's columns and the bytes between steps. The tile
// configuration is loaded and the tiles released within the call: nothing
// relies on tile registers across calls (Go may move the goroutine to
// another thread between them), and Go does not preempt assembly
// functions asynchronously (runtime.isAsyncSafePoint rejects
// FuncFlagAsm), so the tiles are this call's from LDTILECFG to
// TILERELEASE. kb and n are at least 1.
TEXT ·sumsAMX(SB), NOSPLIT, $0-48
	MOVQ cfg+0(FP), AX
	MOVQ a+8(FP), SI
	MOVQ n+32(FP), R10
	MOVQ sums+40(FP), BX
	MOVQ $64, CX // A's bytes between rows
	LDTILECFG_AX

apanel:
	TILEZERO_0
	TILEZERO_1
	TILEZERO_2
	TILEZERO_3
	MOVQ blocks+16(FP), R8
	MOVQ kb+24(FP), R11

ablock:
	MOVQ 0(R8), DI
	MOVQ 8(R8), DX
	LOAD_A0
	LOAD_A1
	LOAD_B0
	LOAD_B1
	DP_00
	DP_01
	DP_10
	DP_11
	ADDQ $2048, SI
	ADDQ $16, R8
	DECQ R11
	JNE  ablock

	MOVQ $128, AX // the sums' bytes between rows
	STORE_00
	STORE_01
	STORE_10
	STORE_11
	ADDQ $4096, BX
	DECQ R10
	JNE  apanel

	TILERELEASE
	RET

// func xgetbv0() uint32
//
// The low half of XCR0: the state components the OS saves (bits 17 and
// 18: AMX's tile configuration and tile data).
TEXT ·xgetbv0(SB), NOSPLIT, $0-4
	XORL   CX, CX
	XGETBV
	MOVL   AX, ret+0(FP)
	RET
