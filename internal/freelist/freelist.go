// Package freelist keeps values that are costly to make (a session and
// its buffers) for reuse by whichever goroutine needs one next.
//
// Unlike sync.Pool, a List never drops what it keeps: a garbage collection
// does not make the next call rebuild a session.
package freelist

import "sync"

// List is a stack of values safe for concurrent use. The zero List is
// empty and ready.
type List[T any] struct {
	mu   sync.Mutex
	free []T
}

// Get takes a kept value, or returns what make makes when none is kept.
func (l *List[T]) Get(make func() (T, error)) (T, error) {
	l.mu.Lock()
	if n := len(l.free); n > 0 {
		v := l.free[n-1]
		l.free = l.free[:n-1]
		l.mu.Unlock()
		return v, nil
	}
	l.mu.Unlock()
	return make()
}

// Put keeps v for a later Get.
func (l *List[T]) Put(v T) {
	l.mu.Lock()
	l.free = append(l.free, v)
	l.mu.Unlock()
}
