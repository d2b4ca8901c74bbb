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

// tileGo is the Go 4x4 tile.
func tileGo(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp) {
	const mr, nr = 4, 4
	var acc [mr * nr]int32
	for r := range mr {
		for j := range nr {
			acc[r*nr+j] = ep.rowOff[r] + ep.colOff[j]
		}
	}
	for s := range kq {
		as := a[s*mr*4:][:mr*4]
		bs := b[offs[s]:][:nr*4]
		for r := range mr {
			a0, a1, a2, a3 := int32(int8(as[4*r])), int32(int8(as[4*r+1])), int32(int8(as[4*r+2])), int32(int8(as[4*r+3]))
			row := (*[nr]int32)(acc[r*nr:])
			for j := range nr {
				col := bs[4*j : 4*j+4]
				row[j] += a0*int32(int8(col[0])) + a1*int32(int8(col[1])) + a2*int32(int8(col[2])) + a3*int32(int8(col[3]))
			}
		}
	}
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
