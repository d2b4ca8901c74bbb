package gemm

import "fmt"

// panels is a matrix X (n x k) cut into ceil(n/w) panels of w rows. Panel i
// holds k steps of w values, step p being X[i*w : i*w+w][p], zero past row
// n. A is packed as X = op(A) with w = mr; B as X = op(B)ᵀ with w = nr, so
// both feed the micro-kernel in the order it reads them.
type panels struct {
	n, k, w int
	data    []float32
}

// panelsLen is the number of floats of n x k packed in panels of w rows.
func panelsLen(n, k, w int) int { return ceilDiv(n, w) * w * k }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// count is the number of panels.
func (pn *panels) count() int { return ceilDiv(pn.n, pn.w) }

// steps returns steps [p0, p0+kb) of panel i.
func (pn *panels) steps(i, p0, kb int) []float32 {
	off := (i*pn.k + p0) * pn.w
	return pn.data[off : off+kb*pn.w]
}

// group is how many panels the transposing packer fills together so that
// every source cache line it reads is used whole.
const group = 16

// pack fills panels [lo, hi) from m, which holds X (so m.Trans means X's
// rows are m.Data's columns).
func (pn *panels) pack(m Matrix, lo, hi int) {
	w, k, src, ld := pn.w, pn.k, m.Data, m.Ld
	if !m.Trans {
		// X's rows are contiguous: read each row once, scatter with stride w.
		for i := lo; i < hi; i++ {
			dst := pn.data[i*w*k : (i+1)*w*k]
			for r := range w {
				row := i*w + r
				if row >= pn.n {
					for p := range k {
						dst[p*w+r] = 0
					}
					continue
				}
				for p, v := range src[row*ld : row*ld+k] {
					dst[p*w+r] = v
				}
			}
		}
		return
	}
	// X's columns are contiguous: fill a group of panels one step at a
	// time, reading each source row segment once and whole.
	n, data, stride := pn.n, pn.data, k*w
	for g := lo; g < hi; g += group {
		ge := min(g+group, hi)
		c0, c1 := g*w, min(ge*w, n)
		full := (c1 - c0) / w * w
		for p := range k {
			s := src[p*ld+c0 : p*ld+c1]
			off := (g*k + p) * w
			switch {
			case w == 2:
				for i := 0; i < full; i += 2 {
					d := data[off : off+2]
					d[0], d[1] = s[i], s[i+1]
					off += stride
				}
			case w == 8:
				// The AVX-512 kernel's A panels: a copy through a value is
				// inlined moves, where copy calls memmove for every 32 bytes.
				for i := 0; i < full; i += 8 {
					v := *(*[8]float32)(s[i:])
					*(*[8]float32)(data[off:]) = v
					off += stride
				}
			case w > 8:
				for i := 0; i < full; i += w {
					copy(data[off:off+w], s[i:i+w])
					off += stride
				}
			default:
				for i := 0; i < full; i += w {
					d := data[off : off+w]
					for r := range d {
						d[r] = s[i+r]
					}
					off += stride
				}
			}
			if full < len(s) {
				d := data[off : off+w]
				for r := range d {
					if full+r < len(s) {
						d[r] = s[full+r]
					} else {
						d[r] = 0
					}
				}
			}
		}
	}
}

// PackedA is a left operand op(A) (M x K) packed once for the kernel in use,
// typically constant weights packed when a model is loaded. The zero value
// holds no operand. It is a small header over the packed floats: copies
// share them.
type PackedA struct {
	p      panels
	kernel string
}

// PackedB is a right operand op(B) (K x N) packed for the kernel in use,
// once for a constant or, through Init, SetRow and ClearRow, by a caller
// that builds B itself. The zero value holds no operand; copies share the
// packed floats.
type PackedB struct {
	p      panels
	kernel string
}

// PackedALen is the number of floats PackA needs for an m x k operand.
func PackedALen(m, k int) int { return panelsLen(m, k, kern.mr) }

// RowGrain is the multiple of rows of op(A) whose products compute no
// padding rows: the kernel's mr, or half of it where the kernel has a
// half-height form for a last, half tile of rows (B not read in place).
func RowGrain() int {
	if kern.half != nil {
		return kern.mr / 2
	}
	return kern.mr
}

// PackedBLen is the number of floats PackB needs for a k x n operand.
func PackedBLen(k, n int) int { return panelsLen(n, k, kern.nr) }

// PackA packs op(A), m x k, into dst (PackedALen(m, k) floats; nil
// allocates). It panics if a is too short for m, k and its stride.
func PackA(dst []float32, m, k int, a Matrix) PackedA {
	checkMatrix("A", a, m, k)
	pa := PackedA{p: newPanels(dst, m, k, kern.mr), kernel: kern.name}
	pa.p.pack(a, 0, pa.p.count())
	return pa
}

