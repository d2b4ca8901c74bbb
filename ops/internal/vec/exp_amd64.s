//go:build !noasm

#include "textflag.h"

// The exp family over whole vectors of d (len(d) a multiple of 8, or 16
// in AVX-512): exp.go's Go loops with their multiply-adds fused. SI and
// DI point at x and d, AX is the byte offset and CX the bytes of d.

// expc holds the constants, each repeated to fill a 32-byte vector (the
// AVX-512 loops broadcast the first lane). The float32 ones are exp.go's
// constants rounded as Go rounds them.
#define C8(i, bits) DATA expc<>+(32*i)(SB)/8, $bits; DATA expc<>+(32*i+8)(SB)/8, $bits; DATA expc<>+(32*i+16)(SB)/8, $bits; DATA expc<>+(32*i+24)(SB)/8, $bits
C8(0, 0x3fb8aa3b3fb8aa3b)  // log2e
C8(1, 0x4b4000004b400000)  // magic, 1.5 * 2^23, whose bits are also the int32 0x4b400000
C8(2, 0x3f3180003f318000)  // ln2Hi
C8(3, 0xb95e8083b95e8083)  // ln2Lo
C8(4, 0x3950696739506967)  // exp's polynomial, highest degree first
C8(5, 0x3ab743ce3ab743ce)
C8(6, 0x3c0889083c088908)
C8(7, 0x3d2aa9c13d2aa9c1)
C8(8, 0x3e2aaaaa3e2aaaaa)
C8(9, 0x3f0000003f000000)
C8(10, 0x3f8000003f800000) // 1
C8(11, 0x0000007f0000007f) // the int32 127
C8(12, 0x42b1721842b17218) // hiX
C8(13, 0xc2aeac50c2aeac50) // loX
C8(14, 0x7f8000007f800000) // +Inf
C8(15, 0x8000000080000000) // the sign bit
C8(16, 0x7fffffff7fffffff) // all bits but the sign
C8(17, 0x4000000040000000) // 2
C8(18, 0x4120000041200000) // 10
C8(19, 0x3f2000003f200000) // 0.625
C8(20, 0xbbbaf0eabbbaf0ea) // tanh's polynomial, highest degree first
C8(21, 0x3ca9134e3ca9134e)
C8(22, 0xbd5c1e2dbd5c1e2d)
C8(23, 0x3e0883933e088393)
C8(24, 0xbeaaaa99beaaaa99)
GLOBL expc<>(SB), RODATA|NOPTR, $800

#define LOG2E expc<>+0(SB)
#define MAGIC expc<>+32(SB)
#define LN2HI expc<>+64(SB)
#define LN2LO expc<>+96(SB)
#define P0 expc<>+128(SB)
#define P1 expc<>+160(SB)
#define P2 expc<>+192(SB)
#define P3 expc<>+224(SB)
#define P4 expc<>+256(SB)
#define P5 expc<>+288(SB)
#define ONE expc<>+320(SB)
#define I127 expc<>+352(SB)
#define HIX expc<>+384(SB)
#define LOX expc<>+416(SB)
#define INF expc<>+448(SB)
#define SIGN expc<>+480(SB)
#define ABSM expc<>+512(SB)
#define TWO expc<>+544(SB)
#define TEN expc<>+576(SB)
#define T625 expc<>+608(SB)
#define Q0 expc<>+640(SB)
#define Q1 expc<>+672(SB)
#define Q2 expc<>+704(SB)
#define Q3 expc<>+736(SB)
#define Q4 expc<>+768(SB)

// EXPCORE_AVX2 splits x into n*ln2 + r, n in n (int32 lanes), and sets y
// to exp(r); t and r are scratch. Every step is expF32's, fused.
#define EXPCORE_AVX2(x, y, t, r, n) \
	VMOVUPS      MAGIC, t \
	VFMADD231PS  LOG2E, x, t \
	VSUBPS       MAGIC, t, y \
	VMOVAPS      x, r \
	VFNMADD231PS LN2HI, y, r \
	VFNMADD231PS LN2LO, y, r \
	VPSUBD       MAGIC, t, n \
	VMOVUPS      P0, y \
	VFMADD213PS  P1, r, y \
	VFMADD213PS  P2, r, y \
	VFMADD213PS  P3, r, y \
	VFMADD213PS  P4, r, y \
	VFMADD213PS  P5, r, y \
	VMULPS       r, y, y \
	VFMADD213PS  r, r, y \
	VADDPS       ONE, y, y

