package imagecodec

// libjpeg's accurate integer inverse DCT ("islow", jidctint.c): the
// Loeffler-Ligtenberg-Moschytz factorisation with 13-bit fixed-point
// constants, columns first, two extra bits of precision kept between the
// passes. The arithmetic below reproduces its rounding exactly.
const (
	constBits = 13
	pass1Bits = 2

	fix0_298631336 = 2446
	fix0_390180644 = 3196
	fix0_541196100 = 4433
	fix0_765366865 = 6270
	fix0_899976223 = 7373
	fix1_175875602 = 9633
	fix1_501321110 = 12299
	fix1_847759065 = 15137
	fix1_961570560 = 16069
	fix2_053119869 = 16819
	fix2_562915447 = 20995
	fix3_072711026 = 25172
)

// idctRange maps a descaled IDCT output, masked to 10 bits as libjpeg's
// RANGE_MASK does, to a sample: the value read as a signed 10-bit number,
// centred at 128 and clamped. Out-of-range outputs (possible only in
// corrupt data) thus wrap exactly as in libjpeg's range-limit table.
var idctRange = func() (t [1024]uint8) {
	for i := range t {
		v := i
		if i >= 512 {
			v = i - 1024
		}
		t[i] = uint8(min(max(v+128, 0), 255))
	}
	return
}()

// idct1D is one 8-point pass of the islow IDCT on inputs x0..x7 (already
// dequantized or taken from the first pass), returning the eight outputs
// before descaling, scaled by 2^constBits.
func idct1D(x0, x1, x2, x3, x4, x5, x6, x7 int) (o0, o1, o2, o3, o4, o5, o6, o7 int) {
	// Even part.
	z1 := (x2 + x6) * fix0_541196100
	tmp2 := z1 - x6*fix1_847759065
	tmp3 := z1 + x2*fix0_765366865
	tmp0 := (x0 + x4) << constBits
	tmp1 := (x0 - x4) << constBits
	tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
	tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

	// Odd part.
	t0, t1, t2, t3 := x7, x5, x3, x1
	z1 = t0 + t3
	z2 := t1 + t2
	z3 := t0 + t2
	z4 := t1 + t3
	z5 := (z3 + z4) * fix1_175875602
	t0 *= fix0_298631336
	t1 *= fix2_053119869
	t2 *= fix3_072711026
	t3 *= fix1_501321110
	z1 *= -fix0_899976223
	z2 *= -fix2_562915447
	z3 = z3*-fix1_961570560 + z5
	z4 = z4*-fix0_390180644 + z5
	t0 += z1 + z3
	t1 += z2 + z4
	t2 += z2 + z3
	t3 += z1 + z4

	return tmp10 + t3, tmp11 + t2, tmp12 + t1, tmp13 + t0,
		tmp13 - t0, tmp12 - t1, tmp11 - t2, tmp10 - t3
}

// idctIslow dequantizes coefficient block b (natural order) with table q
// and writes the 8x8 samples to dst, rows stride bytes apart.
func idctIslow(b *[64]int16, q *[64]int32, dst []uint8, stride int) {
	var ws [64]int32
	const s1 = constBits - pass1Bits
	for c := range 8 {
		if b[8+c]|b[16+c]|b[24+c]|b[32+c]|b[40+c]|b[48+c]|b[56+c] == 0 {
			dc := int32(b[c]) * q[c] << pass1Bits
			for r := range 8 {
				ws[8*r+c] = dc
			}
			continue
		}
		deq := func(r int) int { return int(int32(b[8*r+c]) * q[8*r+c]) }
		o0, o1, o2, o3, o4, o5, o6, o7 := idct1D(deq(0), deq(1), deq(2), deq(3), deq(4), deq(5), deq(6), deq(7))
		ws[c] = int32(descale(o0, s1))
		ws[8+c] = int32(descale(o1, s1))
		ws[16+c] = int32(descale(o2, s1))
		ws[24+c] = int32(descale(o3, s1))
		ws[32+c] = int32(descale(o4, s1))
		ws[40+c] = int32(descale(o5, s1))
		ws[48+c] = int32(descale(o6, s1))
		ws[56+c] = int32(descale(o7, s1))
	}
	const s2 = constBits + pass1Bits + 3
	for r := range 8 {
		w := ws[8*r : 8*r+8 : 8*r+8]
		out := dst[r*stride : r*stride+8 : r*stride+8]
		if w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7] == 0 {
			v := idctRange[descale(int(w[0]), pass1Bits+3)&1023]
			for i := range out {
				out[i] = v
			}
			continue
		}
		o0, o1, o2, o3, o4, o5, o6, o7 := idct1D(int(w[0]), int(w[1]), int(w[2]), int(w[3]), int(w[4]), int(w[5]), int(w[6]), int(w[7]))
		out[0] = idctRange[descale(o0, s2)&1023]
		out[1] = idctRange[descale(o1, s2)&1023]
		out[2] = idctRange[descale(o2, s2)&1023]
		out[3] = idctRange[descale(o3, s2)&1023]
		out[4] = idctRange[descale(o4, s2)&1023]
		out[5] = idctRange[descale(o5, s2)&1023]
		out[6] = idctRange[descale(o6, s2)&1023]
		out[7] = idctRange[descale(o7, s2)&1023]
	}
}

// descale is libjpeg's DESCALE: x / 2^n rounded half up, by arithmetic shift.
func descale(x, n int) int {
	return (x + 1<<(n-1)) >> n
}
