//go:build !noasm

#include "textflag.h"

// Both kernels keep the whole mr x nr tile in registers for the k loop,
// starting from zero or, when add is set, from the tile of C; load one step
// of the packed B micro-panel (nr floats) into vectors, broadcast each of the
// step's mr A values and fuse-multiply-add it into its row; then store the
// tile to C, row r at c + r*ldc. Each accumulator sums its k products in
// order, so the result does not depend on the unrolling.

// STEP512 is one k step of the 8x32 kernel: A at ao(SI), B at bo(DI).
// Row r of the tile is Z(2r) (columns 0-15) and Z(2r+1) (columns 16-31).
#define STEP512(ao, bo) \
	VMOVUPS bo(DI), Z16; \
	VMOVUPS bo+64(DI), Z17; \
	FMA512(ao)

// FMA512 multiplies the step's B values (Z16, Z17) by its 8 A values at
// ao(SI), broadcast two at a time, into the tile's rows.
#define FMA512(ao) \
	VBROADCASTSS ao(SI), Z18; \
	VBROADCASTSS ao+4(SI), Z19; \
	VFMADD231PS  Z16, Z18, Z0; \
	VFMADD231PS  Z17, Z18, Z1; \
	VFMADD231PS  Z16, Z19, Z2; \
	VFMADD231PS  Z17, Z19, Z3; \
	VBROADCASTSS ao+8(SI), Z20; \
	VBROADCASTSS ao+12(SI), Z21; \
	VFMADD231PS  Z16, Z20, Z4; \
	VFMADD231PS  Z17, Z20, Z5; \
	VFMADD231PS  Z16, Z21, Z6; \
	VFMADD231PS  Z17, Z21, Z7; \
	VBROADCASTSS ao+16(SI), Z22; \
	VBROADCASTSS ao+20(SI), Z23; \
	VFMADD231PS  Z16, Z22, Z8; \
	VFMADD231PS  Z17, Z22, Z9; \
	VFMADD231PS  Z16, Z23, Z10; \
	VFMADD231PS  Z17, Z23, Z11; \
	VBROADCASTSS ao+24(SI), Z24; \
	VBROADCASTSS ao+28(SI), Z25; \
	VFMADD231PS  Z16, Z24, Z12; \
	VFMADD231PS  Z17, Z24, Z13; \
	VFMADD231PS  Z16, Z25, Z14; \
	VFMADD231PS  Z17, Z25, Z15

// LOAD512 and STORE512 move row registers z0, z1 from or to the C row at
// R10, then advance R10 by ldc (R8 bytes).
#define LOAD512(z0, z1) \
	VMOVUPS (R10), z0; \
	VMOVUPS 64(R10), z1; \
	ADDQ    R8, R10

#define STORE512(z0, z1) \
	VMOVUPS z0, (R10); \
	VMOVUPS z1, 64(R10); \
	ADDQ    R8, R10

// BIAS512 adds the row bias at off(R12) to row registers z0, z1.
#define BIAS512(off, z0, z1) \
	VBROADCASTSS off(R12), Z16; \
	VADDPS       Z16, z0, z0; \
	VADDPS       Z16, z1, z1

// ADD512 adds the residual row at R12 to row registers z0, z1, then
// advances R12 by its stride (R13 bytes).
#define ADD512(z0, z1) \
	VADDPS (R12), z0, z0; \
	VADDPS 64(R12), z1, z1; \
	ADDQ   R13, R12

// CLAMP512 clips row registers z0, z1 to [Z16, Z17]; the operand order
// makes a NaN come out as NaN, as in clampRowAVX2.
#define CLAMP512(z0, z1) \
	VMAXPS z0, Z16, z0; \
	VMAXPS z1, Z16, z1; \
	VMINPS z0, Z17, z0; \
	VMINPS z1, Z17, z1