// BIGN_AVX2 doubles y and decrements n where n is 128 (above 127: 2^128
// is not a float32); t is scratch.
#define BIGN_AVX2(y, n, t) \
	VPCMPGTD I127, n, t \
	VPADDD   t, n, n \
	VANDPS   t, y, t \
	VADDPS   t, y, y

// SCALE_AVX2 multiplies y by 2^n for n in [-126, 127].
#define SCALE_AVX2(y, n) \
	VPADDD I127, n, n \
	VPSLLD $23, n, n \
	VMULPS n, y, y

// HUGE_AVX2 and TINY_AVX2 set y to +Inf where x > hiX and to 0 where x <
// loX (neither where x is NaN); t is scratch.
#define HUGE_AVX2(x, y, t) \
	VCMPPS    $0x1e, HIX, x, t \
	VBLENDVPS t, INF, y, y

#define TINY_AVX2(x, y, t) \
	VCMPPS  $0x11, LOX, x, t \
	VANDNPS y, t, y

// SIGMOID_AVX2 sets y = sigmoid(x), with 1 in Y15; Y2-Y6 are scratch.
// exp(-|x|) needs no care above hiX, nor 2^128.
#define SIGMOID_AVX2(x, y) \
	VORPS     SIGN, x, Y6 \
	EXPCORE_AVX2(Y6, y, Y2, Y3, Y4) \
	SCALE_AVX2(y, Y4) \
	TINY_AVX2(Y6, y, Y5) \
	VADDPS    Y15, y, Y2 \
	VDIVPS    Y2, Y15, Y2 \
	VMULPS    y, Y2, Y3 \
	VBLENDVPS x, Y3, Y2, y

// func expAVX2(k expKind, d, x []float32, alpha float32)
//
// Registers: x in Y0, the result in Y1, scratch Y2-Y7; Y13, Y14 and Y15
// hold 10 (or alpha), 2 and 1.
TEXT ·expAVX2(SB), NOSPLIT, $0-60
	MOVQ         k+0(FP), R8
	MOVQ         d_base+8(FP), DI
	MOVQ         d_len+16(FP), CX
	MOVQ         x_base+32(FP), SI
	VMOVUPS      ONE, Y15
	VMOVUPS      TWO, Y14
	VMOVUPS      TEN, Y13
	SHLQ         $2, CX
	XORQ         AX, AX
	TESTQ        CX, CX
	JZ           done
	CMPQ         R8, $1
	JB           exp
	JE           sigmoid
	CMPQ         R8, $3
	JB           tanh
	VBROADCASTSS alpha+56(FP), Y13
	JMP          swish

exp:
	VMOVUPS (SI)(AX*1), Y0
	EXPCORE_AVX2(Y0, Y1, Y2, Y3, Y4)
	BIGN_AVX2(Y1, Y4, Y5)
	SCALE_AVX2(Y1, Y4)
	HUGE_AVX2(Y0, Y1, Y5)
	TINY_AVX2(Y0, Y1, Y5)
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JB      exp
	JMP     done

sigmoid:
	VMOVUPS (SI)(AX*1), Y0
	SIGMOID_AVX2(Y0, Y1)
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JB      sigmoid
	JMP     done

swish: // x * sigmoid(alpha*x)
	VMOVUPS (SI)(AX*1), Y0
	VMULPS  Y13, Y0, Y7
	SIGMOID_AVX2(Y7, Y1)
	VMULPS  Y1, Y0, Y1
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JB      swish
	JMP     done

