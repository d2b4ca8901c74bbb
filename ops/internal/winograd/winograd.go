// Package winograd holds the tile transforms of the Winograd convolution
// F(4x4, 3x3): a 6x6 input tile d becomes V = Bᵀ d B, and the 6x6 product
// M of transformed weights and inputs becomes the 4x4 output tile
// Y = Aᵀ M A (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", with interpolation points 0, ±1, ±2, ∞). Both transforms work
// on Lanes independent tiles at once, one per lane of a vector: Gather
// collects its input tiles from anywhere in a plane, and Output reads
// element k of its tiles as Lanes consecutive floats (for example one
// tile of Lanes output channels). They run in the SIMD instruction set of
// the GEMM kernel in use (Family), whose products they feed: AVX-512
// (Gather with vector gathers, Output with a 16x16 transpose to store
// whole tile rows), AVX2 and NEON (Gather transposing the rows of groups
// of tiles as it loads them, Output transposing each tile row into place),
// or the Go loops of this file (the generic kernels, the noasm build tag
// and other architectures).
package winograd

import (
	"fmt"
	"strings"

	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

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
	// OutLen is the floats of Output's result (Out*Out*Lanes) and scratch.
	OutLen = Out*Out*Lanes + Out*In*Lanes/2
)

// transforms is one implementation of Gather's and Output's work (its
// methods gather and output), in the instruction set of a family of GEMM
// kernels. The methods call the implementation's functions directly, so
// that the tiles' buffers on a caller's stack stay there.
type transforms struct {
	family string // as the GEMM kernels name theirs: "avx512", "avx2", "neon" or "generic"
}

// goTransforms is the Go implementation.
var goTransforms = transforms{"generic"}

// impl is the implementation Gather and Output use: that of the GEMM
// kernel's family (EDGEINFER_GEMM_KERNEL chooses both), else Go.
var impl = pickTransforms(gemm.KernelName())

// pickTransforms returns the available transforms of the family of the
// GEMM kernel named kernel, or the Go ones.
func pickTransforms(kernel string) transforms {
	family, _, _ := strings.Cut(kernel, " ")
	for _, t := range asmTransforms() {
		if t.family == family {
			return t
		}
	}
	return goTransforms
}

// Family names the instruction set the transforms run in: "avx512",
// "avx2", "neon" or "generic" (Go).
func Family() string { return impl.family }

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
	impl.gather(xp, idx, wp, d, dst, stride)
}

// Output transforms Lanes products: point p of tile l is m[p*stride+l];
// element (a, b) of the output tile Aᵀ M A is stored to o[(l*Out+a)*Out+b],
// each tile's rows being contiguous. o is OutLen floats, used as scratch
// past the tiles.
func Output(m []float32, stride int, o []float32) {
	if len(m) < (Points-1)*stride+Lanes || stride < Lanes || len(o) < OutLen {
		panic(fmt.Sprintf("winograd: output transform given %d product and %d output floats (stride %d)", len(m), len(o), stride))
	}
	impl.output(m, stride, o)
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

// gatherTilesGo is Gather in Go: gatherGo, then the columns and the rows
// of every tile transformed.
func gatherTilesGo(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	gatherGo(xp, idx, wp, d)
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
