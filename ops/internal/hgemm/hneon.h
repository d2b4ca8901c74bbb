// The fp16 (ARMv8.2 FEAT_FP16) and conversion NEON instructions the Go
// assembler does not accept, as WORD encodings, for register numbers d,
// n, m in 0..31 (checked against llvm-mc and aarch64-linux-gnu-objdump:
// see kernel_arm64_test.go's encoding table).

// FMLAH is FMLA Vd.8H, Vn.8H, Vm.H[lane] (by element, half precision):
// vd += vn * vm[lane], each lane rounded once (fused), for m in 0..15
// and lane in 0..7 (lane bits H:L:M at 11, 21, 20).
#define FMLAH(d, n, m, lane) WORD $(0x4F001000 | ((lane)>>2)<<11 | (((lane)>>1)&1)<<21 | ((lane)&1)<<20 | (m)<<16 | (n)<<5 | (d))

// FCVTN is FCVTN Vd.4H, Vn.4S: vn's 4 floats rounded to fp16 into the
// low half of vd (the high half zeroed); FCVTN2 is FCVTN2 Vd.8H, Vn.4S,
// into the high half of vd (the low half kept).
#define FCVTN(d, n) WORD $(0x0E216800 | (n)<<5 | (d))
#define FCVTN2(d, n) WORD $(0x4E216800 | (n)<<5 | (d))

// FCVTL is FCVTL Vd.4S, Vn.4H: the low 4 fp16 of vn widened to float32
// (exact); FCVTL2 is FCVTL2 Vd.4S, Vn.8H, the high 4.
#define FCVTL(d, n) WORD $(0x0E217800 | (n)<<5 | (d))
#define FCVTL2(d, n) WORD $(0x4E217800 | (n)<<5 | (d))

// FADDV is FADD Vd.4S, Vn.4S, Vm.4S.
#define FADDV(d, n, m) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))

// FMLAS is FMLA Vd.4S, Vn.4S, Vm.S[lane] (by element): vd += vn *
// vm[lane], for lane in 0..3.
#define FMLAS(d, n, m, lane) WORD $(0x4F801000 | ((lane)&1)<<21 | (m)<<16 | ((lane)>>1)<<11 | (n)<<5 | (d))

// FMAXV and FMINV are FMAX and FMIN Vd.4S, Vn.4S, Vm.4S: NaN when either
// operand is NaN, like Go's max and min.
#define FMAXV(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))
#define FMINV(d, n, m) WORD $(0x4EA0F400 | (m)<<16 | (n)<<5 | (d))