tanh: // e = exp(2 min(|x|, 10)) needs no range checks
	VMOVUPS      (SI)(AX*1), Y0
	VANDPS       ABSM, Y0, Y6
	VMINPS       Y6, Y13, Y7
	VADDPS       Y7, Y7, Y7
	EXPCORE_AVX2(Y7, Y1, Y2, Y3, Y4)
	SCALE_AVX2(Y1, Y4)
	VADDPS       Y15, Y1, Y2 // |x| > 0.625: ±(1 - 2/(e+1))
	VDIVPS       Y2, Y14, Y2
	VSUBPS       Y2, Y15, Y2
	VANDPS       SIGN, Y0, Y3
	VXORPS       Y3, Y2, Y2
	VMULPS       Y0, Y0, Y3  // else x + x*s*p(s) for s = x*x
	VMOVUPS      Q0, Y4
	VFMADD213PS  Q1, Y3, Y4
	VFMADD213PS  Q2, Y3, Y4
	VFMADD213PS  Q3, Y3, Y4
	VFMADD213PS  Q4, Y3, Y4
	VMULPS       Y3, Y0, Y3
	VFMADD213PS  Y0, Y4, Y3
	VCMPPS       $0x1e, T625, Y6, Y5
	VBLENDVPS    Y5, Y2, Y3, Y1
	VMOVUPS      Y1, (DI)(AX*1)
	ADDQ         $32, AX
	CMPQ         AX, CX
	JB           tanh

done:
	VZEROUPPER
	RET

// The AVX-512 loops keep the constants in registers: Z16 log2e, Z17
// magic, Z18 ln2Hi, Z19 ln2Lo, Z20-Z25 exp's polynomial, Z26 1, Z27 the
// int32 127, Z28 hiX, Z29 loX, Z30 +Inf, Z31 the sign bit; tanh's in
// Z8-Z15. x is in Z0, the result in Z1, scratch Z2-Z7. AVX-512F has no
// floating-point logic ops (those are AVX-512DQ's): the integer ones
// stand in.

#define EXPCORE_AVX512(x, y, t, r, n) \
	VMOVAPS      Z17, t \
	VFMADD231PS  Z16, x, t \
	VSUBPS       Z17, t, y \
	VMOVAPS      x, r \
	VFNMADD231PS Z18, y, r \
	VFNMADD231PS Z19, y, r \
	VPSUBD       Z17, t, n \
	VMOVAPS      Z20, y \
	VFMADD213PS  Z21, r, y \
	VFMADD213PS  Z22, r, y \
	VFMADD213PS  Z23, r, y \
	VFMADD213PS  Z24, r, y \
	VFMADD213PS  Z25, r, y \
	VMULPS       r, y, y \
	VFMADD213PS  r, r, y \
	VADDPS       Z26, y, y

// BIGN_AVX512 doubles y where n > 127 and lowers n to 127.
#define BIGN_AVX512(y, n) \
	VPCMPGTD Z27, n, K2 \
	VPMINSD  Z27, n, n \
	VADDPS   y, y, K2, y

#define SCALE_AVX512(y, n) \
	VPADDD Z27, n, n \
	VPSLLD $23, n, n \
	VMULPS n, y, y

#define HUGE_AVX512(x, y) \
	VCMPPS  $0x1e, Z28, x, K2 \
	VMOVAPS Z30, K2, y

#define TINY_AVX512(x, y) \
	VCMPPS $0x11, Z29, x, K2 \
	VPXORD y, y, K2, y

// SIGMOID_AVX512 sets y = sigmoid(x); Z2-Z6 are scratch.
#define SIGMOID_AVX512(x, y) \
	VPORD    Z31, x, Z6 \
	EXPCORE_AVX512(Z6, y, Z2, Z3, Z4) \
	SCALE_AVX512(y, Z4) \
	TINY_AVX512(Z6, y) \
	VADDPS   Z26, y, Z2 \
	VDIVPS   Z2, Z26, Z2 \
	VPTESTMD Z31, x, K2 \
	VMULPS   y, Z2, K2, Z2 \
	VMOVAPS  Z2, y

