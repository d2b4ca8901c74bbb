// The AVX-512 kernels' activations and epilogue registers (see the
// register map in avx512_amd64.s), shared by the row and blocked kernels.

// CLAMP is min(max(z, lo), hi), NaN kept (the operand order of VMAXPS
// and VMINPS returns z when either is NaN).
#define CLAMP(z) \
	VMAXPS z, Z16, z; \
	VMINPS z, Z17, z

// LEAKY is max(z, 0) + alpha*min(z, 0).
#define LEAKY(z) \
	VMINPS  z, Z20, Z8; \
	VMAXPS  z, Z20, z; \
	VFMADD231PS Z8, Z18, z

// HSWISH is z * min(max(alpha*z + beta, 0), 1).
#define HSWISH(z) \
	VMOVAPS Z19, Z8; \
	VFMADD231PS z, Z18, Z8; \
	VMAXPS  Z20, Z8, Z8; \
	VMINPS  Z21, Z8, Z8; \
	VMULPS  Z8, z, z

// SWISH is z / (1 + exp(-alpha*z)), the exponential after Cephes' expf
// (see consts) with its argument clamped so that 2^n is normal or +Inf.
#define SWISH(z) \
	VMULPS       z, Z18, Z8; \
	VSUBPS       Z8, Z20, Z8; \
	VMINPS       640(AX), Z8, Z8; \
	VMAXPS       704(AX), Z8, Z8; \
	VMULPS       64(AX), Z8, Z9; \
	VRNDSCALEPS  $0, Z9, Z9; \
	VFNMADD231PS 128(AX), Z9, Z8; \
	VFNMADD231PS 192(AX), Z9, Z8; \
	VMOVUPS      256(AX), Z10; \
	VFMADD213PS  320(AX), Z8, Z10; \
	VFMADD213PS  384(AX), Z8, Z10; \
	VFMADD213PS  448(AX), Z8, Z10; \
	VFMADD213PS  512(AX), Z8, Z10; \
	VFMADD213PS  576(AX), Z8, Z10; \
	VMULPS       Z8, Z8, Z11; \
	VFMADD213PS  Z8, Z11, Z10; \
	VADDPS       Z21, Z10, Z10; \
	VSCALEFPS    Z9, Z10, Z10; \
	VADDPS       Z21, Z10, Z10; \
	VDIVPS       Z10, z, z

// EPICONSTS loads the epilogue's registers from the args at DI.
#define EPICONSTS \
	MOVQ         152(DI), AX; \
	VBROADCASTSS 136(DI), Z16; \
	VBROADCASTSS 140(DI), Z17; \
	VBROADCASTSS 144(DI), Z18; \
	VBROADCASTSS 148(DI), Z19; \
	VPXORD       Z20, Z20, Z20; \
	VMOVUPS      (AX), Z21

// ACT1 applies args' activation (128(DI), see kernel.go) to Z0 and ACT4
// to Z0-Z3, then go on at the label done (which follows the macro); the
// other arguments are the labels of the activations' code, distinct for
// each use.
#define ACT1(clamp, leaky, hswish, swish, done) \
	MOVL 128(DI), CX; \
	CMPL CX, $1; \
	JEQ  clamp; \
	CMPL CX, $2; \
	JEQ  leaky; \
	CMPL CX, $3; \
	JEQ  hswish; \
	CMPL CX, $4; \
	JEQ  swish; \
	JMP  done; \
clamp: \
	CLAMP(Z0); \
	JMP done; \
leaky: \
	LEAKY(Z0); \
	JMP done; \
hswish: \
	HSWISH(Z0); \
	JMP done; \
swish: \
	SWISH(Z0)

#define ACT4(clamp, leaky, hswish, swish, done) \
	MOVL 128(DI), CX; \
	CMPL CX, $1; \
	JEQ  clamp; \
	CMPL CX, $2; \
	JEQ  leaky; \
	CMPL CX, $3; \
	JEQ  hswish; \
	CMPL CX, $4; \
	JEQ  swish; \
	JMP  done; \
clamp: \
	CLAMP(Z0); \
	CLAMP(Z1); \
	CLAMP(Z2); \
	CLAMP(Z3); \
	JMP done; \
leaky: \
	LEAKY(Z0); \
	LEAKY(Z1); \
	LEAKY(Z2); \
	LEAKY(Z3); \
	JMP done; \
hswish: \
	HSWISH(Z0); \
	HSWISH(Z1); \
	HSWISH(Z2); \
	HSWISH(Z3); \
	JMP done; \
swish: \
	SWISH(Z0); \
	SWISH(Z1); \
	SWISH(Z2); \
	SWISH(Z3)
