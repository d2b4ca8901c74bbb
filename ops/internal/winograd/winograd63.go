package winograd

import "fmt"

// F(6x6, 3x3): an 8x8 input tile d becomes V = Bᵀ d B and the 8x8 product
// M the 6x6 output tile Y = Aᵀ M A, with interpolation points 0, ±1, ±2,
// ±1/2, ∞ (the matrices of ncnn's and Lavin and Gray's F(6,3)): 64
// products per 36 outputs instead of F(4x4, 3x3)'s 36 per 16, for larger
// transforms and weights (64 transformed values per 9). The functions
// work as Gather, Output and Store do, on Lanes tiles at once, in NEON on
// arm64 and in Go elsewhere (and with the noasm build tag).
const (
	// In63 is the side of an input tile and of the transformed tiles.
	In63 = 8
	// Out63 is the side of an output tile.
	Out63 = 6
	// Points63 is the number of transformed values per tile.
	Points63 = In63 * In63
	// Row63 is the floats between two rows of an output tile in Output63's
	// result (Out63 values and 2 of padding, for whole-vector stores).
	Row63 = 8
	// OutLen63 is the floats of Output63's result (Lanes tiles of Out63
	// rows of Row63) and of its scratch.
	OutLen63 = Lanes*Out63*Row63 + Out63*In63*Lanes
)

// Gather63 transforms Lanes input tiles of F(6x6, 3x3): tile l's element
// (i, j) is xp[idx[l] + i*wp + j], and point p = k*In63+n of its
// transform (row k, column n of Bᵀ d B) is stored to dst[p*stride+l]. d
// (Points63*Lanes floats) is scratch.
func Gather63(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	if len(d) < Points63*Lanes || stride < Lanes || len(dst) < (Points63-1)*stride+Lanes || wp < In63 {
		panic(fmt.Sprintf("winograd: gather63 given %d scratch and %d destination floats (stride %d, row %d)", len(d), len(dst), stride, wp))
	}
	for _, o := range idx {
		if o < 0 || int(o)+(In63-1)*wp+In63 > len(xp) {
			panic(fmt.Sprintf("winograd: gather63 of a tile at %d from %d floats (row %d)", o, len(xp), wp))
		}
	}
	if !gather63Asm(xp, idx, wp, d, dst, stride) {
		gather63Go(xp, idx, wp, d, dst, stride)
	}
}

// Output63 transforms Lanes products of F(6x6, 3x3): point p of tile l is
// m[p*stride+l]; element (a, b) of the output tile Aᵀ M A is stored to
// o[(l*Out63+a)*Row63+b]. o is OutLen63 floats, used as scratch past the
// tiles; the padding of the tiles' rows is left undefined.
func Output63(m []float32, stride int, o []float32) {
	if len(m) < (Points63-1)*stride+Lanes || stride < Lanes || len(o) < OutLen63 {
		panic(fmt.Sprintf("winograd: output63 given %d product and %d output floats (stride %d)", len(m), len(o), stride))
	}
	if !output63Asm(m, stride, o) {
		output63Go(m, stride, o)
	}
}

// Store63 is Store for the tiles Output63 left in o: row a of tile l to
// y[offs[l]+a*ldy:][:Out63], each value v as min(max(v+bias[l], lo), hi).
func Store63(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
	if n < 0 || n > Lanes || len(o) < n*Out63*Row63 {
		panic(fmt.Sprintf("winograd: store63 of %d tiles from %d floats", n, len(o)))
	}
	for _, off := range offs[:n] {
		if off >= 0 && (ldy < Out63 || int(off)+(Out63-1)*ldy+Out63 > len(y)) {
			panic(fmt.Sprintf("winograd: store63 of a tile at %d in %d floats (row %d)", off, len(y), ldy))
		}
	}
	if bias == nil {
		bias = &noBias
	}
	if n > 0 && !store63Asm(y, offs, ldy, o, n, bias, lo, hi) {
		store63Go(y, offs, ldy, o, n, bias, lo, hi)
	}
}

