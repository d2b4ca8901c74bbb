package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/detect"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// statusClientClosed is the status counted for a request whose client went
// away before its answer (nginx's 499): nobody reads it.
const statusClientClosed = 499

// statusError is an error with the HTTP status it is answered with.
type statusError struct {
	code  int
	err   error
	allow string // the Allow header of a 405
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// statusf makes a statusError; the format may wrap errors with %w.
func statusf(code int, format string, args ...any) *statusError {
	return &statusError{code: code, err: fmt.Errorf(format, args...)}
}

// statusOf is the HTTP status an error is answered with: the statusError's,
// or what the runtime's and the classifier's errors mean for the client.
func statusOf(err error) int {
	var se *statusError
	var inErr *runtime.InputError
	var limErr *runtime.LimitError
	switch {
	case errors.As(err, &se):
		return se.code
	case errors.Is(err, context.Canceled):
		return statusClientClosed
	case errors.Is(err, runtime.ErrClosed), errors.Is(err, runtime.ErrModelChanged):
		return http.StatusServiceUnavailable
	case errors.Is(err, runtime.ErrPanic):
		return http.StatusInternalServerError
	case errors.As(err, &inErr), errors.As(err, &limErr), errors.Is(err, classify.ErrImage),
		errors.Is(err, detect.ErrImage), errors.Is(err, detect.ErrRequest):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// retryAfter is the Retry-After of a 503, in seconds.
const retryAfter = "1"

// writeError answers err as {"error": message} with its status, logging
// the server's own faults.
func (s *Server) writeError(w http.ResponseWriter, err error) {
	code := statusOf(err)
	var se *statusError
	if errors.As(err, &se) && se.allow != "" {
		w.Header().Set("Allow", se.allow)
	}
	switch {
	case code == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfter)
	case code >= 500:
		s.log.Error("request failed", "status", code, "error", err)
	}
	writeJSON(w, code, errorBody{Error: err.Error()})
}

type errorBody struct {
	Error string `json:"error"`
}

// writeJSON answers v as JSON with the status.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // the server's own types always marshal
		panic(fmt.Sprintf("serve: marshal %T: %v", v, err))
	}
	writeBody(w, code, "application/json", b)
}

// writeBody answers b with the status and content type.
func writeBody(w http.ResponseWriter, code int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}
