package imagecodec

// The inverse discrete wavelet transforms (T.800 annex F), reversible 5/3
// on integers and irreversible 9/7 on float32, and the inverse component
// transforms (annex G). The 9/7 lifting steps run in float32, one
// rounding per operation in the order openjpeg uses, so that the samples
// match its decoder's; float32(...) conversions keep the compiler from
// fusing multiplies and adds.

// 9/7 lifting coefficients (T.800 table F.4) and the scaling of the
// low-pass (K) and high-pass (1/K) samples. openjpeg scales high-pass
// samples by the constant 1.625732422, its rounding of 2/K for subbands
// whose step sizes it keeps half as large; 1.625732422/2 differs from
// 1/K by 3e-5 relative, which moves one sample in a thousand by one
// level, so it is used here too: PIL's pixels are the reference.
const (
	dwtAlpha = float32(-1.586134342)
	dwtBeta  = float32(-0.052980118)
	dwtGamma = float32(0.882911075)
	dwtDelta = float32(0.443506852)
	dwtK     = float32(1.230174105)
	dwtInvK  = float32(1.625732422 / 2)
)

// liftInt is one lifting step over an interleaved signal whose first
// sample has parity p0 on the component grid: every sample of parity par
// is updated from its two neighbours, mirrored at the ends.
func liftInt(s []int32, p0, par int, f func(x, a, b int32) int32) {
	n := len(s)
	for i := (par - p0) & 1; i < n; i += 2 {
		a, b := i-1, i+1
		if a < 0 {
			a = 1
		}
		if b >= n {
			b = n - 2
		}
		s[i] = f(s[i], s[a], s[b])
	}
}

// idwt53Line is the reversible 1D synthesis of an interleaved signal.
func idwt53Line(s []int32, p0 int) {
	if len(s) == 1 {
		if p0 == 1 {
			s[0] /= 2
		}
		return
	}
	liftInt(s, p0, 0, func(x, a, b int32) int32 { return x - (a+b+2)>>2 })
	liftInt(s, p0, 1, func(x, a, b int32) int32 { return x + (a+b)>>1 })
}

// liftFloat is liftInt's float32 twin for the 9/7 steps: x += c*(a+b).
func liftFloat(s []float32, p0, par int, c float32) {
	n := len(s)
	for i := (par - p0) & 1; i < n; i += 2 {
		a, b := i-1, i+1
		if a < 0 {
			a = 1
		}
		if b >= n {
			b = n - 2
		}
		s[i] += float32(c * float32(s[a]+s[b]))
	}
}

// idwt97Line is the irreversible 1D synthesis of an interleaved signal.
func idwt97Line(s []float32, p0 int) {
	if len(s) == 1 {
		if p0 == 1 {
			s[0] /= 2
		}
		return
	}
	for i := range s {
		if (i+p0)&1 == 0 {
			s[i] *= dwtK
		} else {
			s[i] *= dwtInvK
		}
	}
	liftFloat(s, p0, 0, -dwtDelta)
	liftFloat(s, p0, 1, -dwtGamma)
	liftFloat(s, p0, 0, -dwtBeta)
	liftFloat(s, p0, 1, -dwtAlpha)
}

// interleave writes the low samples lo and the high samples hi into dst
// alternately, starting with a high one when p0 is odd.
func interleave[T any](dst, lo, hi []T, p0 int) {
	if p0 == 0 {
		for i, v := range lo {
			dst[2*i] = v
		}
		for i, v := range hi {
			dst[2*i+1] = v
		}
		return
	}
	for i, v := range hi {
		dst[2*i] = v
	}
	for i, v := range lo {
		dst[2*i+1] = v
	}
}

// idwtRows53 runs the vertical 5/3 synthesis with whole rows as
// samples: rows[i] is row i of the interleaved signal.
func idwtRows53(rows [][]int32, p0 int) {
	n := len(rows)
	if n == 1 {
		if p0 == 1 {
			for x := range rows[0] {
				rows[0][x] /= 2
			}
		}
		return
	}
	step := func(par int, f func(x, a, b int32) int32) {
		for i := (par - p0) & 1; i < n; i += 2 {
			a, b := i-1, i+1
			if a < 0 {
				a = 1
			}
			if b >= n {
				b = n - 2
			}
			r, ra, rb := rows[i], rows[a], rows[b]
			for x := range r {
				r[x] = f(r[x], ra[x], rb[x])
			}
		}
	}
	step(0, func(x, a, b int32) int32 { return x - (a+b+2)>>2 })
	step(1, func(x, a, b int32) int32 { return x + (a+b)>>1 })
}