// bt63 is one row or column of Bᵀ z for F(6x6, 3x3).
func bt63(z0, z1, z2, z3, z4, z5, z6, z7 float32) (o0, o1, o2, o3, o4, o5, o6, o7 float32) {
	t1, t2 := z2+z6-4.25*z4, z1+z5-4.25*z3
	t3, t4 := z6+0.25*z2-1.25*z4, 2*z5+0.5*z1-2.5*z3
	t5, t6 := z6+4*z2-5*z4, 2*z1-2.5*z3+0.5*z5
	return z0 - z6 + 5.25*(z4-z2), t1 + t2, t1 - t2, t3 + t4, t3 - t4, t5 + t6, t5 - t6, z7 - z1 + 5.25*(z3-z5)
}

// at63 is one row or column of Aᵀ m for F(6x6, 3x3).
func at63(m0, m1, m2, m3, m4, m5, m6, m7 float32) (y0, y1, y2, y3, y4, y5 float32) {
	s12, d12, s34, d34, s56, d56 := m1+m2, m1-m2, m3+m4, m3-m4, m5+m6, m5-m6
	return m0 + s12 + s34 + s56, d12 + 2*d34 + 0.5*d56, s12 + 4*s34 + 0.25*s56,
		d12 + 8*d34 + 0.125*d56, s12 + 16*s34 + 0.0625*s56, d12 + 32*d34 + 0.03125*d56 + m7
}

// gather63Go is Gather63 in Go: each tile's rows transformed into d,
// element (i, n) of tile l at d[(i*In63+n)*Lanes+l], then its columns to
// dst.
func gather63Go(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	const r = In63 * Lanes // one row of tile elements in d
	for l, o := range idx {
		for i := range In63 {
			z := xp[int(o)+i*wp:][:In63]
			e := d[i*r+l:]
			_ = e[7*Lanes]
			e[0], e[Lanes], e[2*Lanes], e[3*Lanes], e[4*Lanes], e[5*Lanes], e[6*Lanes], e[7*Lanes] =
				bt63(z[0], z[1], z[2], z[3], z[4], z[5], z[6], z[7])
		}
	}
	for n := range In63 {
		c := d[n*Lanes:]
		out := dst[n*stride:]
		q := In63 * stride // from one row of points to the next
		_ = out[7*q+Lanes-1]
		for l := range Lanes {
			out[l], out[q+l], out[2*q+l], out[3*q+l], out[4*q+l], out[5*q+l], out[6*q+l], out[7*q+l] =
				bt63(c[l], c[r+l], c[2*r+l], c[3*r+l], c[4*r+l], c[5*r+l], c[6*r+l], c[7*r+l])
		}
	}
}

// output63Go is Output63 in Go: Aᵀ of the columns of every product to the
// scratch past the tiles, t[(a*In63+j)*Lanes+l], then the rows to the
// tiles.
func output63Go(m []float32, stride int, o []float32) {
	t := o[Lanes*Out63*Row63:][:Out63*In63*Lanes]
	const r = In63 * Lanes // one row of partial results in t
	q := In63 * stride     // from one row of points to the next
	for j := range In63 {
		c, tj := m[j*stride:], t[j*Lanes:]
		_ = c[7*q+Lanes-1]
		for l := range Lanes {
			tj[l], tj[r+l], tj[2*r+l], tj[3*r+l], tj[4*r+l], tj[5*r+l] =
				at63(c[l], c[q+l], c[2*q+l], c[3*q+l], c[4*q+l], c[5*q+l], c[6*q+l], c[7*q+l])
		}
	}
	for a := range Out63 {
		row := t[a*r:][:r]
		for l := range Lanes {
			dst := o[(l*Out63+a)*Row63:][:Out63]
			dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = at63(row[l], row[Lanes+l], row[2*Lanes+l], row[3*Lanes+l],
				row[4*Lanes+l], row[5*Lanes+l], row[6*Lanes+l], row[7*Lanes+l])
		}
	}
}

// store63Go is Store63's loop in Go.
func store63Go(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
	for l := range n {
		if offs[l] < 0 {
			continue
		}
		for a := range Out63 {
			row := y[int(offs[l])+a*ldy:][:Out63]
			for b, v := range o[(l*Out63+a)*Row63:][:Out63] {
				row[b] = clip(v+bias[l], lo, hi)
			}
		}
	}
}
