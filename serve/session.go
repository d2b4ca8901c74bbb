package serve

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// acquire takes one of m's sessions, waiting up to Timeout for one to be
// free: after that, or while draining, the error is a 503; when the client
// goes away first, the context's error.
func (s *Server) acquire(ctx context.Context, m *model) (*runtime.Session, error) {
	if s.isDraining() {
		return nil, statusf(http.StatusServiceUnavailable, "the server is shutting down")
	}
	if err := m.broken.Load(); err != nil {
		return nil, statusf(http.StatusServiceUnavailable, "model %s cannot answer: %w", m.name, *err)
	}
	select {
	case sess := <-m.sessions:
		return sess, nil
	default:
	}
	m.stats.waiting.Add(1)
	defer m.stats.waiting.Add(-1)
	t := time.NewTimer(s.opt.Timeout)
	defer t.Stop()
	select {
	case sess := <-m.sessions:
		return sess, nil
	case <-t.C:
		return nil, statusf(http.StatusServiceUnavailable, "model %s is busy: its %d sessions stayed taken for %v; retry later",
			m.name, cap(m.sessions), s.opt.Timeout)
	case <-s.draining:
		return nil, statusf(http.StatusServiceUnavailable, "the server is shutting down")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// withSession takes one of m's sessions (see acquire), reads the request
// body, and runs f with them; it gives the session back after, even when
// f panics. A body over the limit is refused from its Content-Length
// first.
//
// A request holds its session while its body arrives, so that the
// memory of the requests in flight stays bounded. The price: net/http
// notices a client going away only once the body is read, so a client
// that leaves while waiting for a session is answered (499, without a run)
// when its turn comes.
func (s *Server) withSession(w http.ResponseWriter, r *http.Request, m *model, f func(*runtime.Session, []byte) error) error {
	if err := s.checkLength(r); err != nil {
		return err
	}
	sess, err := s.acquire(r.Context(), m)
	if err != nil {
		return err
	}
	defer func() { m.sessions <- sess }()
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if testHookRead != nil {
		testHookRead(r.Context())
	}
	return f(sess, body)
}

// testHookRead, when a test sets it, runs with the request's context each
// time a request holding a session has read its body: to hold the
// session, to wait for the client to go, or to panic.
var testHookRead func(context.Context)

// ran records what a run's error (or nil) says about the model: a closed model, or
// one whose file changed on disk, cannot answer any more, which its
// readiness then reports.
func (m *model) ran(err error) {
	if errors.Is(err, runtime.ErrClosed) || errors.Is(err, runtime.ErrModelChanged) {
		m.broken.CompareAndSwap(nil, &err)
	}
}

// checkLength refuses a body whose declared length is over the limit,
// before anything is read.
func (s *Server) checkLength(r *http.Request) error {
	if r.ContentLength > s.opt.MaxBodyBytes {
		return statusf(http.StatusRequestEntityTooLarge, "request body of %d bytes is over the limit of %d bytes",
			r.ContentLength, s.opt.MaxBodyBytes)
	}
	return nil
}

// readBody reads the whole body: at most MaxBodyBytes (else a 413), within
// Timeout (else a 408).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	rc := http.NewResponseController(w)
	// A ResponseWriter that cannot set deadlines (one wrapped by a
	// daemon's middleware) reads without one.
	if rc.SetReadDeadline(time.Now().Add(s.opt.Timeout)) == nil {
		// The deadline must not outlive the read: once the body is read,
		// the server watches the connection to cancel the request when the
		// client goes, and a deadline passing there would cancel it.
		defer rc.SetReadDeadline(time.Time{})
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes)); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return nil, statusf(http.StatusRequestEntityTooLarge, "request body is over the limit of %d bytes", s.opt.MaxBodyBytes)
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, statusf(http.StatusRequestTimeout, "the request body did not arrive within %v", s.opt.Timeout)
		}
		return nil, statusf(http.StatusBadRequest, "reading the request body: %w", err)
	}
	return buf.Bytes(), nil
}