// A strip of n tiles side by side (see microKernel.strip) is n passes of
// the kernel's body, between the prologue, which sets AX to n, R14 to the
// B panels' stride in bytes, 0(SP) to the first panel and R15 (the
// residual's offset for the tile) to 0, and FINISH512, which moves on to
// the next tile.
//
// STRIP512 is that prologue, for n at off(FP) and the stride after it.
#define STRIP512(off) \
	MOVQ off(FP), AX; \
	MOVQ off+8(FP), R14; \
	SHLQ $2, R14; \
	MOVQ DI, 0(SP); \
	XORQ R15, R15

// INIT512 starts the 8x32 tile in Z0-Z15: zero, or C (at DX, stride R8
// bytes) when R9 (add) is set; its labels are those of the kernel using it.
// With an epilogue (R11), it first prefetches the tile's residual rows and,
// when C is only written, C's: a fused layer's output and residual are
// often cold, and their rows, far apart, would otherwise be missed one by
// one after the k loop (ResNet-50's 64->256 1x1 layers with a residual
// went from 0.82 to 0.57 ms each; with every cache flushed first, 1.12 to
// 0.69). Products without an epilogue (Winograd's, the padded path's into
// a buffer) have warm outputs, where the prefetches only cost.
#define INIT512 \
	TESTQ R11, R11; \
	JZ pfdone; \
	TESTQ R9, R9; \
	JNZ pfres; \
	MOVQ    DX, R10; \
	PREFETCHT0 (R10); PREFETCHT0 64(R10); ADDQ R8, R10; \
	PREFETCHT0 (R10); PREFETCHT0 64(R10); ADDQ R8, R10; \
	PREFETCHT0 (R10); PREFETCHT0 64(R10); ADDQ R8, R10; \
	PREFETCHT0 (R10); PREFETCHT0 64(R10); ADDQ R8, R10; \
	PREFETCHT0 (R10); PREFETCHT0 64(R10); ADDQ R8, R10; \
	PREFETCHT0 (R10); PREFETCHT0 64(R10); ADDQ R8, R10; \
	PREFETCHT0 (R10); PREFETCHT0 64(R10); ADDQ R8, R10; \
	PREFETCHT0 (R10); PREFETCHT0 64(R10); \
pfres: \
	MOVQ 24(R11), R12; \
	TESTQ R12, R12; \
	JZ pfdone; \
	ADDQ R15, R12; \
	MOVQ 48(R11), R13; \
	SHLQ $2, R13; \
	PREFETCHT0 (R12); PREFETCHT0 64(R12); ADDQ R13, R12; \
	PREFETCHT0 (R12); PREFETCHT0 64(R12); ADDQ R13, R12; \
	PREFETCHT0 (R12); PREFETCHT0 64(R12); ADDQ R13, R12; \
	PREFETCHT0 (R12); PREFETCHT0 64(R12); ADDQ R13, R12; \
	PREFETCHT0 (R12); PREFETCHT0 64(R12); ADDQ R13, R12; \
	PREFETCHT0 (R12); PREFETCHT0 64(R12); ADDQ R13, R12; \
	PREFETCHT0 (R12); PREFETCHT0 64(R12); ADDQ R13, R12; \
	PREFETCHT0 (R12); PREFETCHT0 64(R12); \
pfdone: \
	MOVQ    DX, R10; \
	TESTQ   R9, R9; \
	JNZ     load512; \
	VPXORD  Z0, Z0, Z0; \
	VPXORD  Z1, Z1, Z1; \
	VPXORD  Z2, Z2, Z2; \
	VPXORD  Z3, Z3, Z3; \
	VPXORD  Z4, Z4, Z4; \
	VPXORD  Z5, Z5, Z5; \
	VPXORD  Z6, Z6, Z6; \
	VPXORD  Z7, Z7, Z7; \
	VPXORD  Z8, Z8, Z8; \
	VPXORD  Z9, Z9, Z9; \
	VPXORD  Z10, Z10, Z10; \
	VPXORD  Z11, Z11, Z11; \
	VPXORD  Z12, Z12, Z12; \
	VPXORD  Z13, Z13, Z13; \
	VPXORD  Z14, Z14, Z14; \
	VPXORD  Z15, Z15, Z15; \
	JMP     start512; \
