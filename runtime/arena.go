package runtime

import (
	"sort"
)

// arenaAlign is the alignment of every tensor in the arena, enough for any
// element type and for SIMD loads.
const arenaAlign = 64

// align64 rounds n up to a multiple of arenaAlign.
func align64(n int64) int64 { return (n + arenaAlign - 1) &^ (arenaAlign - 1) }

// buffer is a region of the arena: its size and the positions in the run
// (inclusive) during which it holds a live tensor.
type buffer struct {
	size        int64
	first, last int
	off         int64
}

// overlaps reports whether a and b are live at the same time.
func (a *buffer) overlaps(b *buffer) bool { return a.first <= b.last && b.first <= a.last }

// packBuffers gives every buffer an offset such that no two buffers live at
// the same time share a byte, and returns the arena size. It is the greedy
// "by size" strategy: the largest buffers are placed first, each in the
// smallest gap between already placed buffers that are live at the same
// time, or after them all. Sizes are multiples of arenaAlign, so offsets
// are too.
func packBuffers(bufs []*buffer) int64 {
	order := append([]*buffer{}, bufs...)
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].size != order[j].size {
			return order[i].size > order[j].size
		}
		return order[i].first < order[j].first
	})
	var placed, live []*buffer
	var total int64
	for _, b := range order {
		live = live[:0]
		for _, o := range placed {
			if o.overlaps(b) {
				live = append(live, o)
			}
		}
		sort.Slice(live, func(i, j int) bool { return live[i].off < live[j].off })
		best, bestGap := int64(-1), int64(0)
		var prev int64
		for _, o := range live {
			if gap := o.off - prev; gap >= b.size && (best < 0 || gap < bestGap) {
				best, bestGap = prev, gap
			}
			prev = max(prev, o.off+o.size)
		}
		if best < 0 {
			best = prev
		}
		b.off = best
		total = max(total, b.off+b.size)
		placed = append(placed, b)
	}
	return total
}
