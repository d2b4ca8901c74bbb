package freelist

import (
	"errors"
	"sync"
	"testing"
)

func TestList(t *testing.T) {
	var l List[*int]
	made := 0
	mk := func() (*int, error) { made++; v := made; return &v, nil }
	a, _ := l.Get(mk)
	b, _ := l.Get(mk)
	if made != 2 || *a != 1 || *b != 2 {
		t.Fatalf("made %d values %d, %d; want 2: 1, 2", made, *a, *b)
	}
	l.Put(a)
	if c, _ := l.Get(mk); c != a || made != 2 {
		t.Fatalf("Get after Put made a value (%d made) instead of reusing the kept one", made)
	}
	fail := errors.New("no")
	if _, err := l.Get(func() (*int, error) { return nil, fail }); err != fail {
		t.Fatalf("Get on an empty list returned %v, want make's error", err)
	}
}

// TestListConcurrent gets and puts from many goroutines under -race: no
// value is handed to two goroutines at once.
func TestListConcurrent(t *testing.T) {
	var l List[*int]
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				v, _ := l.Get(func() (*int, error) { return new(int), nil })
				*v++
				if *v%2 != 1 {
					t.Error("a value was in use by two goroutines")
					return
				}
				*v++
				l.Put(v)
			}
		}()
	}
	wg.Wait()
}