load512: \
	LOAD512(Z0, Z1); \
	LOAD512(Z2, Z3); \
	LOAD512(Z4, Z5); \
	LOAD512(Z6, Z7); \
	LOAD512(Z8, Z9); \
	LOAD512(Z10, Z11); \
	LOAD512(Z12, Z13); \
	LOAD512(Z14, Z15)

// FINISH512 applies the epilogue R11 points to (none when nil) to the tile
// in Z0-Z15, its residual R15 bytes into ep.res, and stores it to C (at
// DX, stride R8 bytes); then it moves DX and R15 to the next tile of the
// strip (32 floats on) and its B panel (0(SP)) R14 bytes on, and goes
// back to tile512 while AX, the tiles left, is not zero, or returns.
#define FINISH512 \
store512: \
	TESTQ R11, R11; \
	JZ    plain512; \
	MOVQ  0(R11), R12; \
	TESTQ R12, R12; \
	JZ    res512; \
	BIAS512(0, Z0, Z1); \
	BIAS512(4, Z2, Z3); \
	BIAS512(8, Z4, Z5); \
	BIAS512(12, Z6, Z7); \
	BIAS512(16, Z8, Z9); \
	BIAS512(20, Z10, Z11); \
	BIAS512(24, Z12, Z13); \
	BIAS512(28, Z14, Z15); \
res512: \
	MOVQ  24(R11), R12; \
	TESTQ R12, R12; \
	JZ    clamp512; \
	ADDQ  R15, R12; \
	MOVQ  48(R11), R13; \
	SHLQ  $2, R13; \
	ADD512(Z0, Z1); \
	ADD512(Z2, Z3); \
	ADD512(Z4, Z5); \
	ADD512(Z6, Z7); \
	ADD512(Z8, Z9); \
	ADD512(Z10, Z11); \
	ADD512(Z12, Z13); \
	ADD512(Z14, Z15); \
clamp512: \
	VBROADCASTSS 56(R11), Z16; \
	VBROADCASTSS 60(R11), Z17; \
	CLAMP512(Z0, Z1); \
	CLAMP512(Z2, Z3); \
	CLAMP512(Z4, Z5); \
	CLAMP512(Z6, Z7); \
	CLAMP512(Z8, Z9); \
	CLAMP512(Z10, Z11); \
	CLAMP512(Z12, Z13); \
	CLAMP512(Z14, Z15); \
plain512: \
	MOVQ DX, R10; \
	STORE512(Z0, Z1); \
	STORE512(Z2, Z3); \
	STORE512(Z4, Z5); \
	STORE512(Z6, Z7); \
	STORE512(Z8, Z9); \
	STORE512(Z10, Z11); \
	STORE512(Z12, Z13); \
	STORE512(Z14, Z15); \
	ADDQ  $128, DX; \
	ADDQ  $128, R15; \
	ADDQ  R14, 0(SP); \
	DECQ  AX; \
	JNZ   tile512; \
	VZEROUPPER; \
	RET

// PFB and PFA are how far ahead (bytes) the 8x32 kernel's loop prefetches
// its B and A panels. The panels of constant weights stream from memory
// once per run; hardware prefetchers fetched them only just in time, so
// that the loads of a panel and the arithmetic on it took turns. Fetched
// 8 KB (64 k steps) ahead, ResNet-50 at one thread ran 4% faster, ResNet-18
// 5% (7 alternating rounds; 2 KB ahead: no gain, 32 KB: half of it). The
// row kernel streams B alone, where prefetching cost AlexNet 5%.
#define PFB 8192
#define PFA 4096

// func mulAVX512x8x32(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)
//
// When ep is not nil, the tile gets its epilogue in registers before it is
// stored: the row bias (8 values) when ep.bias is not nil, then the
// residual tile (rows ep.ldr floats apart) when ep.res is not nil, then the
// clip to [ep.lo, ep.hi]. It computes n tiles side by side, their B panels
// bstride floats apart.
TEXT ·mulAVX512x8x32(SB), NOSPLIT, $8-120
	MOVQ    b_base+32(FP), DI
	MOVQ    c_base+56(FP), DX
	MOVQ    ldc+80(FP), R8
	SHLQ    $2, R8
	MOVBLZX add+88(FP), R9
	MOVQ    ep+96(FP), R11
	STRIP512(n+104)