// PackB packs op(B), k x n, into dst (PackedBLen(k, n) floats; nil
// allocates). It panics if b is too short for k, n and its stride.
func PackB(dst []float32, k, n int, b Matrix) PackedB {
	checkMatrix("B", b, k, n)
	pb := PackedB{p: newPanels(dst, n, k, kern.nr), kernel: kern.name}
	pb.p.pack(b.transposed(), 0, pb.p.count())
	return pb
}

// Init makes pb a k x n right operand over dst (PackedBLen(k, n) floats),
// to be filled row by row with SetRow and ClearRow, for example by an
// im2col that writes straight into the packed layout. Every element of
// op(B) must be written before pb is multiplied.
func (pb *PackedB) Init(dst []float32, k, n int) {
	pb.p, pb.kernel = newPanels(dst, n, k, kern.nr), kern.name
	pb.p.clearPadding()
}

// SetRow writes src[0], src[stride], ..., n values in all, to
// op(B)[p][j : j+n].
func (pb *PackedB) SetRow(p, j int, src []float32, stride, n int) { pb.p.set(p, j, src, stride, n) }

// ClearRow writes n zeros to op(B)[p][j : j+n].
func (pb *PackedB) ClearRow(p, j, n int) { pb.p.clear(p, j, n) }

// Init makes pa an m x k left operand over dst (PackedALen(m, k) floats),
// to be filled by Gather.
func (pa *PackedA) Init(dst []float32, m, k int) {
	pa.p, pa.kernel = newPanels(dst, m, k, kern.mr), kern.name
	pa.p.clearPadding()
}

// Gather fills panels [lo, hi) of pa (an m x k operand made by Init; see
// Panels) with op(A)[q][r] = src[cols[r] + rows[q]] for their rows q and
// every r < k: an indirect packing, such as im2col(X)ᵀ from a padded X
// with rows the output positions' and cols the kernel taps' offsets. It
// writes the panels in order, each step's mr values together; disjoint
// ranges can be filled at once.
func (pa PackedA) Gather(src []float32, rows, cols []int32, lo, hi int) {
	pn := &pa.p
	w, k := pn.w, pn.k
	rows, cols = rows[:pn.n], cols[:k]
	var off [maxTile]int32
	for i := lo; i < hi; i++ {
		q0 := i * w
		nr := min(w, pn.n-q0)
		copy(off[:nr], rows[q0:q0+nr])
		dst := pn.data[i*w*k : (i+1)*w*k]
		for r, c := range cols {
			d := dst[r*w : r*w+nr]
			for l := range d {
				d[l] = src[c+off[l]]
			}
		}
	}
}

// Panels is the number of panels of mr rows pa is packed in.
func (pa PackedA) Panels() int { return pa.p.count() }

// clearPadding zeros the last panel's rows past X's, which the kernel reads.
func (pn *panels) clearPadding() {
	w, k := pn.w, pn.k
	if r := pn.n % w; r != 0 {
		last := pn.count() - 1
		for p := range k {
			clear(pn.data[(last*k+p)*w+r : (last*k+p+1)*w])
		}
	}
}

// set writes src[0], src[stride], ..., n values in all, to X[j : j+n][p].
func (pn *panels) set(p, j int, src []float32, stride, n int) {
	w, data := pn.w, pn.data
	off := j % w
	at, step := (j/w*pn.k+p)*w+off, pn.k*w // step: from a panel to the next
	for n > 0 {
		c := min(w-off, n)
		d := data[at : at+c]
		if stride == 1 {
			copy(d, src[:c])
		} else {
			for i := range d {
				d[i] = src[i*stride]
			}
		}
		if n -= c; n > 0 {
			src = src[c*stride:]
		}
		at += step - off
		off = 0
	}
}

// clear writes n zeros to X[j : j+n][p].
func (pn *panels) clear(p, j, n int) {
	if n <= 0 {
		return
	}
	w, data := pn.w, pn.data
	off := j % w
	at, step := (j/w*pn.k+p)*w+off, pn.k*w
	for n > 0 {
		c := min(w-off, n)
		clear(data[at : at+c])
		n -= c
		at += step - off
		off = 0
	}
}

// Dims returns op(A)'s rows and columns.
func (pa *PackedA) Dims() (m, k int) { return pa.p.n, pa.p.k }

// Dims returns op(B)'s rows and columns.
func (pb *PackedB) Dims() (k, n int) { return pb.p.k, pb.p.n }

// Valid reports whether pa holds an operand.
func (pa *PackedA) Valid() bool { return pa.kernel != "" }

// Valid reports whether pb holds an operand.
func (pb *PackedB) Valid() bool { return pb.kernel != "" }

func newPanels(dst []float32, n, k, w int) panels {
	size := panelsLen(n, k, w)
	if dst == nil {
		dst = make([]float32, size)
	}
	if len(dst) < size {
		panic(fmt.Sprintf("gemm: packing buffer has %d floats, need %d", len(dst), size))
	}
	return panels{n: n, k: k, w: w, data: dst[:size]}
}
