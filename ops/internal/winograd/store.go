package winograd

import (
	"fmt"
	"math"
)

// Store writes the first n (at most Lanes) output tiles Output left in o
// to y, row a of tile l to y[offs[l]+a*ldy:][:Out], each value v as
// min(max(v+bias[l], lo), hi) (a NaN stays NaN): the output tiles moved
// to their places in the output planes with a convolution's bias and
// clip on the way, in place of a copy and a second pass over the planes.
// A tile whose offset is negative is skipped. bias nil adds nothing; lo
// -Inf and hi +Inf clip nothing.
func Store(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
	if n < 0 || n > Lanes || len(o) < n*Out*Out {
		panic(fmt.Sprintf("winograd: store of %d tiles from %d floats", n, len(o)))
	}
	for _, off := range offs[:n] {
		if off >= 0 && (ldy < Out || int(off)+(Out-1)*ldy+Out > len(y)) {
			panic(fmt.Sprintf("winograd: store of a tile at %d in %d floats (row %d)", off, len(y), ldy))
		}
	}
	if bias == nil {
		bias = &noBias
	}
	if n > 0 {
		storeAsm(y, offs, ldy, o, n, bias, lo, hi)
	}
}

// noBias is the bias of a Store without one.
var noBias [Lanes]float32

// storeGo is Store's loop in Go.
func storeGo(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
	for l := range n {
		if offs[l] < 0 {
			continue
		}
		for a := range Out {
			row := y[int(offs[l])+a*ldy:][:Out]
			for b, v := range o[(l*Out+a)*Out:][:Out] {
				row[b] = clip(v+bias[l], lo, hi)
			}
		}
	}
}

// clip is min(max(v, lo), hi), NaN when v is NaN.
func clip(v, lo, hi float32) float32 {
	if math.IsNaN(float64(v)) {
		return v
	}
	return min(max(v, lo), hi)
}
