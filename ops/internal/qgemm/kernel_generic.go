package qgemm

import "math"

// genericKernel is the Go kernel: a 4x4 tile, columns int8. It is the
// reference the assembly kernels are tested against, and the kernel of
// builds without assembly (the noasm tag, 32-bit ARM).
var genericKernel = &Kernel{Name: "generic 4x4", MR: 4, NR: 4, ColsSigned: true, id: idGeneric}

// tilesGo is the Go tile function (see Kernel.tile): n 4x4 tiles.
func tilesGo(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	const mr = 4
	t := *ep
	for i := range n {
		r := i * mr
		t.rowOff = ep.rowOff[r:]
		if ep.rowMul != nil {
			t.rowMul = ep.rowMul[r:]
		}
		if ep.mode != Int32 && ep.scaleCols == 0 {
			t.scale = ep.scale[r:]
		}
		tileGo(kq, a[i*mr*4*kq:], b, offs, c[r*ldc:], ldc, &t)
	}
}

// tileGo is the Go 4x4 tile. Its sixteen sums are locals, not an array,
// so that the compiler keeps them in registers (31 on arm64), and each
// step reads its 16 bytes of A and of B through array pointers, with one
// bounds check each.
func tileGo(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp) {
	const mr, nr = 4, 4
	ro, co := (*[mr]int32)(ep.rowOff), (*[nr]int32)(ep.colOff)
	c00, c01, c02, c03 := ro[0]+co[0], ro[0]+co[1], ro[0]+co[2], ro[0]+co[3]
	c10, c11, c12, c13 := ro[1]+co[0], ro[1]+co[1], ro[1]+co[2], ro[1]+co[3]
	c20, c21, c22, c23 := ro[2]+co[0], ro[2]+co[1], ro[2]+co[2], ro[2]+co[3]
	c30, c31, c32, c33 := ro[3]+co[0], ro[3]+co[1], ro[3]+co[2], ro[3]+co[3]
	a = a[:kq*mr*4]
	for s := range kq {
		as := (*[mr * 4]byte)(a[s*mr*4:])
		bs := (*[nr * 4]byte)(b[offs[s]:])
		for q := range 4 { // the step's four k values, one at a time
			a0, a1, a2, a3 := int32(int8(as[q])), int32(int8(as[4+q])), int32(int8(as[8+q])), int32(int8(as[12+q]))
			b0, b1, b2, b3 := int32(int8(bs[q])), int32(int8(bs[4+q])), int32(int8(bs[8+q])), int32(int8(bs[12+q]))
			c00, c01, c02, c03 = c00+a0*b0, c01+a0*b1, c02+a0*b2, c03+a0*b3
			c10, c11, c12, c13 = c10+a1*b0, c11+a1*b1, c12+a1*b2, c13+a1*b3
			c20, c21, c22, c23 = c20+a2*b0, c21+a2*b1, c22+a2*b2, c23+a2*b3
			c30, c31, c32, c33 = c30+a3*b0, c31+a3*b1, c32+a3*b2, c33+a3*b3
		}
	}
	acc := [mr * nr]int32{c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33}
	storeTile(acc[:], mr, nr, c, ldc, ep)
}

// storeTile adds the rank-one term of ep to the mr×nr sums acc and stores
// them as ep.mode says.
func storeTile(acc []int32, mr, nr int, c []byte, ldc int, ep *tileEp) {
	for r := range mr {
		for j := range nr {
			v := acc[r*nr+j]
			if ep.rowMul != nil {
				v += ep.rowMul[r] * ep.colMul[j]
			}
			storeElem(c[r*ldc:], j, v, ep.scaleAt(r, j), ep)
		}
	}
}

// scaleAt is the scale of tile element (r, j).
func (ep *tileEp) scaleAt(r, j int) float32 {
	switch {
	case ep.mode == Int32:
		return 0
	case ep.scaleCols != 0:
		return ep.scale[j]
	}
	return ep.scale[r]
}

// storeElem stores sum v as element j of row c.
func storeElem(c []byte, j int, v int32, scale float32, ep *tileEp) {
	switch ep.mode {
	case Int32:
		putU32(c[4*j:], uint32(v))
	case Float:
		putU32(c[4*j:], math.Float32bits(float32(v)*scale))
	default:
		c[j] = byte(Requantize(v, scale, ep.lo, ep.hi, ep.zp))
	}
}

// putU32 stores v little-endian at b[0:4].
func putU32(b []byte, v uint32) {
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// roundBias is 1.5·2²³: adding it to a float32 of magnitude below 2²²
// rounds it half to even to an integer held in the low mantissa bits.
const roundBias = 0x1.8p23

// Requantize is ONNX Runtime's requantization of the int32 sum s:
// float32(s)·scale rounded to float32, clamped to [lo, hi] (NaN to lo),
// rounded half to even, plus zp. lo and hi are the output's range minus
// zp.
func Requantize(s int32, scale, lo, hi float32, zp int32) int32 {
	v := float32(float32(s) * scale)
	if !(v >= lo) {
		v = lo
	} else if v > hi {
		v = hi
	}
	return int32(math.Float32bits(v+roundBias)-math.Float32bits(roundBias)) + zp
}
