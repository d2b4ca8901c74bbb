package qgemm

// Packing: A's rows into panels once (weights at load, activations per
// run for a matrix product), a constant B's columns into panels, and a
// convolution's input into columns (Interleave4).
//
// Both take their values through kIdx, which maps packed depth index i
// (k step i/4, byte i%4) to the source's k, or -1 for a padding position
// (packed as 0): a convolution orders its taps outer and its channels,
// padded to fours, inner, so that a k step is four channels of one tap.

// Linear is the identity k map of depth k, padded to a multiple of four.
func Linear(k int) []int32 {
	idx := make([]int32, Steps(k)*4)
	for i := range idx {
		idx[i] = -1
		if i < k {
			idx[i] = int32(i)
		}
	}
	return idx
}

// Steps is the number of k steps of depth k.
func Steps(k int) int { return (k + 3) / 4 }

// Matrix is a matrix of 8-bit values: element (i, k) at Data[i*RS+k*CS],
// int8 when Signed, else uint8.
type Matrix struct {
	Data   []byte
	RS, CS int
	Signed bool
}

// at is element (i, k) as int32.
func (m *Matrix) at(i, k int) int32 {
	v := m.Data[i*m.RS+k*m.CS]
	if m.Signed {
		return int32(int8(v))
	}
	return int32(v)
}

// RowPanels is the number of MR-row panels of m rows.
func (k *Kernel) RowPanels(m int) int { return (m + k.MR - 1) / k.MR }

// ColPanels is the number of NR-column panels of n columns.
func (k *Kernel) ColPanels(n int) int { return (n + k.NR - 1) / k.NR }

// RowsLen is the bytes of m rows packed over kq steps; the row sums and
// per-row vectors of an epilogue hold RowPanels(m)·MR values.
func (k *Kernel) RowsLen(m, kq int) int { return k.RowPanels(m) * k.MR * k.rowDepth(kq) }

// rowDepth is the bytes of one packed row over kq steps: 4·kq, or for
// the AMX kernel, whose A tiles are 16 steps deep, 4·kq rounded up to 64
// (the padding zeros).
func (k *Kernel) rowDepth(kq int) int {
	if k.id == idAMX {
		return (kq + 15) / 16 * 64
	}
	return 4 * kq
}

// ColsLen is the bytes of n columns packed over kq steps; the column sums
// and per-column vectors of an epilogue hold ColPanels(n)·NR values.
func (k *Kernel) ColsLen(n, kq int) int { return k.ColPanels(n) * k.NR * 4 * kq }

// Flip is the byte that turns values of signedness signed into the
// kernel's for columns (cols) or rows: 0x80 when they differ (adding or
// removing the bias of 128), else 0. A zero point moves with its values:
// Shift gives by how much.
func (k *Kernel) Flip(signed, cols bool) byte {
	want := !cols || k.ColsSigned
	if signed == want {
		return 0
	}
	return 0x80
}

// Shift is what Flip adds to values of signedness signed: -128 (uint8 to
// int8), +128 (int8 to uint8) or 0.
func (k *Kernel) Shift(signed, cols bool) int32 {
	switch {
	case k.Flip(signed, cols) == 0:
		return 0
	case signed:
		return 128
	}
	return -128
}

// PackRows packs rows [p0·MR, p1·MR) of the m rows of src (row panels p0
// to p1) as int8 into dst (panel p at RowsLen(MR, kq) bytes from the
// previous, kq = len(kIdx)/4), and the sum of each packed row's values
// into sums (rows past m are zeros). kIdx maps depth to src's k (see
// Linear). A panel holds, for each k step, its MR rows' four bytes; the
// AMX kernel's, for each block of 16 steps, two tiles of 16 rows of the
// block's 64 bytes (row r of the panel at (r/16)·1024 + (r%16)·64), the
// last block padded with zeros.
func (k *Kernel) PackRows(dst []byte, sums []int32, src Matrix, m int, kIdx []int32, p0, p1 int) {
	flip := k.Flip(src.Signed, false)
	mr, plen := k.MR, k.RowsLen(k.MR, len(kIdx)/4)
	amx := k.id == idAMX
	for p := p0; p < p1; p++ {
		panel := dst[p*plen : (p+1)*plen]
		if amx {
			clear(panel)
		}
		for r := range mr {
			i := p*mr + r
			sum := int32(0)
			for d, kk := range kIdx {
				v := byte(0)
				if i < m && kk >= 0 {
					v = src.Data[i*src.RS+int(kk)*src.CS] ^ flip
				}
				if amx {
					panel[d/64*mr*64+r/16*1024+r%16*64+d%64] = v
				} else {
					panel[(d/4)*mr*4+r*4+d%4] = v
				}
				sum += int32(int8(v))
			}
			sums[i] = sum
		}
	}
}

// PackCols packs column panels [q0, q1) of the n columns of src (element
// (k, j) is src's (j, k): give a K×N matrix with RS and CS swapped) into
// dst (panel q at q·NR·len(kIdx) bytes, step s at s·NR·4 within it), in the
// kernel's signedness, and the sum of each packed column's values into
// sums (columns past n are zeros).
func (k *Kernel) PackCols(dst []byte, sums []int32, src Matrix, n int, kIdx []int32, q0, q1 int) {
	flip := k.Flip(src.Signed, true)
	nr, depth := k.NR, len(kIdx)
	for q := q0; q < q1; q++ {
		panel := dst[q*nr*depth : (q+1)*nr*depth]
		for c := range nr {
			j := q*nr + c
			sum := int32(0)
			for d, kk := range kIdx {
				v := byte(0)
				if j < n && kk >= 0 {
					v = src.Data[j*src.RS+int(kk)*src.CS] ^ flip
				}
				panel[(d/4)*nr*4+c*4+d%4] = v
				sum += value(v, k.ColsSigned)
			}
			sums[j] = sum
		}
	}
}

// PanelOffsets are the step offsets of packed column panels over kq steps.
func (k *Kernel) PanelOffsets(kq int) []int32 {
	offs := make([]int32, kq)
	for s := range offs {
		offs[s] = int32(s * k.NR * 4)
	}
	return offs
}

// blockStrides returns, for each block of 16 k steps at offs, the
// distance between its steps where they are evenly spaced (and nonzero),
// else 0 (a short last block too).
func blockStrides(offs []int32) []int32 {
	st := make([]int32, (len(offs)+15)/16)
	for i := range st {
		s0 := 16 * i
		if len(offs)-s0 < 16 {
			continue
		}
		d := offs[s0+1] - offs[s0]
		for j := s0 + 2; j < s0+16 && d != 0; j++ {
			if offs[j]-offs[j-1] != d {
				d = 0
			}
		}
		st[i] = d
	}
	return st
}
