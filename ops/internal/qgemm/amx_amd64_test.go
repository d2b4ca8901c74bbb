//go:build !noasm

package qgemm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/cpu"
)

// amxKernel returns the AMX kernel, failing where the CPU has AMX-INT8
// but the kernel is not offered, skipping where it has not.
func amxKernel(t *testing.T) *Kernel {
	t.Helper()
	for _, k := range Kernels() {
		if k.id == idAMX {
			return k
		}
	}
	if cpu.X86.HasAMXTile && cpu.X86.HasAMXInt8 && hasAVX512VNNI {
		t.Fatalf("the CPU has AMX-INT8 but the AMX kernel is not offered (XCR0 %#x)", xgetbv0())
	}
	t.Skip("no AMX-INT8 on this CPU (or OS)")
	return nil
}

// TestAMXDeep checks the AMX kernel, which works in blocks of 16 k steps,
// on depths around and across blocks (not multiples of 64) with rows and
// columns around its 32x32 tiles, every epilogue mode and fill, packed
// B (read in place).
func TestAMXDeep(t *testing.T) {
	k := amxKernel(t)
	old := Use(k)
	defer Use(old)
	rng := rand.New(rand.NewPCG(31, 32))
	for _, m := range []int{1, 31, 33, 77} {
		for _, n := range []int{1, 17, 31, 45, 70} {
			for _, depth := range []int{63, 64, 65, 130, 257, 600} {
				fill := fillKind(rng.IntN(5))
				aSigned, bSigned := rng.IntN(2) == 0, rng.IntN(2) == 0
				for mode := range Mode(3) {
					label := fmt.Sprintf("%dx%dx%d a signed %v b signed %v fill %d mode %d", m, n, depth, aSigned, bSigned, fill, mode)
					checkProduct(t, rng, k, label, m, n, depth, aSigned, bSigned, fill, mode)
				}
			}
		}
	}
}

// TestAMXSaturate checks the AMX kernel's sums at their extremes: every
// product 127·255 or -128·255 over a deep k, stored as int32 and
// requantized to saturated bytes.
func TestAMXSaturate(t *testing.T) {
	k := amxKernel(t)
	old := Use(k)
	defer Use(old)
	rng := rand.New(rand.NewPCG(33, 34))
	for _, fill := range []fillKind{fillHigh, fillLow, fillExtreme} {
		for _, mode := range []Mode{Int32, Byte} {
			checkProduct(t, rng, k, fmt.Sprintf("fill %d mode %d", fill, mode), 40, 40, 4100, true, false, fill, mode)
		}
	}
}

