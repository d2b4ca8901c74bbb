package hgemm

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// The GEMV form serves a fully connected layer at batch 1: y = W x for W
// (N x K, a Gemm's B given transposed) packed once in fp16 in panels of NR
// outputs (PackW), x converted to fp16 once per product, each panel's 8
// outputs summed in one fp16 vector by FMLA by element (8 multiply-adds
// per instruction where the float32 GEMV does 4), blocks of KC steps
// added in float32.

// PackW packs W (n x k, rows ldw floats apart) in fp16 for Gemv: panels
// of NR rows, K rounded up to 8 steps (zeros past k).
func PackW(n, k int, w []float32, ldw int) PackedB {
	if n > 0 && k > 0 && (ldw < k || len(w) < (n-1)*ldw+k) {
		panic(fmt.Sprintf("hgemm: W is %d floats with stride %d, too small for %dx%d", len(w), ldw, n, k))
	}
	kp := ceilDiv(k, 8) * 8
	pb := PackedB{k: k, n: n, data: make([]uint16, ceilDiv(n, NR)*NR*kp)}
	for j := range n {
		panel := pb.data[j/NR*NR*kp:]
		for p, v := range w[j*ldw : j*ldw+k] {
			panel[p*NR+j%NR] = onnx.F32ToF16(v)
		}
	}
	return pb
}

// GemvWorkLen is the halves of work Gemv needs for k: x in fp16.
func GemvWorkLen(k int) int { return ceilDiv(k, 8) * 8 }

// Gemv computes y (w's n values) = W x followed by ep (applied to y as a
// 1 x n row), with work (GemvWorkLen halves) for x in fp16, spreading
// panels of outputs over par (nil runs serially) through r.
func (r *GemvRunner) Gemv(par Parallel, w *PackedB, x, y []float32, work []uint16, ep *gemm.Epilogue) {
	k, n := w.Dims()
	kp := ceilDiv(k, 8) * 8
	if len(x) < k || len(y) < n || len(work) < kp || len(w.data) < ceilDiv(n, NR)*NR*kp {
		panic(fmt.Sprintf("hgemm: Gemv given %d x, %d y, %d work for %dx%d", len(x), len(y), len(work), n, k))
	}
	x16 := work[:kp]
	if k >= MR {
		packPanelA(k/MR, x, MR, x16) // MR floats a step, contiguous
	}
	for i := k / MR * MR; i < kp; i++ {
		x16[i] = 0
		if i < k {
			x16[i] = onnx.F32ToF16(x[i])
		}
	}
	panels := ceilDiv(n, NR)
	r.w, r.x16, r.y, r.kp = w, x16, y, kp
	if par == nil || par.Threads() <= 1 || n*k < 1<<16 {
		r.panels(0, panels)
	} else {
		if r.fn == nil {
			r.fn = r.panels
		}
		par.For(panels, max(1, panels/(4*par.Threads())), r.fn)
	}
	r.w, r.x16, r.y = nil, nil, nil
	if !empty(ep) {
		ep.Apply(y, n, 0, 1, 0, n)
	}
}

// GemvRunner runs Gemv, keeping the closure it hands to a Parallel. It
// must not run two products at once.
type GemvRunner struct {
	w   *PackedB
	x16 []uint16
	y   []float32
	kp  int
	fn  func(lo, hi int)
}

// panels computes the outputs of panels [lo, hi).
func (r *GemvRunner) panels(lo, hi int) {
	k, n := r.w.Dims()
	kc := ceilDiv(max(KC, 8), 8) * 8
	for j := lo; j < hi; j++ {
		var tmp [NR]float32
		dst := tmp[:]
		if (j+1)*NR <= n {
			dst = r.y[j*NR:][:NR]
		}
		for pc := 0; pc == 0 || pc < k; pc += kc {
			kb := min(kc, r.kp-pc)
			gemvKernel(kb, r.w.data[(j*r.kp+pc)*NR:][:kb*NR], r.x16[pc:][:kb], dst, pc > 0)
		}
		if (j+1)*NR > n {
			copy(r.y[j*NR:n], tmp[:])
		}
	}
}

// gemvGo is gemvKernel in Go: dst (NR floats) = (or += when add) the
// fp16 sum over k steps of w's NR values times x's, each step a fused
// multiply-add rounded to fp16.
func gemvGo(k int, w, x []uint16, dst []float32, add bool) {
	var acc [NR]float64
	for p := range k {
		xv := float64(onnx.F16ToF32(x[p]))
		for l := range NR {
			acc[l] = RoundF16(acc[l] + float64(onnx.F16ToF32(w[p*NR+l]))*xv)
		}
	}
	for l, v := range acc {
		if add {
			dst[l] += float32(v)
		} else {
			dst[l] = float32(v)
		}
	}
}
