// Package winograd holds the tile transforms of the Winograd convolution
// F(4x4, 3x3): a 6x6 input tile d becomes V = Bᵀ d B, and the 6x6 product
// M of transformed weights and inputs becomes the 4x4 output tile
// Y = Aᵀ M A (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", with interpolation points 0, ±1, ±2, ∞). Both transforms work
// on Lanes independent tiles at once, one per lane of a vector: Gather
// collects its input tiles from anywhere in a plane, and Output reads
// element k of its tiles as Lanes consecutive floats (for example one
// tile of Lanes output channels). On amd64 with AVX-512 they are assembly
// (Gather with vector gathers, Output with a 16x16 transpose to store
// whole tile rows); elsewhere they are the Go loops of this file.
package winograd

import "fmt"

// Lanes is the number of tiles every transform call handles.
const Lanes = 16

// Tile sizes: a 6x6 input tile gives a 4x4 output tile.
const (
	// In is the side of an input tile and of the transformed tiles.
	In = 6
	// Out is the side of an output tile.
	Out = 4
	// Points is the number of transformed values per tile (In*In).
	Points = In * In
	// OutLen is the floats of Output's result and scratch.
	OutLen = Out * In * Lanes
)

// Gather transforms Lanes input tiles: tile l's element (i, j) is
// xp[idx[l] + i*wp + j], and point p = k*In+n of its transform (row k,
// column n of Bᵀ d B) is stored to dst[p*stride+l]. d (Points*Lanes
// floats) is scratch.
func Gather(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	if len(d) < Points*Lanes || stride < Lanes || len(dst) < (Points-1)*stride+Lanes || wp < In {
		panic(fmt.Sprintf("winograd: gather given %d scratch and %d destination floats (stride %d, row %d)", len(d), len(dst), stride, wp))
	}
	for _, o := range idx {
		if o < 0 || int(o)+(In-1)*wp+In > len(xp) {
			panic(fmt.Sprintf("winograd: gather of a tile at %d from %d floats (row %d)", o, len(xp), wp))
		}
	}
	gather(xp, idx, wp, d, dst, stride)
}

// Output transforms Lanes products: point p of tile l is m[p*stride+l];
// element (a, b) of the output tile Aᵀ M A is stored to o[(l*Out+a)*Out+b],
// each tile's rows being contiguous. o is OutLen floats, used as scratch
// past the tiles.
func Output(m []float32, stride int, o []float32) {
	if len(m) < (Points-1)*stride+Lanes || stride < Lanes || len(o) < OutLen {
		panic(fmt.Sprintf("winograd: output transform given %d product and %d output floats (stride %d)", len(m), len(o), stride))
	}
	output(m, stride, o)
}

// bt is one row or column of Bᵀ z.
func bt(z0, z1, z2, z3, z4, z5 float32) (o0, o1, o2, o3, o4, o5 float32) {
	t1, t2 := z4-4*z2, z3-4*z1
	t3, t4 := z4-z2, z3-z1
	return z4 + 4*z0 - 5*z2, t1 + t2, t1 - t2, t3 + 2*t4, t3 - 2*t4, z5 + 4*z1 - 5*z3
}

// at is one row or column of Aᵀ m.
func at(m0, m1, m2, m3, m4, m5 float32) (y0, y1, y2, y3 float32) {
	s12, d12, s34, d34 := m1+m2, m1-m2, m3+m4, m3-m4
	return m0 + s12 + s34, d12 + 2*d34, s12 + 4*s34, d12 + m5 + 8*d34
}

// gatherGo copies Gather's tiles to d, element (i, j) of tile l at
// d[(i*In+j)*Lanes+l].
func gatherGo(xp []float32, idx *[Lanes]int32, wp int, d []float32) {
	for l, o := range idx {
		for i := range In {
			row := xp[int(o)+i*wp:][:In]
			e := d[i*In*Lanes+l:]
			_ = e[5*Lanes]
			e[0], e[Lanes], e[2*Lanes], e[3*Lanes], e[4*Lanes], e[5*Lanes] = row[0], row[1], row[2], row[3], row[4], row[5]
		}
	}
}

// inputGo transforms the tiles gatherGo copied to d, to dst.
func inputGo(d, dst []float32, stride int) {
	colsGo(d)
	rowsGo(d, dst, stride)
}

// colsGo transforms the columns of every tile of d in place.
func colsGo(d []float32) {
	const r = In * Lanes // one row of tile elements
	for j := range In {
		c := d[j*Lanes:]
		for l := range Lanes {
			c[l], c[r+l], c[2*r+l], c[3*r+l], c[4*r+l], c[5*r+l] =
				bt(c[l], c[r+l], c[2*r+l], c[3*r+l], c[4*r+l], c[5*r+l])
		}
	}
}

// rowsGo transforms the rows of every tile of d, whose columns colsGo
// transformed, to dst.
func rowsGo(d, dst []float32, stride int) {
	const r = In * Lanes
	for k := range In {
		row := d[k*r : (k+1)*r]
		out := dst[k*In*stride:]
		for l := range Lanes {
			var o [In]float32
			o[0], o[1], o[2], o[3], o[4], o[5] = bt(row[l], row[Lanes+l], row[2*Lanes+l], row[3*Lanes+l], row[4*Lanes+l], row[5*Lanes+l])
			for n, v := range o {
				out[n*stride+l] = v
			}
		}
	}
}

// outputGo is Output in Go: Aᵀ m of the columns of every product to o,
// then the rows, each stored to o's tiles behind the rows still to read.
func outputGo(m []float32, stride int, o []float32) {
	const r = In * Lanes // one row of partial results in o
	for j := range In {
		c, t := m[j*stride:], o[j*Lanes:]
		q := In * stride // from one row of points to the next
		for l := range Lanes {
			t[l], t[r+l], t[2*r+l], t[3*r+l] = at(c[l], c[q+l], c[2*q+l], c[3*q+l], c[4*q+l], c[5*q+l])
		}
	}
	var tiles [Out * Out * Lanes]float32
	for a := range Out {
		row := o[a*r:]
		for l := range Lanes {
			dst := tiles[(l*Out+a)*Out:][:Out]
			dst[0], dst[1], dst[2], dst[3] = at(row[l], row[Lanes+l], row[2*Lanes+l], row[3*Lanes+l], row[4*Lanes+l], row[5*Lanes+l])
		}
	}
	copy(o, tiles[:])
}
