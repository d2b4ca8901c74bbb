// NEON instructions the Go assembler does not accept, as WORD encodings,
// for register numbers d, n, m in 0..31 (checked with objdump).

// SDOT is SDOT Vd.4S, Vn.16B, Vm.4B[lane] (ARMv8.2 DotProd): each int32
// lane i of vd gets the dot product of bytes 4i..4i+3 of vn with bytes
// 4·lane..4·lane+3 of vm.
#define SDOT(d, n, m, lane) WORD $(0x4F80E000 | ((lane)&1)<<21 | (m)<<16 | ((lane)>>1)<<11 | (n)<<5 | (d))

// SMULL and SMULL2 are SMULL Vd.8H, Vn.8B, Vm.8B and SMULL2 Vd.8H,
// Vn.16B, Vm.16B: the int16 products of the low (high) eight int8 lanes.
#define SMULL(d, n, m) WORD $(0x0E20C000 | (m)<<16 | (n)<<5 | (d))
#define SMULL2(d, n, m) WORD $(0x4E20C000 | (m)<<16 | (n)<<5 | (d))

// SADALP is SADALP Vd.4S, Vn.8H: vd[i] += vn[2i] + vn[2i+1].
#define SADALP(d, n) WORD $(0x4E606800 | (n)<<5 | (d))

// ADDP is ADDP Vd.4S, Vn.4S, Vm.4S: the sums of adjacent pairs of vn, then
// of vm.
#define ADDP(d, n, m) WORD $(0x4EA0BC00 | (m)<<16 | (n)<<5 | (d))

// DUPS is DUP Vd.4S, Vn.S[lane].
#define DUPS(d, n, lane) WORD $(0x4E040400 | (lane)<<19 | (n)<<5 | (d))

// MLAS is MLA Vd.4S, Vn.4S, Vm.S[lane]: vd += vn · vm[lane] (int32).
#define MLAS(d, n, m, lane) WORD $(0x6F800000 | ((lane)&1)<<21 | (m)<<16 | ((lane)>>1)<<11 | (n)<<5 | (d))

// SCVTF, FCVTNS: Vd.4S from Vn.4S, int32 to float32 (rounding to nearest
// even) and float32 to int32 rounding to nearest, ties to even.
#define SCVTF(d, n) WORD $(0x4E21D800 | (n)<<5 | (d))
#define FCVTNS(d, n) WORD $(0x4E21A800 | (n)<<5 | (d))

// FMULV, FMAXNMV and FMINV are FMUL, FMAXNM and FMIN Vd.4S, Vn.4S, Vm.4S.
// FMAXNM gives the number when one operand is a (quiet) NaN, so a NaN
// product clamped by FMAXNM with lo becomes lo, as Requantize says.
#define FMULV(d, n, m) WORD $(0x6E20DC00 | (m)<<16 | (n)<<5 | (d))
#define FMAXNMV(d, n, m) WORD $(0x4E20C400 | (m)<<16 | (n)<<5 | (d))
#define FMINV(d, n, m) WORD $(0x4EA0F400 | (m)<<16 | (n)<<5 | (d))

// UZP1H and UZP1B are UZP1 Vd.8H, Vn.8H, Vm.8H and UZP1 Vd.16B, Vn.16B,
// Vm.16B: the even lanes of vn then of vm, here the low halves (bytes) of
// wider lanes, a truncating narrow of two registers at once.
#define UZP1H(d, n, m) WORD $(0x4E401800 | (m)<<16 | (n)<<5 | (d))
#define UZP1B(d, n, m) WORD $(0x4E001800 | (m)<<16 | (n)<<5 | (d))

// SADDW and SADDW2 are SADDW Vd.4S, Vn.4S, Vm.4H and SADDW2 Vd.4S, Vn.4S,
// Vm.8H: vd = vn + the low (high) four int16 lanes of vm, widened.
#define SADDW(d, n, m) WORD $(0x0E601000 | (m)<<16 | (n)<<5 | (d))
#define SADDW2(d, n, m) WORD $(0x4E601000 | (m)<<16 | (n)<<5 | (d))