// func expAVX512(k expKind, d, x []float32, alpha float32)
TEXT ·expAVX512(SB), NOSPLIT, $0-60
	MOVQ         k+0(FP), R8
	MOVQ         d_base+8(FP), DI
	MOVQ         d_len+16(FP), CX
	MOVQ         x_base+32(FP), SI
	VBROADCASTSS LOG2E, Z16
	VBROADCASTSS MAGIC, Z17
	VBROADCASTSS LN2HI, Z18
	VBROADCASTSS LN2LO, Z19
	VBROADCASTSS P0, Z20
	VBROADCASTSS P1, Z21
	VBROADCASTSS P2, Z22
	VBROADCASTSS P3, Z23
	VBROADCASTSS P4, Z24
	VBROADCASTSS P5, Z25
	VBROADCASTSS ONE, Z26
	VBROADCASTSS I127, Z27
	VBROADCASTSS HIX, Z28
	VBROADCASTSS LOX, Z29
	VBROADCASTSS INF, Z30
	VBROADCASTSS SIGN, Z31
	SHLQ         $2, CX
	XORQ         AX, AX
	TESTQ        CX, CX
	JZ           done
	CMPQ         R8, $1
	JB           exp
	JE           sigmoid
	CMPQ         R8, $3
	JB           tanh
	VBROADCASTSS alpha+56(FP), Z8
	JMP          swish

exp:
	VMOVUPS (SI)(AX*1), Z0
	EXPCORE_AVX512(Z0, Z1, Z2, Z3, Z4)
	BIGN_AVX512(Z1, Z4)
	SCALE_AVX512(Z1, Z4)
	HUGE_AVX512(Z0, Z1)
	TINY_AVX512(Z0, Z1)
	VMOVUPS Z1, (DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, CX
	JB      exp
	JMP     done

sigmoid:
	VMOVUPS (SI)(AX*1), Z0
	SIGMOID_AVX512(Z0, Z1)
	VMOVUPS Z1, (DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, CX
	JB      sigmoid
	JMP     done

swish:
	VMOVUPS (SI)(AX*1), Z0
	VMULPS  Z8, Z0, Z7
	SIGMOID_AVX512(Z7, Z1)
	VMULPS  Z1, Z0, Z1
	VMOVUPS Z1, (DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, CX
	JB      swish
	JMP     done

tanh:
	VBROADCASTSS TWO, Z8
	VBROADCASTSS TEN, Z9
	VBROADCASTSS T625, Z10
	VBROADCASTSS Q0, Z11
	VBROADCASTSS Q1, Z12
	VBROADCASTSS Q2, Z13
	VBROADCASTSS Q3, Z14
	VBROADCASTSS Q4, Z15

tanhl:
	VMOVUPS      (SI)(AX*1), Z0
	VPANDND      Z0, Z31, Z6
	VMINPS       Z6, Z9, Z7
	VADDPS       Z7, Z7, Z7
	EXPCORE_AVX512(Z7, Z1, Z2, Z3, Z4)
	SCALE_AVX512(Z1, Z4)
	VADDPS       Z26, Z1, Z2
	VDIVPS       Z2, Z8, Z2
	VSUBPS       Z2, Z26, Z2
	VPANDD       Z31, Z0, Z3
	VPXORD       Z3, Z2, Z2
	VMULPS       Z0, Z0, Z3
	VMOVAPS      Z11, Z4
	VFMADD213PS  Z12, Z3, Z4
	VFMADD213PS  Z13, Z3, Z4
	VFMADD213PS  Z14, Z3, Z4
	VFMADD213PS  Z15, Z3, Z4
	VMULPS       Z3, Z0, Z3
	VFMADD213PS  Z0, Z4, Z3
	VCMPPS       $0x1e, Z10, Z6, K2
	VMOVAPS      Z3, Z1
	VMOVAPS      Z2, K2, Z1
	VMOVUPS      Z1, (DI)(AX*1)
	ADDQ         $64, AX
	CMPQ         AX, CX
	JB           tanhl

done:
	VZEROUPPER
	RET
