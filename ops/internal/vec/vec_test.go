package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// guard is the number of NaN sentinels on each side of a tested buffer.
const guard = 16

// guarded returns a buffer of n random values (some NaN when nans is set)
// inside NaN guard bands, and the middle part.
func guarded(rng *rand.Rand, n int, nans bool) (full, mid []float32) {
	full = make([]float32, n+2*guard)
	for i := range full {
		full[i] = float32(math.NaN())
	}
	mid = full[guard : guard+n]
	for i := range mid {
		mid[i] = rng.Float32()*2 - 1
		if nans && rng.IntN(7) == 0 {
			mid[i] = float32(math.NaN())
		}
	}
	return full, mid
}

// same reports whether a and b are equal or both NaN.
func same(a, b float32) bool { return a == b || a != a && b != b }

// TestMax checks Max against Go's max for every length up to 70, NaN in
// either operand included, with NaN guard bands around dst (which must
// stay NaN: the assembly writes nothing outside dst), and in place with
// src overlapping dst one to three values ahead.
func TestMax(t *testing.T) {
	rng := rand.New(rand.NewPCG(81, 82))
	for n := range 71 {
		for _, nans := range []bool{false, true} {
			full, dst := guarded(rng, n, nans)
			_, src := guarded(rng, n, nans)
			want := make([]float32, n)
			for i := range want {
				want[i] = max(dst[i], src[i])
			}
			Max(dst, src)
			for i, v := range full {
				if off := i - guard; off < 0 || off >= n {
					if v == v {
						t.Fatalf("n %d: sentinel at offset %d overwritten with %v", n, off, v)
					}
				} else if !same(v, want[off]) {
					t.Fatalf("n %d nans %v: dst[%d] = %v, want %v", n, nans, off, v, want[off])
				}
			}
		}
		for shift := 1; shift <= 3; shift++ {
			full, buf := guarded(rng, n+shift, false)
			want := make([]float32, n)
			for i := range want {
				want[i] = max(buf[i], buf[i+shift])
			}
			Max(buf[:n], buf[shift:])
			for i, w := range want {
				if buf[i] != w {
					t.Fatalf("n %d shift %d: dst[%d] = %v, want %v", n, shift, i, buf[i], w)
				}
			}
			if v := full[guard+n+shift]; v == v {
				t.Fatalf("n %d shift %d: sentinel after src overwritten", n, shift)
			}
		}
	}
}

// BenchmarkMax is one pass over a 112-wide row, ResNet's stem pool.
func BenchmarkMax(b *testing.B) {
	for _, n := range []int{112, 4096} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dst, src := make([]float32, n), make([]float32, n)
			b.SetBytes(int64(8 * n))
			for range b.N {
				Max(dst, src)
			}
		})
	}
}

// TestGather checks Gather against a plain loop for strides 1 to 3 and
// every length up to 70, with src exactly as long as it must be and NaN
// guard bands around dst.
func TestGather(t *testing.T) {
	rng := rand.New(rand.NewPCG(83, 84))
	for _, stride := range []int{1, 2, 3} {
		for n := range 71 {
			_, src := guarded(rng, max(0, (n-1)*stride+1), false)
			full, dst := guarded(rng, n, false)
			Gather(dst, src, stride)
			for i, v := range full {
				off := i - guard
				switch {
				case off < 0 || off >= n:
					if v == v {
						t.Fatalf("stride %d n %d: sentinel at offset %d overwritten with %v", stride, n, off, v)
					}
				case v != src[off*stride]:
					t.Fatalf("stride %d n %d: dst[%d] = %v, want %v", stride, n, off, v, src[off*stride])
				}
			}
		}
	}
}

