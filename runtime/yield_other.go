//go:build !linux

package runtime

// osYield does nothing here: the platform offers no cheap thread yield to
// the standard library, and polling goroutines still let other goroutines
// run (see await).
func osYield() {}
