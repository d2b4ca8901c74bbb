package ops

// Budget is the memory that operators' Prepare may spend on forms of their
// constants bigger than the constants themselves: transformed weights that
// make runs faster (a Winograd convolution's weights take four times the
// bytes of W) but that a model can do without when memory is short. A
// model's planner hands one Budget to every BudgetedPreparer it prepares,
// in graph order, so the first layers (in a CNN, those on the largest
// planes, where a transform pays most per byte) are served first.
//
// A nil *Budget grants everything. Budgets are not safe for concurrent use.
type Budget struct {
	left, spent int64
}

// NewBudget returns a budget of n bytes (none if n <= 0).
func NewBudget(n int64) *Budget { return &Budget{left: max(n, 0)} }

// Take reserves form bytes, what a prepared form takes beyond its
// constants for as long as the model lives, and work bytes, the scratch
// space its runs need beyond what the constants' plain form needs, and
// reports true if b has them left. Otherwise it reserves nothing and
// reports false, and the caller prepares a form that needs no more than
// its constants. (Scratch space is shared by the steps of a run: counting
// every step's apart keeps the budget on the safe side.)
func (b *Budget) Take(form, work int64) bool {
	if b == nil {
		return true
	}
	if form+work > b.left {
		return false
	}
	b.left -= form + work
	b.spent += form
	return true
}

// Spent is the form bytes taken from b so far (0 for a nil budget).
func (b *Budget) Spent() int64 {
	if b == nil {
		return 0
	}
	return b.spent
}

// BudgetedPreparer is a Preparer that can trade speed for memory.
// PrepareWithin prepares as Prepare does, taking from b every byte its
// prepared forms need beyond the size of the constants they replace, and
// falling back to a form that needs none where b refuses. Prepare(in)
// must equal PrepareWithin(in, nil).
type BudgetedPreparer interface {
	Preparer
	PrepareWithin(in []Value, b *Budget) error
}
