package qgemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestInterleave4 checks Interleave4 (each SIMD form this CPU runs, with
// the Go one for the strides and tails they leave, and Go alone) against
// a plain loop for every length up to 70, strides 1 to 3 and both flips,
// with guard bands around the output.
func TestInterleave4(t *testing.T) {
	defer func(f interleaveFunc) { interleave4 = f }(interleave4)
	for i, f := range append(interleavers(), nil) {
		interleave4 = f
		t.Run(fmt.Sprint(i), checkInterleave4)
	}
}

// checkInterleave4 is TestInterleave4 with one Interleave4.
func checkInterleave4(tb *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, stride := range []int{1, 2, 3} {
		for n := range 71 {
			for _, flip := range []byte{0, 0x80} {
				var src [4][]byte
				for i := range src {
					src[i] = make([]byte, max(0, (n-1)*stride+1))
					for j := range src[i] {
						src[i][j] = byte(rng.IntN(256))
					}
				}
				full, dst := banded(4 * n)
				Interleave4(dst, src[0], src[1], src[2], src[3], n, stride, flip)
				label := fmt.Sprintf("n %d stride %d flip %#x", n, stride, flip)
				for i := range n {
					for t := range 4 {
						if want := src[t][i*stride] ^ flip; dst[4*i+t] != want {
							tb.Fatalf("%s: column %d byte %d is %#x, want %#x", label, i, t, dst[4*i+t], want)
						}
					}
				}
				checkSentinels(tb, label, full[:guardBytes])
				checkSentinels(tb, label, full[len(full)-guardBytes:])
			}
		}
	}
}

// TestFill4AndCopyFlip checks the padding fill and the flipping copy for
// every length up to 70.
func TestFill4AndCopyFlip(t *testing.T) {
	for n := range 71 {
		full, dst := banded(4 * n)
		Fill4(dst, 0x04030201)
		for i, v := range dst {
			if v != byte(i%4+1) {
				t.Fatalf("Fill4 of %d quads: byte %d is %d", n, i, v)
			}
		}
		checkSentinels(t, "Fill4", full[:guardBytes])
		checkSentinels(t, "Fill4", full[len(full)-guardBytes:])
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(i * 37)
		}
		full, dst = banded(n)
		CopyFlip(dst, src, 0x80)
		for i, v := range dst {
			if v != src[i]^0x80 {
				t.Fatalf("CopyFlip of %d bytes: byte %d is %d", n, i, v)
			}
		}
		checkSentinels(t, "CopyFlip", full[:guardBytes])
		checkSentinels(t, "CopyFlip", full[len(full)-guardBytes:])
	}
}

// TestInterleave4Rows checks Interleave4Rows (the SIMD form this CPU
// runs, and row by row) against a plain loop for 1 to 3 rows of up to 40
// columns, strides 1 to 3, sources that end at the last row's last column
// or run on, and both flips, with guard bands around the output and
// between its rows.
func TestInterleave4Rows(t *testing.T) {
	defer func(f interleaveRowsFunc) { interleaveRows = f }(interleaveRows)
	for i, f := range []interleaveRowsFunc{interleaveRows, nil} {
		interleaveRows = f
		t.Run(fmt.Sprint(i), checkInterleave4Rows)
	}
}

// checkInterleave4Rows is TestInterleave4Rows with one Interleave4Rows.
func checkInterleave4Rows(tb *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const gap = 3 // quads between output rows
	for _, stride := range []int{1, 2, 3} {
		for rows := 1; rows <= 3; rows++ {
			for n := 1; n <= 40; n++ {
				for _, more := range []int{0, 5} {
					flip := byte(n%2) * 0x80
					lds, ldd := (n-1)*stride+1+more, 4*(n+gap)
					var src [4][]byte
					for i := range src {
						src[i] = make([]byte, (rows-1)*lds+(n-1)*stride+1+more)
						for j := range src[i] {
							src[i][j] = byte(rng.IntN(256))
						}
					}
					full, dst := banded((rows-1)*ldd + 4*n)
					for i := range dst {
						dst[i] = 0xA5
					}
					Interleave4Rows(dst, src[0], src[1], src[2], src[3], n, stride, flip, rows, lds, ldd)
					label := fmt.Sprintf("%d rows of %d stride %d, sources %d more", rows, n, stride, more)
					for r := range rows {
						for i := range 4 * (n + gap) {
							if r*ldd+i >= len(dst) {
								break
							}
							want := byte(0xA5)
							if i < 4*n {
								want = src[i%4][r*lds+i/4*stride] ^ flip
							}
							if got := dst[r*ldd+i]; got != want {
								tb.Fatalf("%s: row %d byte %d is %#x, want %#x", label, r, i, got, want)
							}
						}
					}
					checkSentinels(tb, label, full[:guardBytes])
					checkSentinels(tb, label, full[len(full)-guardBytes:])
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			tb.Error("Interleave4Rows of short sources did not panic")
		}
	}()
	Interleave4Rows(make([]byte, 64), make([]byte, 20), make([]byte, 20), make([]byte, 19), make([]byte, 20), 8, 1, 0, 2, 12, 32)
}