tile512:
	MOVQ    k+0(FP), CX
	MOVQ    a_base+8(FP), SI
	MOVQ    0(SP), DI
	INIT512

start512:
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail512

loop512:
	PREFETCHT0 PFB(DI)
	PREFETCHT0 PFB+64(DI)
	STEP512(0, 0)
	PREFETCHT0 PFB+128(DI)
	PREFETCHT0 PFB+192(DI)
	STEP512(32, 128)
	PREFETCHT0 PFB+256(DI)
	PREFETCHT0 PFB+320(DI)
	PREFETCHT0 PFA(SI)
	STEP512(64, 256)
	PREFETCHT0 PFB+384(DI)
	PREFETCHT0 PFB+448(DI)
	PREFETCHT0 PFA+64(SI)
	STEP512(96, 384)
	ADDQ $128, SI
	ADDQ $512, DI
	DECQ BX
	JNZ  loop512

tail512:
	ANDQ $3, CX
	JZ   store512

step512:
	STEP512(0, 0)
	ADDQ $32, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  step512

	FINISH512

// func mulSAAVX512x8x32(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)
//
// mulAVX512x8x32 with A read in place: step p of A is the 8 floats at
// a[p*lda:] (the rows of a transposed operand, such as Xᵀ of a 1x1
// convolution computed transposed).
TEXT ·mulSAAVX512x8x32(SB), NOSPLIT, $8-128
	MOVQ    b_base+40(FP), DI
	MOVQ    c_base+64(FP), DX
	MOVQ    ldc+88(FP), R8
	SHLQ    $2, R8
	MOVBLZX add+96(FP), R9
	MOVQ    ep+104(FP), R11
	STRIP512(n+112)

tile512:
	MOVQ    k+0(FP), CX
	MOVQ    a_base+8(FP), SI
	MOVQ    0(SP), DI
	INIT512

start512:
	MOVQ lda+32(FP), R13
	SHLQ $2, R13
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail512

loop512:
	PREFETCHT0 PFB(DI)
	PREFETCHT0 PFB+64(DI)
	STEP512(0, 0)
	ADDQ       R13, SI
	PREFETCHT0 PFB+128(DI)
	PREFETCHT0 PFB+192(DI)
	STEP512(0, 128)
	ADDQ       R13, SI
	PREFETCHT0 PFB+256(DI)
	PREFETCHT0 PFB+320(DI)
	STEP512(0, 256)
	ADDQ       R13, SI
	PREFETCHT0 PFB+384(DI)
	PREFETCHT0 PFB+448(DI)
	STEP512(0, 384)
	ADDQ       R13, SI
	ADDQ       $512, DI
	DECQ       BX
	JNZ        loop512

tail512:
	ANDQ $3, CX
	JZ   store512

step512:
	STEP512(0, 0)
	ADDQ R13, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  step512
	FINISH512

// STEPIND512 is one k step of the indirect 8x32 kernel: A at ao(SI), B
// at the next offset (R12) from DI.
#define STEPIND512(ao) \
	MOVLQSX (R12), R13; \
	ADDQ    $4, R12; \
	VMOVUPS (DI)(R13*4), Z16; \
	VMOVUPS 64(DI)(R13*4), Z17; \
	FMA512(ao)

// func mulIndAVX512x8x32(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)
//
// mulAVX512x8x32 with B read in place: step p of B is the 32 floats at
// b[offs[p]:] (an implicit im2col: b is a padded input, offs the taps').
TEXT ·mulIndAVX512x8x32(SB), NOSPLIT, $8-144
	MOVQ    b_base+32(FP), DI
	MOVQ    c_base+80(FP), DX
	MOVQ    ldc+104(FP), R8
	SHLQ    $2, R8
	MOVBLZX add+112(FP), R9
	MOVQ    ep+120(FP), R11
	STRIP512(n+128)

