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
