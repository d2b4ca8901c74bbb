// NEON instructions the Go assembler does not accept (or not with a
// register number from a macro argument), as WORD encodings, for register
// numbers d, n, m in 0..31.

// FMLAS and FMLSS are FMLA and FMLS Vd.4S, Vn.4S, Vm.S[lane] (by element):
// vd += vn * vm[lane] and vd -= vn * vm[lane], for lane in 0..3.
#define FMLAS(d, n, m, lane) WORD $(0x4F801000 | ((lane)&1)<<21 | (m)<<16 | ((lane)>>1)<<11 | (n)<<5 | (d))
#define FMLSS(d, n, m, lane) WORD $(0x4F805000 | ((lane)&1)<<21 | (m)<<16 | ((lane)>>1)<<11 | (n)<<5 | (d))

// FADDV and FSUBV are FADD and FSUB Vd.4S, Vn.4S, Vm.4S: vd = vn + vm and
// vd = vn - vm.
#define FADDV(d, n, m) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))
#define FSUBV(d, n, m) WORD $(0x4EA0D400 | (m)<<16 | (n)<<5 | (d))

// VMOVQ is MOV Vd.16B, Vn.16B.
#define VMOVQ(d, n) WORD $(0x4EA01C00 | (n)<<16 | (n)<<5 | (d))

// TRN1S and TRN2S are TRN1 and TRN2 Vd.4S, Vn.4S, Vm.4S; ZIP1D and ZIP2D
// are ZIP1 and ZIP2 Vd.2D, Vn.2D, Vm.2D.
#define TRN1S(d, n, m) WORD $(0x4E802800 | (m)<<16 | (n)<<5 | (d))
#define TRN2S(d, n, m) WORD $(0x4E806800 | (m)<<16 | (n)<<5 | (d))
#define ZIP1D(d, n, m) WORD $(0x4EC03800 | (m)<<16 | (n)<<5 | (d))
#define ZIP2D(d, n, m) WORD $(0x4EC07800 | (m)<<16 | (n)<<5 | (d))

// FMAXV and FMINV are FMAX and FMIN Vd.4S, Vn.4S, Vm.4S (NaN when either
// operand is NaN).
#define FMAXV(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))
#define FMINV(d, n, m) WORD $(0x4EA0F400 | (m)<<16 | (n)<<5 | (d))

// STOREARGS loads the arguments of the Store functions (y *float32, offs
// *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32): y in
// R0, offs R1, o R2, ldy in bytes R3, n R4, bias R5, lo and hi in every
// lane of V5 and V6.
#define STOREARGS \
	MOVD  y+0(FP), R0; \
	MOVD  offs+8(FP), R1; \
	MOVD  ldy+16(FP), R3; \
	LSL   $2, R3, R3; \
	MOVD  o+24(FP), R2; \
	MOVD  n+32(FP), R4; \
	MOVD  bias+40(FP), R5; \
	FMOVS lo+48(FP), F5; \
	VDUP  V5.S[0], V5.S4; \
	FMOVS hi+52(FP), F6; \
	VDUP  V6.S[0], V6.S4