tile512:
	MOVQ    k+0(FP), CX
	MOVQ    a_base+8(FP), SI
	MOVQ    0(SP), DI
	INIT512

start512:
	MOVQ offs_base+56(FP), R12
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail512

loop512:
	STEPIND512(0)
	STEPIND512(32)
	STEPIND512(64)
	STEPIND512(96)
	ADDQ $128, SI
	DECQ BX
	JNZ  loop512

tail512:
	ANDQ $3, CX
	JZ   store512

step512:
	STEPIND512(0)
	ADDQ $32, SI
	DECQ CX
	JNZ  step512
	FINISH512

// STEP256 is one k step of the 4x16 kernel: A at ao(SI), B at bo(DI).
// Row r of the tile is Y(2r) (columns 0-7) and Y(2r+1) (columns 8-15).
#define STEP256(ao, bo) \
	VMOVUPS      bo(DI), Y8; \
	VMOVUPS      bo+32(DI), Y9; \
	VBROADCASTSS ao(SI), Y10; \
	VBROADCASTSS ao+4(SI), Y11; \
	VFMADD231PS  Y8, Y10, Y0; \
	VFMADD231PS  Y9, Y10, Y1; \
	VFMADD231PS  Y8, Y11, Y2; \
	VFMADD231PS  Y9, Y11, Y3; \
	VBROADCASTSS ao+8(SI), Y12; \
	VBROADCASTSS ao+12(SI), Y13; \
	VFMADD231PS  Y8, Y12, Y4; \
	VFMADD231PS  Y9, Y12, Y5; \
	VFMADD231PS  Y8, Y13, Y6; \
	VFMADD231PS  Y9, Y13, Y7

// LOAD256 and STORE256 move row registers y0, y1 from or to the C row at
// R10, then advance R10 by ldc (R8 bytes).
#define LOAD256(y0, y1) \
	VMOVUPS (R10), y0; \
	VMOVUPS 32(R10), y1; \
	ADDQ    R8, R10

#define STORE256(y0, y1) \
	VMOVUPS y0, (R10); \
	VMOVUPS y1, 32(R10); \
	ADDQ    R8, R10

// func mulAVX2x4x16(k int, a, b, c []float32, ldc int, add bool)
TEXT ·mulAVX2x4x16(SB), NOSPLIT, $0-89
	MOVQ    k+0(FP), CX
	MOVQ    a_base+8(FP), SI
	MOVQ    b_base+32(FP), DI
	MOVQ    c_base+56(FP), DX
	MOVQ    ldc+80(FP), R8
	SHLQ    $2, R8
	MOVBLZX add+88(FP), R9
	MOVQ    DX, R10
	TESTQ   R9, R9
	JNZ     load256
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3
	VXORPS  Y4, Y4, Y4
	VXORPS  Y5, Y5, Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	JMP     start256

load256:
	LOAD256(Y0, Y1)
	LOAD256(Y2, Y3)
	LOAD256(Y4, Y5)
	LOAD256(Y6, Y7)

start256:
	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail256

loop256:
	STEP256(0, 0)
	STEP256(16, 64)
	STEP256(32, 128)
	STEP256(48, 192)
	ADDQ $64, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  loop256

tail256:
	ANDQ $3, CX
	JZ   store256

step256:
	STEP256(0, 0)
	ADDQ $16, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  step256

store256:
	MOVQ DX, R10
	STORE256(Y0, Y1)
	STORE256(Y2, Y3)
	STORE256(Y4, Y5)
	STORE256(Y6, Y7)
	VZEROUPPER
	RET

