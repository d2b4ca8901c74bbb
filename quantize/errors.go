package quantize

import (
	"errors"
	"fmt"
	"strings"
)

// Errors Quantize wraps; test for them with errors.Is (and errors.As for
// *SampleError).
var (
	// ErrUnsupportedModel: the model is not one quantize can quantize: it
	// has not one float32 input (an image one, for image sources),
	// nothing to quantize (no Conv, Gemm or MatMul with constant weights
	// outside Options.Exclude), or an operator quantize cannot upgrade to
	// opset 13.
	ErrUnsupportedModel = errors.New("model cannot be quantized")
	// ErrNoCalibration: the calibration set is empty.
	ErrNoCalibration = errors.New("no calibration data")
	// ErrUnknownNode: Options.Exclude names a node the model lacks.
	ErrUnknownNode = errors.New("no such node")
)

// SampleError is the error of a calibration sample that could not be
// made (an image that does not decode) or run (a tensor of the wrong
// shape, values that are not finite).
type SampleError struct {
	Index int    // the sample's index in the Source
	Name  string // its Sample.Name, when it was made
	Err   error
}

func (e *SampleError) Error() string {
	if e.Name == "" || strings.Contains(e.Err.Error(), e.Name) {
		return fmt.Sprintf("quantize: calibration sample %d: %v", e.Index+1, e.Err)
	}
	return fmt.Sprintf("quantize: calibration sample %d (%s): %v", e.Index+1, e.Name, e.Err)
}

func (e *SampleError) Unwrap() error { return e.Err }