// TestTranspose checks Transpose against the definition for every shape up
// to 19x19 (whole 8x8 blocks and every tail) with padded strides, and NaN
// guard bands around dst, between its rows too.
func TestTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(85, 86))
	for rows := range 20 {
		for cols := range 20 {
			lds, ldd := cols+3, rows+5
			_, src := guarded(rng, max(0, (rows-1)*lds+cols), false)
			full, dst := guarded(rng, max(0, (cols-1)*ldd+rows), false)
			for i := range dst {
				dst[i] = float32(math.NaN())
			}
			Transpose(dst, ldd, src, lds, rows, cols)
			for i, v := range full {
				off := i - guard
				j, r := off/max(ldd, 1), off%max(ldd, 1)
				inside := off >= 0 && off < len(dst) && r < rows && j < cols
				switch {
				case !inside && v == v:
					t.Fatalf("%dx%d: sentinel at offset %d overwritten with %v", rows, cols, off, v)
				case inside && v != src[r*lds+j]:
					t.Fatalf("%dx%d: dst[%d][%d] = %v, want %v", rows, cols, j, r, v, src[r*lds+j])
				}
			}
		}
	}
}

// BenchmarkTranspose transposes a 196 x 1024 product (ResNet's 14x14
// layers, computed transposed) into channels x positions.
func BenchmarkTranspose(b *testing.B) {
	rows, cols := 196, 1024
	src, dst := make([]float32, rows*cols), make([]float32, rows*cols)
	b.SetBytes(int64(8 * rows * cols))
	for range b.N {
		Transpose(dst, rows, src, cols, rows, cols)
	}
}

// TestMax3x3 checks Max3x3S1, Max3x3S2 and Max3S2 (Max3x3S2's one-row
// form) against Go's max for every length up to 70, NaN included, with
// rows exactly as long as they must be and NaN guard bands around dst.
func TestMax3x3(t *testing.T) {
	rng := rand.New(rand.NewPCG(87, 88))
	for _, c := range []struct {
		name   string
		stride int
		one    bool
	}{{"Max3x3S1", 1, false}, {"Max3x3S2", 2, false}, {"Max3S2", 2, true}} {
		for n := range 71 {
			for _, nans := range []bool{false, true} {
				var rows [3][]float32
				for r := range rows {
					_, rows[r] = guarded(rng, max(0, c.stride*n+3-c.stride), nans && r == n%3)
				}
				full, dst := guarded(rng, n, false)
				switch {
				case c.one:
					Max3S2(dst, rows[0])
				case c.stride == 1:
					Max3x3S1(dst, rows[0], rows[1], rows[2])
				default:
					Max3x3S2(dst, rows[0], rows[1], rows[2])
				}
				for i, v := range full {
					off := i - guard
					if off < 0 || off >= n {
						if v == v {
							t.Fatalf("%s n %d: sentinel at offset %d overwritten with %v", c.name, n, off, v)
						}
						continue
					}
					w := float32(math.Inf(-1))
					for r, row := range rows {
						if c.one && r > 0 {
							break
						}
						at := c.stride * off
						w = max(w, row[at], row[at+1], row[at+2])
					}
					if !same(v, w) {
						t.Fatalf("%s n %d nans %v: dst[%d] = %v, want %v", c.name, n, nans, off, v, w)
					}
				}
			}
		}
	}
}

