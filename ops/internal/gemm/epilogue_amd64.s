//go:build !noasm

#include "textflag.h"

// func clampRowAVX2(c, add []float32, bias, lo, hi float32)
//
// c[x] = min(max(c[x] + bias + add[x], lo), hi), without add when it is
// empty (else it is as long as c). The operand order of VMAXPS and VMINPS
// makes a NaN sum come out as NaN, like Go's max and min.
TEXT ·clampRowAVX2(SB), NOSPLIT, $0-60
	MOVQ         c_base+0(FP), DI
	MOVQ         c_len+8(FP), CX
	MOVQ         add_base+24(FP), SI
	MOVQ         add_len+32(FP), DX
	VBROADCASTSS bias+48(FP), Y1
	VBROADCASTSS lo+52(FP), Y2
	VBROADCASTSS hi+56(FP), Y3
	TESTQ        DX, DX
	JNZ          add8

plain8:
	CMPQ    CX, $8
	JLT     plain1
	VADDPS  (DI), Y1, Y0
	VMAXPS  Y0, Y2, Y0
	VMINPS  Y0, Y3, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     plain8

plain1:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (DI), X0
	VADDSS X1, X0, X0
	VMAXSS X0, X2, X0
	VMINSS X0, X3, X0
	VMOVSS X0, (DI)
	ADDQ   $4, DI
	DECQ   CX
	JMP    plain1

add8:
	CMPQ    CX, $8
	JLT     add1
	VADDPS  (DI), Y1, Y0
	VADDPS  (SI), Y0, Y0
	VMAXPS  Y0, Y2, Y0
	VMINPS  Y0, Y3, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     add8

add1:
	TESTQ  CX, CX
	JZ     done
	VMOVSS (DI), X0
	VADDSS X1, X0, X0
	VADDSS (SI), X0, X0
	VMAXSS X0, X2, X0
	VMINSS X0, X3, X0
	VMOVSS X0, (DI)
	ADDQ   $4, DI
	ADDQ   $4, SI
	DECQ   CX
	JMP    add1

done:
	VZEROUPPER
	RET