// TestAMXOffsets checks the AMX kernel on B read through per-step
// offsets as a convolution's input is: channel quads c4 apart under each
// of several taps, so that blocks of 16 steps are evenly spaced (in
// place, a stride other than the packed one) or not (gathered), the last
// block short, columns past the grid's and the tiles' ends dropped.
func TestAMXOffsets(t *testing.T) {
	k := amxKernel(t)
	old := Use(k)
	defer Use(old)
	rng := rand.New(rand.NewPCG(35, 36))
	for _, c4 := range []int{16, 32, 20, 3, 48} {
		for _, taps := range []int{1, 3, 9} {
			mode := Mode(rng.IntN(3))
			m, n := 32+rng.IntN(70), 20+rng.IntN(90)
			kq := c4 * taps
			depth := 4 * kq
			qs := (k.ColPanels(n)*k.NR+taps)*4 + 4*rng.IntN(3) // bytes between quads
			buf := make([]byte, c4*qs+64)
			for i := range buf {
				buf[i] = byte(rng.IntN(256))
			}
			offs := make([]int32, kq)
			for tp := range taps {
				for q := range c4 {
					offs[tp*c4+q] = int32(q*qs + 4*tp)
				}
			}
			a := randMatrix(rng, m, depth, true, fillRandom)
			pa := make([]byte, k.RowsLen(m, kq))
			k.PackRows(pa, make([]int32, k.RowPanels(m)*k.MR), a, m, Linear(depth), 0, k.RowPanels(m))
			e := randEpilogue(rng, k, m, n, mode)
			es := mode.size()
			ldc := n*es + 5
			outFull, out := banded((m-1)*ldc + n*es)
			p := Product{M: m, N: n, KQ: kq, A: pa, B: buf, Offs: offs, PanelStep: k.NR * 4,
				Hp: 1, Wp: n, H: 1, W: n, Out: out, Ldc: ldc, Ep: e}
			if err := p.Check(); err != nil {
				t.Fatal(err)
			}
			p.Run(0, p.Tiles())
			label := fmt.Sprintf("%dx%d c4 %d taps %d mode %d", m, n, c4, taps, mode)
			for i := range m {
				for j := range n {
					var s int32
					for st := range kq {
						for b := range 4 {
							s += a.at(i, 4*st+b) * int32(buf[int(offs[st])+4*j+b])
						}
					}
					want := refStore(&e, i, j, s)
					if got := out[i*ldc+j*es : i*ldc+j*es+es]; string(got) != string(want) {
						t.Fatalf("%s: element (%d, %d) is %v, want %v", label, i, j, got, want)
					}
				}
			}
			checkSentinels(t, label, outFull[:guardBytes])
			checkSentinels(t, label, outFull[len(outFull)-guardBytes:])
		}
	}
}

// TestAMXSignals runs AMX products on several goroutines, which Go moves
// between threads, while signals arrive (SIGUSR1, sent to the process
// every 50 µs, and the runtime's own preemption requests) and the
// collector runs: every product must store what the AVX-512 VNNI kernel
// does. The kernel saves a thread's tile state in the signal frame, on
// Go's 32 KiB signal stack; each call loads its tile configuration and
// releases the tiles itself.
func TestAMXSignals(t *testing.T) {
	k := amxKernel(t)
	vnni := k.fallback
	const m, n, depth = 96, 80, 700
	rng := rand.New(rand.NewPCG(41, 42))
	a := randMatrix(rng, m, depth, true, fillRandom)
	b := randMatrix(rng, depth, n, false, fillRandom)
	run := func(k *Kernel) []byte {
		kq, kIdx := Steps(depth), Linear(depth)
		pa := make([]byte, k.RowsLen(m, kq))
		k.PackRows(pa, make([]int32, k.RowPanels(m)*k.MR), a, m, kIdx, 0, k.RowPanels(m))
		pb := make([]byte, k.ColsLen(n, kq))
		k.PackCols(pb, make([]int32, k.ColPanels(n)*k.NR), Matrix{Data: b.Data, RS: 1, CS: n}, n, kIdx, 0, k.ColPanels(n))
		out := make([]byte, m*n*4)
		p := Product{M: m, N: n, KQ: kq, A: pa, B: pb, Offs: k.PanelOffsets(kq), PanelStep: k.NR * 4 * kq,
			Hp: 1, Wp: n, H: 1, W: n, Out: out, Ldc: n * 4, Ep: Epilogue{Mode: Int32}, Kernel: k}
		if err := p.Check(); err != nil {
			t.Fatal(err)
		}
		p.Run(0, p.Tiles())
		return out
	}
	want := run(vnni)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	defer signal.Stop(sig)
	stop := make(chan struct{})
	var senders sync.WaitGroup
	senders.Add(1)
	go func() {
		defer senders.Done()
		for {
			select {
			case <-stop:
				return
			case <-sig:
			default:
				syscall.Kill(os.Getpid(), syscall.SIGUSR1)
				time.Sleep(50 * time.Microsecond)
			}
		}
	}()
	rounds := 300
	if testing.Short() {
		rounds = 30
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				if got := run(k); string(got) != string(want) {
					errs <- fmt.Sprintf("goroutine %d round %d: the AMX product differs from VNNI's", g, i)
					return
				}
				if i%50 == 0 {
					runtime.GC()
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	senders.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
