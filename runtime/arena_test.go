package runtime

import (
	"fmt"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func TestPackBuffersRandom(t *testing.T) {
	rng := newRand(10)
	for trial := range 200 {
		n := 1 + rng.IntN(60)
		bufs := make([]*buffer, n)
		for i := range bufs {
			first := rng.IntN(40)
			bufs[i] = &buffer{size: align64(int64(rng.IntN(5000))), first: first, last: first + rng.IntN(10)}
		}
		total := packBuffers(bufs)
		var peak int64 // the most bytes live at one time: a lower bound
		for pos := range 50 {
			var live int64
			for _, b := range bufs {
				if b.first <= pos && pos <= b.last {
					live += b.size
				}
			}
			peak = max(peak, live)
		}
		if total < peak {
			t.Fatalf("trial %d: arena %d is below the live peak %d", trial, total, peak)
		}
		for i, a := range bufs {
			if a.off%arenaAlign != 0 || a.off+a.size > total {
				t.Fatalf("trial %d: buffer %d at %d+%d in an arena of %d", trial, i, a.off, a.size, total)
			}
			for j, b := range bufs[:i] {
				if a.overlaps(b) && a.off < b.off+b.size && b.off < a.off+a.size {
					t.Fatalf("trial %d: buffers %d and %d are live together and overlap", trial, i, j)
				}
			}
		}
	}
}

func TestPackBuffersReusesMemory(t *testing.T) {
	// A chain: each tensor is live from its producer to its consumer.
	var bufs []*buffer
	for i := range 10 {
		bufs = append(bufs, &buffer{size: 1024, first: i, last: i + 1})
	}
	if got := packBuffers(bufs); got != 2048 {
		t.Fatalf("chain of 10 tensors packs into %d bytes, want 2048", got)
	}
}

// randomDAG builds a model of Mix nodes with random wiring, sizes and
// in-place permissions, and computes its outputs by direct evaluation.
func randomDAG(seed uint64) (*onnx.Model, *ops.Tensor, []*ops.Tensor) {
	rng := newRand(seed)
	x := randTensor(rng, 8)
	b := newBuilder(13).input("x", onnx.Float, 8)
	names := []string{"x"}
	vals := [][]float32{x.F32()}
	sizes := []int{1, 7, 8, 16, 64, 100}
	for k := range 40 {
		var in []string
		var inv [][]float32
		for range 1 + rng.IntN(3) {
			j := len(names) - 1 - rng.IntN(min(len(names), 6))
			in = append(in, names[j])
			inv = append(inv, vals[j])
		}
		size := sizes[rng.IntN(len(sizes))]
		c := float32(rng.IntN(5))
		name := fmt.Sprintf("v%d", k)
		b.tnode("Mix", in, s(name), aInts("shape", int64(size)), aFloat("c", c), aInt("inplace", int64(rng.IntN(2))))
		out := make([]float32, size)
		for i := range out {
			v := c
			for j, src := range inv {
				v += float32(j+1) * src[i%len(src)]
			}
			out[i] = v
		}
		names, vals = append(names, name), append(vals, out)
	}
	var wants []*ops.Tensor
	for _, k := range []int{len(names) - 1, 10, 25} {
		b.output(names[k], onnx.Float, len(vals[k]))
		wants = append(wants, ops.FromF32(vals[k], len(vals[k])))
	}
	return b.m, x, wants
}

// checkArena verifies that no two arena tensors of p that are live at the
// same time share memory, except an input and the output an in-place
// operator writes over it at the step where the input dies.
func checkArena(t *testing.T, p *plan) {
	t.Helper()
	end := len(p.steps) + 1
	first := make([]int, len(p.slots))
	last := make([]int, len(p.slots))
	inPlaceOf := map[int]int{} // output -> the input it took over
	for i, s := range p.steps {
		for _, id := range s.in {
			if id >= 0 {
				last[id] = i + 1
			}
		}
		for _, id := range s.out {
			first[id], last[id] = i+1, i+1
		}
	}
	for _, s := range p.steps {
		if x := allowedInPlace(p, &s); x >= 0 {
			inPlaceOf[s.out[0]] = x
		}
	}
	for _, o := range p.outputs {
		last[o.id] = end
	}
	var ids []int
	for id, sl := range p.slots {
		if sl.kind == slotArena && sl.size > 0 {
			ids = append(ids, id)
			if (sl.off-sl.sub)%arenaAlign != 0 || sl.off%int64(ops.ElemSize(sl.typ)) != 0 || sl.off+sl.size > p.arena {
				t.Fatalf("value %d at %d+%d in an arena of %d", id, sl.off, sl.size, p.arena)
			}
		}
	}
	for i, a := range ids {
		for _, b := range ids[:i] {
			sa, sb := p.slots[a], p.slots[b]
			if first[a] > last[b] || first[b] > last[a] || sa.off >= sb.off+sb.size || sb.off >= sa.off+sa.size {
				continue
			}
			if inPlaceOf[a] == b || inPlaceOf[b] == a {
				continue
			}
			if sa.buf == sb.buf && (sa.sub != 0 || sb.sub != 0 || sa.size != sb.size) {
				continue // views of one buffer (views.go): one value lies inside the other
			}
			t.Fatalf("values %d [%d,%d] and %d [%d,%d] overlap in the arena", a, first[a], last[a], b, first[b], last[b])
		}
	}
}

// allowedInPlace is the input the step's operator lets output 0 overwrite, or -1.
func allowedInPlace(p *plan, s *step) int {
	ip, ok := s.op.(ops.InPlacer)
	if !ok {
		return -1
	}
	in := make([]ops.Value, len(s.in))
	for i, id := range s.in {
		in[i] = ops.Value{Type: p.slots[id].typ, Shape: p.slots[id].shape}
	}
	if j := ip.InPlace(in); j >= 0 {
		return s.in[j]
	}
	return -1
}

func TestRandomDAGArena(t *testing.T) {
	inPlace := 0
	for seed := range uint64(30) {
		p, x, wants := randomDAG(seed)
		for _, opt := range []bool{true, false} {
			m := load(t, p, WithOptimizations(opt))
			got := run(t, m, x)
			for i := range wants {
				closeTo(t, fmt.Sprintf("seed %d output %d", seed, i), got[i], wants[i], 0, 0)
			}
			pl := planOf(t, m, x)
			checkArena(t, pl)
			if pl.arena >= pl.info.NaiveBytes {
				t.Errorf("seed %d: arena %d is not smaller than the naive %d", seed, pl.arena, pl.info.NaiveBytes)
			}
			for _, s := range pl.steps {
				if x := allowedInPlace(pl, &s); x >= 0 && pl.slots[x].off == pl.slots[s.out[0]].off {
					inPlace++
				}
			}
		}
	}
	if inPlace == 0 {
		t.Error("no step ran in place: the in-place path is untested")
	}
}
