package runtime

import (
	"errors"
	"fmt"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The errors of Load, LoadModel, Run and Plan wrap these, so that callers
// tell them apart with errors.Is and errors.As:
//
//	m, err := runtime.Load(path)
//	var unsup *runtime.UnsupportedError
//	switch {
//	case errors.As(err, &unsup):    // operators or types edgeinfer does not run: unsup.Ops
//	case errors.Is(err, runtime.ErrInvalidModel): // not a valid ONNX model
//	case errors.Is(err, fs.ErrNotExist):          // no such file
//	}
var (
	// ErrInvalidModel is wrapped by the error of a load whose file is not a
	// valid ONNX model: malformed protobuf, or a graph breaking ONNX's rules
	// (dangling names, cycles, bad attributes...).
	ErrInvalidModel = onnx.ErrInvalid

	// ErrClosed is wrapped by the error of a run, or a plan, of a Model that
	// is closed or closing.
	ErrClosed = errors.New("model is closed")

	// ErrModelChanged is wrapped by the error of a run or plan of a model
	// loaded with Load whose file (or external data file) was written to
	// or truncated since: the model's weights may no longer be what was
	// loaded, so it refuses to answer; load the model again. (A file
	// replaced by renaming a new one over it is not a change: the model
	// keeps the old file's contents.)
	ErrModelChanged = onnx.ErrChanged

	// ErrPanic is wrapped by the error of a load, plan or run during which
	// operator code panicked. The panic is a bug in edgeinfer, not in the
	// model; it is recovered so that the caller's process survives, and the
	// error names the node. The model and its sessions stay usable.
	ErrPanic = errors.New("panic")
)

// UnsupportedError is the error of a load that found operators, or graph
// input and output types, edgeinfer does not run. Ops lists each with every
// place it occurs; the message names them all on one line per kind.
//
// It wraps ops.ErrUnsupported when every entry is beyond edgeinfer's scope
// by design (an unsupported type such as string or float8, or an operator
// of the ai.onnx.ml or ai.onnx.preview.training domains) and the model has
// no other problem: test runners report such models as skipped. A missing
// operator of the default ONNX domain or of a custom domain is a plain
// unsupported operator.
type UnsupportedError struct {
	Ops    []UnsupportedOp
	beyond bool
}

func (e *UnsupportedError) Error() string {
	var plain, ios []string
	var domains []string
	byDomain := map[string][]string{}
	for _, u := range e.Ops {
		switch {
		case u.IO != "":
			ios = append(ios, u.String())
		case skippedDomains[u.Domain] && u.Opset > 0:
			if byDomain[u.Domain] == nil {
				domains = append(domains, u.Domain)
			}
			byDomain[u.Domain] = append(byDomain[u.Domain], u.OpType+" at "+u.where("node"))
		default:
			plain = append(plain, u.String())
		}
	}
	var lines []string
	if len(plain) > 0 {
		lines = append(lines, "unsupported operators: "+strings.Join(plain, "; "))
	}
	for _, d := range domains {
		lines = append(lines, fmt.Sprintf("unsupported domain %s (operators %s)", d, strings.Join(byDomain[d], "; ")))
	}
	if len(ios) > 0 {
		lines = append(lines, "unsupported types: "+strings.Join(ios, "; "))
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives ops.ErrUnsupported when the model is beyond edgeinfer's
// scope by design (see UnsupportedError).
func (e *UnsupportedError) Unwrap() error {
	if e.beyond {
		return ops.ErrUnsupported
	}
	return nil
}

// LimitError is the error of a load, plan or run stopped by one of the
// Limits before it allocated: Limit names the field of Limits, Value is
// what the model asked for (at least; a size that overflows is reported as
// just over Bound) and Bound the limit.
type LimitError struct {
	Limit        string // "MaxTensorBytes", "MaxRank", "MaxNodes", "MaxMemory"
	Value, Bound int64
	msg          string
}

func (e *LimitError) Error() string { return e.msg }

// limitError builds a LimitError whose message is the formatted text.
func limitError(limit string, value, bound int64, format string, args ...any) *LimitError {
	return &LimitError{Limit: limit, Value: value, Bound: bound, msg: fmt.Sprintf(format, args...)}
}

// InputError is the error of a run whose inputs do not match the model's
// graph inputs: Name is the input ("" when the count is wrong), Want what
// the model declares and Got what was given.
type InputError struct {
	Name      string
	Want, Got string
	msg       string
}

func (e *InputError) Error() string { return e.msg }

// inputError builds an InputError whose message is the formatted text.
func inputError(name, want, got, format string, args ...any) *InputError {
	return &InputError{Name: name, Want: want, Got: got, msg: fmt.Sprintf(format, args...)}
}