// func rowAVX512x32(k int, a, b, c []float32, add bool)
//
// rowAVX512x32 is the 1x32 row kernel of the 8x32 one: it multiplies row 0
// of a packed A micro-panel (a[0], a[8], ...: the panel's stride is mr = 8)
// by a packed B micro-panel and writes the 32 results to c (c = A*B, or
// c += A*B when add is set). A product with one row of A (a fully connected
// layer's matrix-vector product) streams B through it at memory speed
// instead of computing 7 rows of padding. Even and odd steps go to separate
// accumulators (Z0-Z1 and Z2-Z3), summed at the end.
TEXT ·rowAVX512x32(SB), NOSPLIT, $0-81
	MOVQ    k+0(FP), CX
	MOVQ    a_base+8(FP), SI
	MOVQ    b_base+32(FP), DI
	MOVQ    c_base+56(FP), DX
	MOVBLZX add+80(FP), R9
	VPXORD  Z0, Z0, Z0
	VPXORD  Z1, Z1, Z1
	VPXORD  Z2, Z2, Z2
	VPXORD  Z3, Z3, Z3
	TESTQ   R9, R9
	JZ      startrow
	VMOVUPS (DX), Z0
	VMOVUPS 64(DX), Z1

startrow:
	MOVQ CX, BX
	SHRQ $1, BX
	JZ   tailrow

looprow:
	VBROADCASTSS (SI), Z4
	VBROADCASTSS 32(SI), Z5
	VFMADD231PS  (DI), Z4, Z0
	VFMADD231PS  64(DI), Z4, Z1
	VFMADD231PS  128(DI), Z5, Z2
	VFMADD231PS  192(DI), Z5, Z3
	ADDQ         $64, SI
	ADDQ         $256, DI
	DECQ         BX
	JNZ          looprow

tailrow:
	TESTQ        $1, CX
	JZ           storerow
	VBROADCASTSS (SI), Z4
	VFMADD231PS  (DI), Z4, Z0
	VFMADD231PS  64(DI), Z4, Z1

storerow:
	VADDPS  Z2, Z0, Z0
	VADDPS  Z3, Z1, Z1
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	VZEROUPPER
	RET

// func fmaLoopAVX512(n int)
//
// fmaLoopAVX512 runs n iterations of 24 independent ZMM fused
// multiply-adds (768 flops), the clock-bound FMA peak the kernel
// benchmarks compare against. Only tests call it.
TEXT ·fmaLoopAVX512(SB), NOSPLIT, $0-8
	MOVQ   n+0(FP), CX
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31

peak512:
	VFMADD231PS Z30, Z31, Z0
	VFMADD231PS Z30, Z31, Z1
	VFMADD231PS Z30, Z31, Z2
	VFMADD231PS Z30, Z31, Z3
	VFMADD231PS Z30, Z31, Z4
	VFMADD231PS Z30, Z31, Z5
	VFMADD231PS Z30, Z31, Z6
	VFMADD231PS Z30, Z31, Z7
	VFMADD231PS Z30, Z31, Z8
	VFMADD231PS Z30, Z31, Z9
	VFMADD231PS Z30, Z31, Z10
	VFMADD231PS Z30, Z31, Z11
	VFMADD231PS Z30, Z31, Z12
	VFMADD231PS Z30, Z31, Z13
	VFMADD231PS Z30, Z31, Z14
	VFMADD231PS Z30, Z31, Z15
	VFMADD231PS Z30, Z31, Z16
	VFMADD231PS Z30, Z31, Z17
	VFMADD231PS Z30, Z31, Z18
	VFMADD231PS Z30, Z31, Z19
	VFMADD231PS Z30, Z31, Z20
	VFMADD231PS Z30, Z31, Z21
	VFMADD231PS Z30, Z31, Z22
	VFMADD231PS Z30, Z31, Z23
	DECQ        CX
	JNZ         peak512
	VZEROUPPER
	RET

// func fmaLoopAVX2(n int)
//
// fmaLoopAVX2 runs n iterations of 12 independent YMM fused multiply-adds
// (192 flops). Only tests call it.
TEXT ·fmaLoopAVX2(SB), NOSPLIT, $0-8
	MOVQ   n+0(FP), CX
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

peak256:
	VFMADD231PS Y14, Y15, Y0
	VFMADD231PS Y14, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VFMADD231PS Y14, Y15, Y3
	VFMADD231PS Y14, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VFMADD231PS Y14, Y15, Y6
	VFMADD231PS Y14, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VFMADD231PS Y14, Y15, Y9
	VFMADD231PS Y14, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	DECQ        CX
	JNZ         peak256
	VZEROUPPER
	RET