// UXTL(2) and SXTL(2) widen the low (high) half of vn: B to H (8H, 8B)
// and H to S (4S, 4H), zero- or sign-extended.
#define UXTLB(d, n) WORD $(0x2F08A400 | (n)<<5 | (d))
#define UXTL2B(d, n) WORD $(0x6F08A400 | (n)<<5 | (d))
#define UXTLH(d, n) WORD $(0x2F10A400 | (n)<<5 | (d))
#define UXTL2H(d, n) WORD $(0x6F10A400 | (n)<<5 | (d))
#define SXTLB(d, n) WORD $(0x0F08A400 | (n)<<5 | (d))
#define SXTL2B(d, n) WORD $(0x4F08A400 | (n)<<5 | (d))
#define SXTLH(d, n) WORD $(0x0F10A400 | (n)<<5 | (d))
#define SXTL2H(d, n) WORD $(0x4F10A400 | (n)<<5 | (d))

// FMLAV is FMLA Vd.4S, Vn.4S, Vm.4S (fused: vd += vn·vm rounded once);
// FDIVV is FDIV Vd.4S, Vn.4S, Vm.4S.
#define FMLAV(d, n, m) WORD $(0x4E20CC00 | (m)<<16 | (n)<<5 | (d))
#define FDIVV(d, n, m) WORD $(0x6E20FC00 | (m)<<16 | (n)<<5 | (d))

// UMAXB and SMAXB are UMAX and SMAX Vd.16B, Vn.16B, Vm.16B.
#define UMAXB(d, n, m) WORD $(0x6E206400 | (m)<<16 | (n)<<5 | (d))
#define SMAXB(d, n, m) WORD $(0x4E206400 | (m)<<16 | (n)<<5 | (d))

// SMLAL and SMLAL2 are SMLAL Vd.8H, Vn.8B, Vm.8B and SMLAL2 Vd.8H,
// Vn.16B, Vm.16B: vd += the int16 products of the low (high) eight int8
// lanes.
#define SMLAL(d, n, m) WORD $(0x0E208000 | (m)<<16 | (n)<<5 | (d))
#define SMLAL2(d, n, m) WORD $(0x4E208000 | (m)<<16 | (n)<<5 | (d))

// CMEQB is CMEQ Vd.16B, Vn.16B, Vm.16B (0xff where equal); UMAXVB is
// UMAXV Bd, Vn.16B (the largest byte, into lane 0).
#define CMEQB(d, n, m) WORD $(0x6E208C00 | (m)<<16 | (n)<<5 | (d))
#define UMAXVB(d, n) WORD $(0x6E30A800 | (n)<<5 | (d))

// TBL2 and TBL3 are TBL Vd.16B, {Vn.16B-Vn+1.16B (or +2)}, Vm.16B: each
// byte of vm indexes the 32 (48) bytes of the table, 0 past its end.
#define TBL2(d, n, m) WORD $(0x4E002000 | (m)<<16 | (n)<<5 | (d))
#define TBL3(d, n, m) WORD $(0x4E004000 | (m)<<16 | (n)<<5 | (d))

// TBL4 and TBX4 are TBL and TBX Vd.16B, {Vn.16B-Vn+3.16B}, Vm.16B: each
// byte of vm indexes the 64 bytes of the table; past its end TBL gives 0
// and TBX leaves vd's byte.
#define TBL4(d, n, m) WORD $(0x4E006000 | (m)<<16 | (n)<<5 | (d))
#define TBX4(d, n, m) WORD $(0x4E007000 | (m)<<16 | (n)<<5 | (d))

// SMULLH and SMULL2H are SMULL Vd.4S, Vn.4H, Vm.4H and SMULL2 Vd.4S,
// Vn.8H, Vm.8H: the int32 products of the low (high) four int16 lanes.
#define SMULLH(d, n, m) WORD $(0x0E60C000 | (m)<<16 | (n)<<5 | (d))
#define SMULL2H(d, n, m) WORD $(0x4E60C000 | (m)<<16 | (n)<<5 | (d))

// FADDV is FADD Vd.4S, Vn.4S, Vm.4S.
#define FADDV(d, n, m) WORD $(0x4E20D400 | (m)<<16 | (n)<<5 | (d))
