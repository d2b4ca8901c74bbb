package signal

import (
	"math"
	"math/bits"
)

// fftPlan computes unnormalized discrete Fourier transforms of one length
// n in one direction: y[k] = sum over j of x[j] exp(∓2πi jk/n), minus in
// the exponent forward and plus inverse. A power-of-two length runs the
// iterative radix-2 FFT; any other length Bluestein's algorithm, which
// rewrites the transform as a convolution with a chirp computed by
// power-of-two FFTs of at least 2n-1 points: O(n log n) for every n. The
// twiddles and the chirp's transform are made once, in float64.
type fftPlan struct {
	n   int
	tw  []complex128 // power of two: exp(∓2πi k/n) for k < n/2
	sub *fftPlan     // Bluestein: the forward power-of-two plan of m points
	// Bluestein: chirp[k] = exp(∓πi k²/n), and the transform of the
	// conjugate chirp laid out for a circular convolution of m points.
	chirp, kernel []complex128
}

// newFFTPlan plans transforms of length n >= 1.
func newFFTPlan(n int, inverse bool) *fftPlan {
	sign := -1.0
	if inverse {
		sign = 1
	}
	p := &fftPlan{n: n}
	if n&(n-1) == 0 {
		p.tw = make([]complex128, n/2)
		for k := range p.tw {
			s, c := math.Sincos(sign * 2 * math.Pi * float64(k) / float64(n))
			p.tw[k] = complex(c, s)
		}
		return p
	}
	m := 1 << bits.Len(uint(2*n-2))
	p.sub = newFFTPlan(m, false)
	p.chirp = make([]complex128, n)
	p.kernel = make([]complex128, m)
	for k := range n {
		// k² mod 2n keeps the angle small, so it stays exact for large k.
		q := uint64(k) * uint64(k) % uint64(2*n)
		s, c := math.Sincos(sign * math.Pi * float64(q) / float64(n))
		p.chirp[k] = complex(c, s)
		p.kernel[k] = complex(c, -s)
		if k > 0 {
			p.kernel[m-k] = complex(c, -s)
		}
	}
	p.sub.transform(p.kernel, nil)
	return p
}

// workLen is the number of complex values of work transform needs.
func (p *fftPlan) workLen() int {
	if p.sub == nil {
		return 0
	}
	return p.sub.n
}

// transform transforms a (n values) in place, using work (workLen values).
func (p *fftPlan) transform(a, work []complex128) {
	if p.sub == nil {
		p.radix2(a)
		return
	}
	m := p.sub.n
	w := work[:m]
	for k, c := range p.chirp {
		w[k] = a[k] * c
	}
	clear(w[p.n:])
	p.sub.transform(w, nil)
	for k, v := range p.kernel {
		w[k] = v * w[k]
	}
	// The inverse transform of w, as the conjugate of the forward one of
	// its conjugate, scaled by 1/m.
	for k, v := range w {
		w[k] = complex(real(v), -imag(v))
	}
	p.sub.transform(w, nil)
	scale := 1 / float64(m)
	for k, c := range p.chirp {
		v := w[k]
		a[k] = complex(real(v)*scale, -imag(v)*scale) * c
	}
}

// radix2 is the in-place iterative radix-2 FFT: the input in bit-reversed
// order, then log2(n) passes of butterflies.
func (p *fftPlan) radix2(a []complex128) {
	n := p.n
	a = a[:n]
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half, step := size/2, n/size
		for start := 0; start < n; start += size {
			lo, hi := a[start:start+half], a[start+half:start+size]
			for k := range lo {
				u, v := lo[k], hi[k]*p.tw[k*step]
				lo[k], hi[k] = u+v, u-v
			}
		}
	}
}
