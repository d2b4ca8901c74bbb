//go:build !noasm

#include "textflag.h"

// func transpose8AVX(dst []float32, ldd int, src []float32, lds int, blocks int)
//
// Each 8x8 block: rows r0-r7 in Y0-Y7; VUNPCKLPS/VUNPCKHPS interleave row
// pairs (Y8-Y15), VSHUFPS gathers four rows' values of each column within
// 128-bit lanes (Y0-Y7), VPERM2F128 joins the lanes into whole columns
// (Y8-Y15), stored as rows of dst.
TEXT ·transpose8AVX(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ ldd+24(FP), DX
	MOVQ src_base+32(FP), SI
	MOVQ lds+56(FP), BX
	MOVQ blocks+64(FP), CX
	SHLQ $2, DX
	SHLQ $2, BX
	LEAQ (BX)(BX*2), R8 // 3 rows of src
	LEAQ (DX)(DX*2), R9 // 3 rows of dst
	TESTQ CX, CX
	JZ    done

loop:
	LEAQ      (SI)(BX*4), R10
	VMOVUPS   (SI), Y0
	VMOVUPS   (SI)(BX*1), Y1
	VMOVUPS   (SI)(BX*2), Y2
	VMOVUPS   (SI)(R8*1), Y3
	VMOVUPS   (R10), Y4
	VMOVUPS   (R10)(BX*1), Y5
	VMOVUPS   (R10)(BX*2), Y6
	VMOVUPS   (R10)(R8*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS   $0x44, Y10, Y8, Y0
	VSHUFPS   $0xEE, Y10, Y8, Y1
	VSHUFPS   $0x44, Y11, Y9, Y2
	VSHUFPS   $0xEE, Y11, Y9, Y3
	VSHUFPS   $0x44, Y14, Y12, Y4
	VSHUFPS   $0xEE, Y14, Y12, Y5
	VSHUFPS   $0x44, Y15, Y13, Y6
	VSHUFPS   $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	LEAQ      (DI)(DX*4), R11
	VMOVUPS   Y8, (DI)
	VMOVUPS   Y9, (DI)(DX*1)
	VMOVUPS   Y10, (DI)(DX*2)
	VMOVUPS   Y11, (DI)(R9*1)
	VMOVUPS   Y12, (R11)
	VMOVUPS   Y13, (R11)(DX*1)
	VMOVUPS   Y14, (R11)(DX*2)
	VMOVUPS   Y15, (R11)(R9*1)
	ADDQ      $32, SI
	LEAQ      (R11)(DX*4), DI
	DECQ      CX
	JNZ       loop

done:
	VZEROUPPER
	RET
