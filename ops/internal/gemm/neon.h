// NEON instructions the Go assembler does not accept, as WORD encodings,
// for register numbers d, n, m in 0..31 (shared by the arm64 kernels).

// FMLAS is FMLA Vd.4S, Vn.4S, Vm.S[lane] (by element): vd += vn *
// vm[lane], for lane in 0..3.
#define FMLAS(d, n, m, lane) WORD $(0x4F801000 | ((lane)&1)<<21 | (m)<<16 | ((lane)>>1)<<11 | (n)<<5 | (d))

// FADDV, FMAXV and FMINV are FADD, FMAX and FMIN Vd.4S, Vn.4S, Vm.4S,
// which the Go assembler does not accept. FMAX and FMIN give NaN when
// either operand is NaN, like Go's max and min.
#define FADDV(d, n, m) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))
#define FMAXV(d, n, m) WORD $(0x4E20F400 | (m)<<16 | (n)<<5 | (d))
#define FMINV(d, n, m) WORD $(0x4EA0F400 | (m)<<16 | (n)<<5 | (d))

// FMLAV is FMLA Vd.4S, Vn.4S, Vm.4S (by vector): vd += vn * vm.
#define FMLAV(d, n, m) WORD $(0x4E20CC00 | (m)<<16 | (n)<<5 | (d))

// FADDPV is FADDP Vd.4S, Vn.4S, Vm.4S: the pairwise sums of vn's lanes,
// then vm's.
#define FADDPV(d, n, m) WORD $(0x6E20D400 | (m)<<16 | (n)<<5 | (d))