// idwtRows97 is idwtRows53 for the 9/7 transform.
func idwtRows97(rows [][]float32, p0 int) {
	n := len(rows)
	if n == 1 {
		if p0 == 1 {
			for x := range rows[0] {
				rows[0][x] /= 2
			}
		}
		return
	}
	for i, r := range rows {
		k := dwtK
		if (i+p0)&1 != 0 {
			k = dwtInvK
		}
		for x := range r {
			r[x] *= k
		}
	}
	step := func(par int, c float32) {
		for i := (par - p0) & 1; i < n; i += 2 {
			a, b := i-1, i+1
			if a < 0 {
				a = 1
			}
			if b >= n {
				b = n - 2
			}
			r, ra, rb := rows[i], rows[a], rows[b]
			ra, rb = ra[:len(r)], rb[:len(r)]
			for x := range r {
				r[x] += float32(c * float32(ra[x]+rb[x]))
			}
		}
	}
	step(0, -dwtDelta)
	step(1, -dwtGamma)
	step(0, -dwtBeta)
	step(1, -dwtAlpha)
}

// idwt inverts the wavelet transform of a tile-component whose subbands
// sit in buf (stride tc.x1-tc.x0) as buildTileComp laid them out, for
// either sample type.
func idwt[T int32 | float32](tc *j2kTileComp, buf []T, line func([]T, int), rows func([][]T, int)) {
	stride := tc.x1 - tc.x0
	var tmp []T
	var rowTmp [][]T
	for r := 1; r < len(tc.res); r++ {
		res := &tc.res[r]
		w, h := res.x1-res.x0, res.y1-res.y0
		if w == 0 || h == 0 {
			continue
		}
		lw, lh := ceilShift(res.x1, 1)-ceilShift(res.x0, 1), ceilShift(res.y1, 1)-ceilShift(res.y0, 1)
		if cap(tmp) < w*h { // a row for the horizontal pass, all rows for the vertical
			tmp = make([]T, w*h)
		}
		line0 := tmp[:w]
		for y := range h {
			row := buf[y*stride : y*stride+w]
			interleave(line0, row[:lw], row[lw:], res.x0&1)
			line(line0, res.x0&1)
			copy(row, line0)
		}
		// Vertical: gather the rows in interleaved order, then lift.
		all := tmp[:w*h]
		rowTmp = rowTmp[:0]
		for i := range h {
			rowTmp = append(rowTmp, all[i*w:(i+1)*w])
		}
		src := func(i int) []T { return buf[i*stride : i*stride+w] }
		p0 := res.y0 & 1
		for i := range h {
			var k int
			if (i+p0)&1 == 0 {
				k = (i+p0)/2 - p0 // low row
			} else {
				k = lh + (i+p0)/2 // high row
			}
			copy(rowTmp[i], src(k))
		}
		rows(rowTmp, p0)
		for i := range h {
			copy(src(i), rowTmp[i])
		}
	}
}

// rctInverse undoes the reversible component transform in place.
func rctInverse(c0, c1, c2 []int32) {
	c1, c2 = c1[:len(c0)], c2[:len(c0)]
	for i, y := range c0 {
		g := y - (c1[i]+c2[i])>>2
		c0[i], c1[i], c2[i] = c2[i]+g, g, c1[i]+g
	}
}

// ictInverse undoes the irreversible component transform in place.
func ictInverse(c0, c1, c2 []float32) {
	c1, c2 = c1[:len(c0)], c2[:len(c0)]
	for i, y := range c0 {
		u, v := c1[i], c2[i]
		r := y + float32(v*1.402)
		g := y - float32(u*0.34413) - float32(v*0.71414)
		b := y + float32(u*1.772)
		c0[i], c1[i], c2[i] = r, g, b
	}
}
