package runtime

// removeIdentities removes Identity nodes and Dropout nodes in inference
// mode: their consumers read the input directly. When the node's output is
// a graph output, the input's producer is made to write it instead; when
// that is not possible (the input is a graph input, a constant or another
// graph output) the node stays.
func removeIdentities(g *graph) {
	uses := g.uses()
	producer := map[int]*node{}
	for _, n := range g.nodes {
		for _, o := range n.out {
			producer[o] = n
		}
	}
	gone := map[*node]bool{}
	for _, n := range g.nodes {
		if !passThrough(g, n, uses) {
			continue
		}
		x, y := n.in[0], n.out[0]
		switch p := producer[x]; {
		case !g.isOut[y]:
			g.replaceUses(y, x)
		case p != nil && !g.isOut[x]:
			for i, o := range p.out {
				if o == x {
					p.out[i] = y
				}
			}
			producer[y] = p
			g.replaceUses(x, y)
		default:
			continue
		}
		gone[n] = true
	}
	g.removeNodes(gone)
}

// passThrough reports whether n copies its input 0 to its output 0 and
// has no other effect: Identity, or Dropout in inference mode whose mask
// output is unused.
func passThrough(g *graph, n *node, uses []int) bool {
	if len(n.in) == 0 || n.in[0] < 0 || len(n.out) == 0 {
		return false
	}
	switch {
	case n.is("Identity"):
		return len(n.out) == 1
	case n.is("Dropout"):
		for _, mask := range n.out[1:] {
			if uses[mask] > 0 || g.isOut[mask] {
				return false
			}
		}
		// training_mode (opset 12+) must be absent or a constant false.
		if len(n.in) > 2 && n.in[2] >= 0 {
			t := g.consts[n.in[2]]
			if t == nil || t.Len() != 1 || len(t.Data) == 0 || t.Data[0] != 0 {
				return false
			}
		}
		return true
	}
	return false
}
