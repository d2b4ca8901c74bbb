// Advanced SIMD instructions on 4 float32 (or int32) lanes, or on 16
// bytes for the bitwise ones, that the Go assembler does not accept,
// encoded by hand: d, n and m are vector register numbers, and each
// computes Vd = Vn op Vm.
#define VOP3(op, d, n, m) WORD $((op) | (m)<<16 | (n)<<5 | (d))

#define FADDV(d, n, m) VOP3(0x4E20D400, d, n, m)
#define FSUBV(d, n, m) VOP3(0x4EA0D400, d, n, m)
#define FMULV(d, n, m) VOP3(0x6E20DC00, d, n, m)
#define FDIVV(d, n, m) VOP3(0x6E20FC00, d, n, m)
#define FMAXV(d, n, m) VOP3(0x4E20F400, d, n, m) // NaN when either is NaN
#define FMINV(d, n, m) VOP3(0x4EA0F400, d, n, m) // NaN when either is NaN
#define FMLAV(d, n, m) VOP3(0x4E20CC00, d, n, m) // Vd += Vn*Vm, rounded once
#define FMLSV(d, n, m) VOP3(0x4EA0CC00, d, n, m) // Vd -= Vn*Vm, rounded once
#define FCMGTV(d, n, m) VOP3(0x6EA0E400, d, n, m) // all ones where Vn > Vm (false for NaN)
#define FCMEQV(d, n, m) VOP3(0x4E20E400, d, n, m) // all ones where Vn == Vm
#define ADD4S(d, n, m) VOP3(0x4EA08400, d, n, m) // int32
#define SUB4S(d, n, m) VOP3(0x6EA08400, d, n, m) // int32
#define CMGT4S(d, n, m) VOP3(0x4EA03400, d, n, m) // int32 Vn > Vm
#define ANDV(d, n, m) VOP3(0x4E201C00, d, n, m)
#define ORRV(d, n, m) VOP3(0x4EA01C00, d, n, m)
#define EORV(d, n, m) VOP3(0x6E201C00, d, n, m)
#define BICV(d, n, m) VOP3(0x4E601C00, d, n, m) // Vn &^ Vm
#define ORNV(d, n, m) VOP3(0x4EE01C00, d, n, m) // Vn | ^Vm
#define BSLV(d, n, m) VOP3(0x6E601C00, d, n, m) // Vd = Vd ? Vn : Vm, bitwise
#define BITV(d, n, m) VOP3(0x6EA01C00, d, n, m) // Vd = Vm ? Vn : Vd, bitwise

// One-operand forms.
#define MOVV(d, n) ORRV(d, n, n)
#define FCMLT0V(d, n) WORD $(0x4EA0E800 | (n)<<5 | (d)) // all ones where Vn < 0 (false for NaN, -0)
#define CMLT0V(d, n) WORD $(0x4EA0A800 | (n)<<5 | (d))  // all ones where Vn's sign bit is set
#define SHL23V(d, n) WORD $(0x4F375400 | (n)<<5 | (d))  // int32 lanes shifted left by 23
