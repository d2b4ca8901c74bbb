//go:build !noasm

package qgemm

import (
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// The AMX-INT8 kernel (Sapphire Rapids and later): 32x32 tiles, each
// block of 16 k steps one TDPBSUD per 16x16 quarter (see tile_amx_amd64.s),
// the sums stored to a buffer and requantized by the AVX-512 kernel's
// epilogue (epAVX512), so that both store the same bits.
//
// Layout: A (the weights, int8) is packed per row panel in blocks of 16
// steps, each two tiles of 16 rows of 64 bytes (PackRows); TDPBSUD takes
// its first source signed and its second unsigned, so B is read as every
// x86 kernel reads it (uint8 columns, ColsSigned false: a step is 32
// columns' four bytes, one B tile row per 16 columns) and no transpose is
// needed. A tile load reads its 16 rows at one stride: a block whose 16
// steps lie at equal distances in B (a convolution's channel quads under
// one tap, packed panels) is loaded in place; any other block, and the
// last when kq is not a multiple of 16, is first copied to a buffer, its
// missing steps left as they are (A's padding bytes are zero).
//
// Linux gives a process the tile data state only on request:
// arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), made once, when
// the kernels are first listed (at package initialization, where the
// kernel in use is picked); if it fails the kernel is not offered.
// The signal frame then holds the 8 KiB of tile data: the XSAVE context
// with AVX-512 and AMX is 10,688 bytes on this machine's kernel (dmesg:
// "x86/fpu: Enabled xstate features 0x600e7, context size is 10688
// bytes"), and Go's signal stacks are 32 KiB (runtime.mpreinit:
// malg(32 * 1024)); the kernel refuses the request (ENOSPC) if some
// thread's alternate signal stack were too small. Go never preempts an
// assembly function asynchronously: runtime.isAsyncSafePoint
// (runtime/preempt.go) returns false for a function with FuncFlagAsm,
// which the assembler sets on every assembly function
// (cmd/internal/obj/plist.go, toFuncFlag); so a signal during a tile
// operation returns to it, and each call loads its tile configuration
// and releases the tiles itself (TestAMXSignals).

// amxUsable reports whether the AMX kernel runs: the CPU has AMX-TILE and
// AMX-INT8 (and the AVX-512 epilogue), the OS enabled their state in XCR0
// (bits 17 and 18) and granted this process its use.
var amxUsable = sync.OnceValue(func() bool {
	if !hasAVX512VNNI || !cpu.X86.HasAMXTile || !cpu.X86.HasAMXInt8 || !cpu.X86.HasOSXSAVE {
		return false
	}
	const xtile = 1<<17 | 1<<18
	if xgetbv0()&xtile != xtile {
		return false
	}
	const archReqXcompPerm, xfeatureXtiledata = 0x1023, 18
	_, _, errno := syscall.RawSyscall(syscall.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXtiledata, 0)
	return errno == 0
})

// amxConfig is the tile configuration (LDTILECFG's 64 bytes): palette 1,
// the eight tiles 16 rows of 64 bytes.
var amxConfig = func() (c [64]byte) {
	c[0] = 1
	for t := range 8 {
		c[16+2*t] = 64 // colsb, little-endian uint16
		c[48+t] = 16   // rows
	}
	return c
}()

// amxBlock is where one block's B tile rows are: the first step's
// columns and the bytes between steps.
type amxBlock struct {
	b      *byte
	stride int
}

// amxChunk is the row panels of one sumsAMX call: their sums' buffer is
// 4 KiB each.
const amxChunk = 4

// amxScratch is the buffers of one tileAMX call, kept in amxPool (a
// local array would be cleared on every call, and the gathered blocks',
// whose address the block list holds, moved to the heap anyway).
type amxScratch struct {
	sums   [amxChunk * 32 * 32]int32
	blks   []amxBlock
	gather []byte // the copied blocks' steps, 2 KiB each
}

var amxPool = sync.Pool{New: func() any { return new(amxScratch) }}

// tileAMX computes n AMX 32x32 tiles (see Kernel.tile): the blocks' B
// found (or gathered) once, then chunks of row panels' sums and their
// epilogue.
func tileAMX(k *Kernel, kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	const mr, nr = 32, 32
	sc := amxPool.Get().(*amxScratch)
	defer amxPool.Put(sc)
	kb := (kq + 15) / 16
	blks := sc.blks[:0]
	strides := ep.strides
	if len(strides) != kb {
		strides = blockStrides(offs[:kq])
	}
	g := 0 // blocks to gather
	for i, d := range strides {
		if d != 0 {
			blks = append(blks, amxBlock{&b[offs[16*i]], int(d)})
			continue
		}
		blks = append(blks, amxBlock{nil, 128})
		g++
	}
	if len(sc.gather) < g*2048 {
		sc.gather = make([]byte, g*2048)
	}
	for i, gb := 0, sc.gather; i < kb; i++ {
		if blks[i].b == nil {
			s0 := i * 16
			for s := range min(16, kq-s0) {
				copy(gb[s*128:(s+1)*128], b[offs[s0+s]:])
			}
			blks[i].b = &gb[0]
			gb = gb[2048:]
		}
	}
	sc.blks = blks
	plen := k.RowsLen(mr, kq)
	t := *ep
	sums := &sc.sums
	for p := 0; p < n; p += amxChunk {
		np := min(amxChunk, n-p)
		if kb == 0 {
			clear(sums[:np*mr*nr])
		} else {
			sumsAMX(&amxConfig[0], &a[p*plen], &blks[0], kb, np, &sums[0])
		}
		r := p * mr
		t.rowOff = ep.rowOff[r:]
		if ep.rowMul != nil {
			t.rowMul = ep.rowMul[r:]
		}
		if ep.mode != Int32 && ep.scaleCols == 0 {
			t.scale = ep.scale[r:]
		}
		epAVX512(&sums[0], unsafe.SliceData(c[r*ldc:]), ldc, &t, np*mr/8)
	}
	clear(blks) // no references to B kept in the pool
}

// sumsAMX computes the sums of n 32x32 panels (see tile_amx_amd64.s); it
// trusts its arguments.
//
//go:noescape
func sumsAMX(cfg *byte, a *byte, blocks *amxBlock, kb, n int, sums *int32)

// epAVX512 is the AVX-512 epilogue of n 8x32 tiles of sums; it trusts its
// arguments.
//
//go:noescape
func epAVX512(sums *int32, c *byte, ldc int, ep *tileEp, n int)

// xgetbv0 is XCR0's low 32 bits.
func xgetbv0() uint32

// amxSuits reports whether a product of m rows, n columns and depth k
// (0: unknown), its steps evenly spaced in runs of run, runs faster on the
// AMX kernel than on the AVX-512 VNNI one (BenchmarkProduct,
// BenchmarkConvOffsets, one thread): from 32 rows and columns (one tile)
// and a depth of 96 (at 64, VNNI is as fast: the tiles' fixed costs), with
// B read in place or from blocks gathered across at most two runs (a
// convolution of 32 channels per group or more). A first layer of three
// channels, one quad per tap, gathers every block: VNNI is faster there
// (ResNet-18's 7x7 layer, about 20%).
func amxSuits(m, n, k, run int) bool {
	return m >= 32 && n >= 32 && k >= 96 && run >= 8
}
