package runtime

import (
	"slices"

	"github.com/edgeinfer/edgeinfer/ops"
)

// Dropping pages of the model file is only advice to the operating system:
// a page read again (by a later plan preparing an operator anew, or through
// Proto) is read back from the file, so nothing is lost if it fails, and
// its error is ignored.

// releaseUnloaded lets the operating system drop the pages of the model file
// holding initializers the loaded graph does not read: those copied at load
// (raw data not aligned for its element type) and those folded into other
// constants (a Conv's weights merged with its BatchNormalization).
func (m *Model) releaseUnloaded() {
	var keep [][]byte
	for _, c := range m.g.consts {
		if c != nil {
			keep = append(keep, c.Data)
		}
	}
	m.releaseInitializers(keep)
}

// releasePlanned lets the operating system drop the pages of the model file
// holding initializers no step of p reads, in particular those an operator
// copied when it was prepared and declares released (ops.Releaser: packed
// weights), so that packed weights replace the raw ones in memory instead
// of doubling it.
func (m *Model) releasePlanned(p *plan) {
	var keep [][]byte
	for _, s := range p.steps {
		var released []int
		if r, ok := s.op.(ops.Releaser); ok {
			released = r.Released()
		}
		for j, id := range s.in {
			if id >= 0 && p.slots[id].kind == slotConst && !slices.Contains(released, j) {
				keep = append(keep, p.slots[id].c.Data)
			}
		}
	}
	for _, o := range p.outputs {
		if p.slots[o.id].kind == slotConst {
			keep = append(keep, p.slots[o.id].c.Data)
		}
	}
	m.releaseInitializers(keep)
}

// releasePrepared drops the file pages of the constant inputs op declares
// released (ops.Releaser) as soon as it is prepared, so that packing a
// model's weights one operator after the other never holds the raw and the
// packed copy of them all at once. Another step reading the same bytes
// reads them back from the file (releasePlanned then keeps them).
func (m *Model) releasePrepared(op ops.Op, in []ops.Value) {
	r, ok := op.(ops.Releaser)
	if !ok || m.proto == nil {
		return
	}
	var bufs [][]byte
	for _, j := range r.Released() {
		if j >= 0 && j < len(in) && in[j].Const != nil {
			bufs = append(bufs, in[j].Const.Data)
		}
	}
	m.proto.Release(bufs...)
}

// releaseInitializers drops the file pages of every initializer that
// shares no byte with keep.
func (m *Model) releaseInitializers(keep [][]byte) {
	if m.proto == nil || m.proto.Graph == nil {
		return
	}
	var bufs [][]byte
	for _, t := range m.proto.Graph.Initializer {
		b := t.RawData
		if len(t.External) > 0 {
			b, _ = t.Bytes(m.proto.Dir)
		}
		if len(b) > 0 && !slices.ContainsFunc(keep, func(k []byte) bool { return overlap(k, b) }) {
			bufs = append(bufs, b)
		}
	}
	m.proto.Release(bufs...)
}