// TestMax3x3S2Rows checks Max3x3S2Rows against the nine values of each
// window: n up to 21 outputs a row (NEON's blocks of 4 and the one that
// overlaps the last), 1 to 3 rows, rows of the plane 2n+1 and 2n+4
// values apart, NaNs among the values (which must come out as NaN), and
// output rows n+3 apart: the gaps between them and the guard bands
// around them keep their NaN sentinels. Short operands panic.
func TestMax3x3S2Rows(t *testing.T) {
	rng := rand.New(rand.NewPCG(89, 90))
	for n := 1; n <= 21; n++ {
		for rows := 1; rows <= 3; rows++ {
			for _, pad := range []int{0, 3} {
				w, ldd := 2*n+1+pad, n+3
				_, src := guarded(rng, 2*rows*w+2*n+1, n%2 == 0)
				full, dst := guarded(rng, (rows-1)*ldd+n, false)
				for i := range dst {
					if i%ldd >= n {
						dst[i] = float32(math.NaN())
					}
				}
				Max3x3S2Rows(dst, ldd, src, w, n, rows)
				what := fmt.Sprintf("n %d rows %d w %d", n, rows, w)
				for i, v := range full {
					off := i - guard
					if off < 0 || off >= len(dst) || off%ldd >= n {
						if v == v {
							t.Fatalf("%s: sentinel at offset %d overwritten with %v", what, off, v)
						}
						continue
					}
					r, c := off/ldd, off%ldd
					want := float32(math.Inf(-1))
					for k := range 3 {
						row := src[(2*r+k)*w+2*c:]
						want = max(want, row[0], row[1], row[2])
					}
					if !same(v, want) {
						t.Fatalf("%s: dst[%d][%d] = %v, want %v", what, r, c, v, want)
					}
				}
			}
		}
	}
	for name, f := range map[string]func(){
		"short src": func() { Max3x3S2Rows(make([]float32, 9), 4, make([]float32, 2*2*9+8), 9, 4, 2) },
		"short dst": func() { Max3x3S2Rows(make([]float32, 7), 4, make([]float32, 2*2*9+9), 9, 4, 2) },
		"ldd":       func() { Max3x3S2Rows(make([]float32, 9), 3, make([]float32, 2*2*9+9), 9, 4, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Max3x3S2Rows %s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// near reports whether got is within a few float32 roundings of the
// float64 value want, given the magnitude mag of the terms that made it
// (the assembly may fuse a multiply-add where Go rounds twice).
func near(got float32, want, mag float64) bool {
	return math.Abs(float64(got)-want) <= 1e-6*mag
}

// TestLerp checks Lerp against float64 arithmetic for every length up to
// 70, with x and y exactly as long as dst, NaN guard bands around dst, and
// NaN propagating from either operand.
func TestLerp(t *testing.T) {
	rng := rand.New(rand.NewPCG(89, 90))
	for n := range 71 {
		for _, nans := range []bool{false, true} {
			_, x := guarded(rng, n, nans)
			_, y := guarded(rng, n, false)
			full, dst := guarded(rng, n, false)
			a, b := rng.Float32()*3-1, rng.Float32()*3-1
			Lerp(dst, x, y, a, b)
			for i, v := range full {
				off := i - guard
				if off < 0 || off >= n {
					if v == v {
						t.Fatalf("n %d: sentinel at offset %d overwritten with %v", n, off, v)
					}
					continue
				}
				xa, yb := float64(a)*float64(x[off]), float64(b)*float64(y[off])
				if x[off] != x[off] {
					if v == v {
						t.Fatalf("n %d: dst[%d] = %v from a NaN x, want NaN", n, off, v)
					}
					continue
				}
				if !near(v, xa+yb, math.Abs(xa)+math.Abs(yb)) {
					t.Fatalf("n %d: dst[%d] = %v, want %v", n, off, v, xa+yb)
				}
			}
		}
	}
}

// TestAxpy checks Axpy against float64 arithmetic for every length up to
// 70, with x exactly as long as dst and NaN guard bands around dst.
func TestAxpy(t *testing.T) {
	rng := rand.New(rand.NewPCG(91, 92))
	for n := range 71 {
		_, x := guarded(rng, n, false)
		full, dst := guarded(rng, n, false)
		before := append([]float32(nil), dst...)
		a := rng.Float32()*3 - 1
		Axpy(dst, x, a)
		for i, v := range full {
			off := i - guard
			if off < 0 || off >= n {
				if v == v {
					t.Fatalf("n %d: sentinel at offset %d overwritten with %v", n, off, v)
				}
				continue
			}
			xa := float64(a) * float64(x[off])
			if want := float64(before[off]) + xa; !near(v, want, math.Abs(xa)+math.Abs(float64(before[off]))) {
				t.Fatalf("n %d: dst[%d] = %v, want %v", n, off, v, want)
			}
		}
	}
}

// BenchmarkLerp blends two 80-wide rows (a bilinear 2x resize of an
// 80x80 map) and two long ones.
func BenchmarkLerp(b *testing.B) {
	for _, n := range []int{80, 4096} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dst, x, y := make([]float32, n), make([]float32, n), make([]float32, n)
			b.SetBytes(int64(12 * n))
			for range b.N {
				Lerp(dst, x, y, 0.25, 0.75)
			}
		})
	}
}
