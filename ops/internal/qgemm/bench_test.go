package qgemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkProduct reports each kernel's multiply-adds per second on
// convolution-like products: 1x1 layers of MobileNetV2's sizes and 3x3
// layers of ResNet-18's (as K = 9·C), the operands in cache.
func BenchmarkProduct(b *testing.B) {
	shapes := []struct{ m, n, k int }{{96, 3136, 16}, {144, 784, 24}, {512, 64, 4608}, {64, 3136, 576}, {1280, 64, 320}, {1000, 1, 1280}}
	for _, k := range Kernels() {
		for _, s := range shapes {
			b.Run(fmt.Sprintf("%s/%dx%dx%d", k.Name, s.m, s.n, s.k), func(b *testing.B) {
				old := Use(k)
				defer Use(old)
				rng := rand.New(rand.NewPCG(1, 2))
				a := randMatrix(rng, s.m, s.k, true, fillRandom)
				bm := randMatrix(rng, s.k, s.n, false, fillRandom)
				kq, kIdx := Steps(s.k), Linear(s.k)
				pa := make([]byte, k.RowsLen(s.m, kq))
				k.PackRows(pa, make([]int32, k.RowPanels(s.m)*k.MR), a, s.m, kIdx, 0, k.RowPanels(s.m))
				pb := make([]byte, k.ColsLen(s.n, kq))
				k.PackCols(pb, make([]int32, k.ColPanels(s.n)*k.NR), Matrix{Data: bm.Data, RS: 1, CS: s.n}, s.n, kIdx, 0, k.ColPanels(s.n))
				e := randEpilogue(rng, k, s.m, s.n, Byte)
				out := make([]byte, s.m*s.n)
				p := Product{M: s.m, N: s.n, KQ: kq, A: pa, B: pb, Offs: k.PanelOffsets(kq), PanelStep: k.NR * 4 * kq,
					Hp: 1, Wp: s.n, H: 1, W: s.n, Out: out, Ldc: s.n, Ep: e}
				if err := p.Check(); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					p.Run(0, p.Tiles())
				}
				b.ReportMetric(float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
			})
		}
	}
}
