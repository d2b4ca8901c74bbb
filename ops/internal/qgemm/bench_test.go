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
	shapes := []struct{ m, n, k int }{{96, 3136, 16}, {144, 784, 24}, {512, 64, 4608}, {64, 3136, 576}, {1280, 64, 320}, {1000, 1, 1280},
		{64, 12544, 147}, {128, 784, 1152}, {128, 784, 64}, {256, 196, 2304}, {512, 49, 4608}, {32, 12544, 27}, {64, 3136, 64}, {32, 784, 96}}
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

// BenchmarkDepthwise reports each kernel's depthwise 3x3 planes per
// second at MobileNetV2's sizes: stride 1 on 112x112 and 7x7 planes,
// stride 2 from 112x112, requantized to bytes.
func BenchmarkDepthwise(b *testing.B) {
	shapes := []struct{ c, h, s int }{{32, 112, 1}, {96, 112, 2}, {144, 56, 1}, {960, 7, 1}}
	for _, k := range Kernels() {
		for _, s := range shapes {
			b.Run(fmt.Sprintf("%s/%dx%dx%d-s%d", k.Name, s.c, s.h, s.h, s.s), func(b *testing.B) {
				old := Use(k)
				defer Use(old)
				rng := rand.New(rand.NewPCG(1, 2))
				src := randMatrix(rng, s.c, s.h*s.h, false, fillRandom).Data
				w := randMatrix(rng, s.c, 9, true, fillRandom).Data
				wt, sums := make([]byte, DepthwiseLen(s.c, 3, 3)), make([]int32, s.c)
				PackDepthwise(wt, sums, w, true, 3, 3, 0, s.c)
				e := randEpilogue(rng, k, s.c, 1, Byte)
				e.ColOff, e.ColMul, e.RowMul, e.ScaleCols = nil, nil, nil, false
				e.RowOff, e.Scale = make([]int32, s.c), make([]float32, s.c)
				for i := range e.Scale {
					e.Scale[i] = 0.001
				}
				o := (s.h-1)/s.s + 1
				d := Depthwise{C: s.c, H: s.h, W: s.h, PadT: 1, PadL: 1, Src: src, Zx: 3,
					KH: 3, KW: 3, SH: s.s, SW: s.s, DH: 1, DW: 1, OH: o, OW: o, Wt: wt, Out: make([]byte, s.c*o*o), Ep: e}
				if err := d.Check(); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					d.Run(0, s.c)
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/op")
			})
		}
	}
}

// BenchmarkConvOffsets reports each kernel's multiply-adds per second on
// products that read B through a convolution's offsets (channel quads c4
// apart under each tap of a 7x7 or 3x3 window): ResNet's first layer (3
// channels, one quad per tap) and a 3x3 layer of 64 channels.
func BenchmarkConvOffsets(b *testing.B) {
	shapes := []struct{ m, n, c4, taps int }{{64, 12544, 1, 49}, {64, 3136, 16, 9}, {128, 784, 8, 9}}
	for _, k := range Kernels() {
		for _, s := range shapes {
			b.Run(fmt.Sprintf("%s/%dx%dx%dx%d", k.Name, s.m, s.n, 4*s.c4, s.taps), func(b *testing.B) {
				old := Use(k)
				defer Use(old)
				rng := rand.New(rand.NewPCG(1, 2))
				kq := s.c4 * s.taps
				plane := k.ColPanels(s.n)*k.NR + 8*s.taps
				buf := randMatrix(rng, 1, s.c4*plane*4+64, false, fillRandom).Data
				offs := make([]int32, kq)
				for t := range s.taps {
					for q := range s.c4 {
						offs[t*s.c4+q] = int32(q*plane*4 + (t/7*112+t%7)*4%(8*s.taps*4))
					}
				}
				a := randMatrix(rng, s.m, 4*kq, true, fillRandom)
				pa := make([]byte, k.RowsLen(s.m, kq))
				k.PackRows(pa, make([]int32, k.RowPanels(s.m)*k.MR), a, s.m, Linear(4*kq), 0, k.RowPanels(s.m))
				e := randEpilogue(rng, k, s.m, s.n, Byte)
				out := make([]byte, s.m*s.n)
				p := Product{M: s.m, N: s.n, KQ: kq, A: pa, B: buf, Offs: offs, PanelStep: k.NR * 4,
					Hp: 1, Wp: s.n, H: 1, W: s.n, Out: out, Ldc: s.n, Ep: e}
				if err := p.Check(); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					p.Run(0, p.Tiles())
				}
				b.ReportMetric(float64(s.m*s.n*4*kq)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
			})
		}
	}
}
