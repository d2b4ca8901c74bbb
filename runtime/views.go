package runtime

import (
	"maps"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Views. A channel Concat of batch-1 NCHW tensors (any Concat whose
// dimensions before the axis are all 1) lays its inputs end to end in its
// output, and a Split of such a tensor cuts it into consecutive runs of
// bytes. The planner places such tensors inside one another instead of
// copying: each Split output is a view of its input at its offset, and
// each Concat input is computed directly into its place in the output, so
// DenseNet's and Inception's concatenations, SqueezeNet's fire modules and
// YOLO's C2f blocks (Split, bottlenecks, Concat) move no extra bytes. The
// Concat and Split kernels then find each block already in place and skip
// it (ops/array's block copies check for that).
//
// The values placed inside one another form a group sharing one arena
// buffer, live from the first member's production to the last member's
// last use. Members never run in place (an operator writing over its
// input would write into another member's bytes), and a value is placed
// only where every byte of its region belongs to it or to values placed
// consistently inside it.

// views records, for each value placed inside another, where.
type views struct {
	parent []int   // by value id: the value it lies inside, or -1
	at     []int64 // its byte offset there
}

// root is the outermost value id lies inside, and id's offset in it.
func (v *views) root(id int) (int, int64) {
	var off int64
	for v.parent[id] >= 0 {
		off += v.at[id]
		id = v.parent[id]
	}
	return id, off
}

// grouped reports whether id shares its storage with other values.
func (v *views) grouped(id int, members []int) bool {
	return v.parent[id] >= 0 || members[id] > 0
}

// placeViews decides which Split outputs and Concat inputs become views,
// for the steps of the plan being laid out. members counts, for each
// value, how many values lie inside it.
func (pl *planner) placeViews() (*views, []int) {
	n := len(pl.vals)
	v := &views{parent: make([]int, n), at: make([]int64, n)}
	for i := range v.parent {
		v.parent[i] = -1
	}
	members := make([]int, n)
	producer := pl.producers()
	// movable reports whether id may be placed inside another value: a
	// tensor a step of this plan computes, outside any group so far.
	movable := func(id int) bool {
		_, computed := producer[id]
		return id >= 0 && computed && pl.vals[id].Const == nil && v.parent[id] < 0 && ops.ElemSize(pl.vals[id].Type) > 0
	}
	place := func(id, in int, at int64) {
		v.parent[id], v.at[id] = in, at
		for p := in; p >= 0; p = v.parent[p] {
			members[p]++
		}
	}
	for _, s := range pl.steps {
		if len(s.fused) > 0 || !s.key.n.is("Split") || !movable(s.in[0]) {
			continue
		}
		if _, ok := pl.contiguousAxis(s.key.n, 0, pl.vals[s.in[0]].Shape); !ok {
			continue
		}
		var off int64
		for _, id := range s.out {
			if movable(id) {
				place(id, s.in[0], off)
			}
			off += valueBytes(pl.vals[id])
		}
	}
	// Concats last first, so that an earlier Concat whose inputs a later
	// one (DenseNet's) has already laid out in order becomes a view too.
	for i := len(pl.steps) - 1; i >= 0; i-- {
		s := pl.steps[i]
		if len(s.fused) > 0 || !s.key.n.is("Concat") || len(s.out) != 1 {
			continue
		}
		out := s.out[0]
		if _, computed := producer[out]; !computed {
			continue
		}
		if _, ok := pl.contiguousAxis(s.key.n, 1, pl.vals[out].Shape); !ok {
			continue
		}
		pos := make([]int64, len(s.in)+1) // each input's byte offset in the output
		for k, id := range s.in {
			if id < 0 {
				pos = nil
				break
			}
			pos[k+1] = pos[k] + valueBytes(pl.vals[id])
		}
		if pos == nil {
			continue
		}
		if r, at, ok := v.laidOut(s.in, pos); ok && r != out && v.parent[out] < 0 && members[out] == 0 {
			place(out, r, at) // the inputs are already in place inside r
			continue
		}
		for k, id := range s.in {
			r, o := v.root(id)
			base := pos[k] - o
			if outRoot, _ := v.root(out); r == out || r == outRoot || !movable(r) || base < 0 || base+valueBytes(pl.vals[r]) > pos[len(s.in)] {
				continue
			}
			if v.fits(s.in, pos, r, base, valueBytes(pl.vals[r])) {
				place(r, out, base)
			}
		}
	}
	return v, members
}

// laidOut reports whether the values ids already lie end to end, at the
// relative offsets pos, inside one value, and where they start there.
func (v *views) laidOut(ids []int, pos []int64) (int, int64, bool) {
	r0, o0 := v.root(ids[0])
	if r0 == ids[0] {
		return 0, 0, false
	}
	for k, id := range ids {
		if r, o := v.root(id); r != r0 || o != o0+pos[k] {
			return 0, 0, false
		}
	}
	return r0, o0, true
}

// fits reports whether value r, placed at base in a Concat's output, would
// hold exactly the Concat inputs ids whose regions (pos) it covers: each
// of them must lie inside r at the matching offset.
func (v *views) fits(ids []int, pos []int64, r int, base, size int64) bool {
	for k, id := range ids {
		if pos[k+1] <= base || pos[k] >= base+size {
			continue
		}
		if rk, o := v.root(id); rk != r || o != pos[k]-base {
			return false
		}
	}
	return true
}

// contiguousAxis returns the axis of a Concat or Split node (attribute
// "axis", default def) normalized for rank, and whether every dimension
// before it is 1, so that the blocks along it are consecutive bytes.
func (pl *planner) contiguousAxis(n *node, def int64, shape []int) (int, bool) {
	if n.is("Concat") && n.opset < 4 {
		def = 1
	}
	a := ops.AttrsOf(n.proto).Int("axis", def)
	axis, err := ops.NormAxis(int(a), len(shape))
	if err != nil {
		return 0, false
	}
	return axis, ops.NumElems(shape[:axis]) == 1 && pl.vals[n.out[0]].Type != onnx.Undefined
}

// groupBuffers allocates, through alloc, one arena buffer per group of
// values placed inside one another (by its outermost value), live from the
// production of its first member to the last use of its last.
func (pl *planner) groupBuffers(v *views, members, last []int, alloc func(size int64, first, last int) int) map[int]int {
	type span struct{ first, last int }
	spans := map[int]*span{}
	for i, s := range pl.steps {
		for _, id := range s.out {
			if !v.grouped(id, members) {
				continue
			}
			r, _ := v.root(id)
			sp := spans[r]
			if sp == nil {
				sp = &span{first: i + 1, last: i + 1}
				spans[r] = sp
			}
			sp.first, sp.last = min(sp.first, i+1), max(sp.last, last[id])
		}
	}
	roots := slices.Sorted(maps.Keys(spans)) // a plan's layout does not depend on map order
	bufs := make(map[int]int, len(spans))
	for _, r := range roots {
		bufs[r] = alloc(valueBytes(pl.vals[r]), spans[r].first, spans[r].last)
	}
	return bufs
}
