package serve

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// datatypes are the protocol's tensor datatypes and the ONNX types they
// carry. BYTES (strings) is listed so that it is named in errors; the
// runtime computes no strings.
var datatypes = []struct {
	name string
	dt   onnx.DataType
}{
	{"BOOL", onnx.Bool},
	{"UINT8", onnx.Uint8}, {"UINT16", onnx.Uint16}, {"UINT32", onnx.Uint32}, {"UINT64", onnx.Uint64},
	{"INT8", onnx.Int8}, {"INT16", onnx.Int16}, {"INT32", onnx.Int32}, {"INT64", onnx.Int64},
	{"FP16", onnx.Float16}, {"BF16", onnx.BFloat16}, {"FP32", onnx.Float}, {"FP64", onnx.Double},
	{"BYTES", onnx.String},
}

// parseDatatype gives the ONNX type of a protocol datatype name.
func parseDatatype(name string) (onnx.DataType, bool) {
	for _, d := range datatypes {
		if d.name == name {
			return d.dt, true
		}
	}
	return 0, false
}

// datatypeName gives the protocol datatype of an ONNX type, or its ONNX
// name in parentheses when the protocol has none.
func datatypeName(dt onnx.DataType) string {
	for _, d := range datatypes {
		if d.dt == dt {
			return d.name
		}
	}
	return "(" + ops.TypeName(dt) + ")"
}

// datatypeList lists the datatype names for errors.
func datatypeList() string {
	names := make([]string, len(datatypes))
	for i, d := range datatypes {
		names[i] = d.name
	}
	return strings.Join(names, ", ")
}

// acceptedDatatypes says what datatypes an input of type dt takes.
func acceptedDatatypes(dt onnx.DataType) string {
	if dt == onnx.Float16 || dt == onnx.BFloat16 {
		return datatypeName(dt) + " (or FP32)"
	}
	return datatypeName(dt)
}

// decodeData parses raw, a tensor's JSON "data" array, into t's elements
// (t has its type and shape; datatype names the type in errors). The
// array is flat, or nested as t's shape says: then every array at depth i
// has shape[i] elements.
func decodeData(raw []byte, t *ops.Tensor, datatype string) error {
	sc := scanner{b: raw, t: t, datatype: datatype}
	sc.space()
	dims := []int{t.Len()}
	if len(t.Shape) > 1 && sc.nestedAhead() {
		dims = t.Shape
	}
	if err := sc.array(dims, 0); err != nil {
		return err
	}
	if sc.space(); sc.pos < len(sc.b) {
		return fmt.Errorf("data: unexpected %s after the array", quoteToken(sc.b[sc.pos:]))
	}
	return nil
}

// scanner reads a JSON array of numbers or booleans into a tensor.
type scanner struct {
	b        []byte
	pos      int
	t        *ops.Tensor
	datatype string
	n        int // elements stored
}

func (sc *scanner) space() {
	for sc.pos < len(sc.b) {
		switch sc.b[sc.pos] {
		case ' ', '\t', '\n', '\r':
			sc.pos++
		default:
			return
		}
	}
}

// eat consumes c if it is next.
func (sc *scanner) eat(c byte) bool {
	if sc.pos < len(sc.b) && sc.b[sc.pos] == c {
		sc.pos++
		return true
	}
	return false
}

// nestedAhead reports whether the array starting here opens with an array.
func (sc *scanner) nestedAhead() bool {
	p := scanner{b: sc.b, pos: sc.pos}
	if !p.eat('[') {
		return false
	}
	p.space()
	return p.eat('[')
}

// array reads an array of dims[0] elements, each an array of dims[1:]
// when there are more dimensions, else a value; depth is its nesting.
func (sc *scanner) array(dims []int, depth int) error {
	if !sc.eat('[') {
		if depth == 0 {
			return fmt.Errorf("data: want an array, got %s", quoteToken(sc.b[sc.pos:]))
		}
		return fmt.Errorf("data: element %d: want an array nested as shape %v (or flat data), got %s", sc.n, sc.t.Shape, quoteToken(sc.b[sc.pos:]))
	}
	count := 0
	sc.space()
	if !sc.eat(']') {
		for {
			if count == dims[0] {
				return sc.countError(dims, depth, fmt.Sprint("more than ", dims[0]))
			}
			if len(dims) > 1 {
				if err := sc.array(dims[1:], depth+1); err != nil {
					return err
				}
			} else if err := sc.value(); err != nil {
				return fmt.Errorf("data: element %d: %w", sc.n, err)
			}
			count++
			sc.space()
			if sc.eat(',') {
				sc.space()
				continue
			}
			if sc.eat(']') {
				break
			}
			return fmt.Errorf("data: after element %d: want , or ], got %s", sc.n-1, quoteToken(sc.b[sc.pos:]))
		}
	}
	if count != dims[0] {
		return sc.countError(dims, depth, fmt.Sprint(count))
	}
	return nil
}

// countError says an array at depth holds the wrong number of elements.
func (sc *scanner) countError(dims []int, depth int, got string) error {
	if len(dims) == 1 && depth == 0 {
		return fmt.Errorf("data: %s elements, but shape %v has %d", got, sc.t.Shape, dims[0])
	}
	return fmt.Errorf("data: an array at depth %d holds %s elements, but dimension %d of shape %v is %d", depth, got, depth, sc.t.Shape, dims[0])
}

// value reads the next element into the tensor.
func (sc *scanner) value() error {
	start := sc.pos
	for sc.pos < len(sc.b) && isTokenByte(sc.b[sc.pos]) {
		sc.pos++
	}
	tok := sc.b[start:sc.pos]
	if len(tok) == 0 {
		if sc.pos == len(sc.b) {
			return errors.New("the data end early")
		}
		what := map[byte]string{'"': "a string", '[': "an array", '{': "an object"}[sc.b[sc.pos]]
		if what == "" {
			return fmt.Errorf("unexpected %s", quoteToken(sc.b[sc.pos:]))
		}
		return fmt.Errorf("%s; %s data are %s", what, sc.datatype, elementKind(sc.t.Type))
	}
	if err := store(sc.t, sc.n, tok, sc.datatype); err != nil {
		return err
	}
	sc.n++
	return nil
}

// isTokenByte reports whether c can be part of a JSON number or literal.
func isTokenByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// isNumber reports whether tok is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(tok []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(tok) && tok[i] == '-' {
		i++
	}
	if i < len(tok) && tok[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(tok) && tok[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(tok)
}

// elementKind says what the JSON elements of a type are.
func elementKind(dt onnx.DataType) string {
	if dt == onnx.Bool {
		return "true or false"
	}
	return "numbers"
}

// store parses tok and stores it as element i of t.
func store(t *ops.Tensor, i int, tok []byte, datatype string) error {
	s := unsafe.String(unsafe.SliceData(tok), len(tok)) // parsed here, not kept
	if t.Type == onnx.Bool {
		switch s {
		case "true":
			t.Data[i] = 1
		case "false":
			t.Data[i] = 0
		default:
			return fmt.Errorf("%s is not true or false", quoteToken(tok))
		}
		return nil
	}
	if !isNumber(tok) {
		return fmt.Errorf("%s is not a number", quoteToken(tok))
	}
	switch t.Type {
	case onnx.Float, onnx.Float16, onnx.BFloat16:
		f, err := parseFloat(s, 32, datatype)
		if err != nil {
			return err
		}
		v := float32(f)
		switch t.Type {
		case onnx.Float:
			t.F32()[i] = v
		case onnx.Float16:
			h := onnx.F32ToF16(v)
			if h&0x7fff == 0x7c00 {
				return fmt.Errorf("%s is out of range for FP16", quoteToken(tok))
			}
			t.U16()[i] = h
		default:
			h := onnx.F32ToBF16(v)
			if h&0x7fff == 0x7f80 {
				return fmt.Errorf("%s is out of range for BF16", quoteToken(tok))
			}
			t.U16()[i] = h
		}
	case onnx.Double:
		f, err := parseFloat(s, 64, datatype)
		if err != nil {
			return err
		}
		t.F64()[i] = f
	case onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64:
		bits := 8 * ops.ElemSize(t.Type)
		v, err := parseInt(s, bits, datatype)
		if err != nil {
			return err
		}
		switch bits {
		case 8:
			t.I8()[i] = int8(v)
		case 16:
			t.I16()[i] = int16(v)
		case 32:
			t.I32()[i] = int32(v)
		default:
			t.I64()[i] = v
		}
	case onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64:
		bits := 8 * ops.ElemSize(t.Type)
		v, err := parseUint(s, bits, datatype)
		if err != nil {
			return err
		}
		switch bits {
		case 8:
			t.U8()[i] = uint8(v)
		case 16:
			t.U16()[i] = uint16(v)
		case 32:
			t.U32()[i] = uint32(v)
		default:
			t.U64()[i] = v
		}
	default:
		return fmt.Errorf("%s data cannot be computed", datatype)
	}
	return nil
}

// The parsers below get valid JSON numbers (see isNumber), which strconv
// refuses only when they are out of range.

func parseFloat(s string, bits int, datatype string) (float64, error) {
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		return 0, outOfRange(s, datatype)
	}
	return f, nil
}

// parseInt reads a signed integer of the given bits; an integral number
// written with a fraction or an exponent (3.0, 1e3) is one too.
func parseInt(s string, bits int, datatype string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, bits)
	if err == nil {
		return v, nil
	}
	lim := math.Ldexp(1, bits-1)
	f, err := integral(s, err, datatype, -lim, lim)
	return int64(f), err
}

// parseUint reads an unsigned integer of the given bits (see parseInt).
func parseUint(s string, bits int, datatype string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, bits)
	if err == nil {
		return v, nil
	}
	f, err := integral(s, err, datatype, 0, math.Ldexp(1, bits))
	return uint64(f), err
}

// integral reads s, which strconv's integer parser refused with err, as
// an integral number in [lo, hi) written as a float (3.0, 1e3, -0).
func integral(s string, err error, datatype string, lo, hi float64) (float64, error) {
	if errors.Is(err, strconv.ErrRange) {
		return 0, outOfRange(s, datatype)
	}
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil || f < lo || f >= hi:
		return 0, outOfRange(s, datatype)
	case f != math.Trunc(f):
		return 0, fmt.Errorf("%s is not an integer", quoteToken([]byte(s)))
	}
	return f, nil
}

func outOfRange(s, datatype string) error {
	return fmt.Errorf("%s is out of range for %s", quoteToken([]byte(s)), datatype)
}

// quoteToken quotes the start of b for an error message.
func quoteToken(b []byte) string {
	if len(b) == 0 {
		return "the end of the data"
	}
	const max = 24
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// appendData appends t's elements as a flat JSON array. NaN and infinite
// elements, which JSON cannot hold, are null. Floats are written in the
// fewest digits that read back as the same value of their type.
func appendData(b []byte, t *ops.Tensor) []byte {
	b = append(b, '[')
	switch t.Type {
	case onnx.Float:
		b = appendFloats(b, t.F32(), 32)
	case onnx.Double:
		b = appendFloats(b, t.F64(), 64)
	case onnx.Float16, onnx.BFloat16:
		widen := onnx.F16ToF32
		if t.Type == onnx.BFloat16 {
			widen = onnx.BF16ToF32
		}
		for i, h := range t.U16() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendFloat(b, float64(widen(h)), 32)
		}
	case onnx.Int8:
		b = appendInts(b, t.I8())
	case onnx.Int16:
		b = appendInts(b, t.I16())
	case onnx.Int32:
		b = appendInts(b, t.I32())
	case onnx.Int64:
		b = appendInts(b, t.I64())
	case onnx.Uint8:
		b = appendUints(b, t.U8())
	case onnx.Uint16:
		b = appendUints(b, t.U16())
	case onnx.Uint32:
		b = appendUints(b, t.U32())
	case onnx.Uint64:
		b = appendUints(b, t.U64())
	case onnx.Bool:
		for i, v := range t.Data {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendBool(b, v != 0)
		}
	}
	return append(b, ']')
}

func appendFloats[T float32 | float64](b []byte, v []T, bits int) []byte {
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, float64(x), bits)
	}
	return b
}

func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, bits)
}

func appendInts[T int8 | int16 | int32 | int64](b []byte, v []T) []byte {
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return b
}

func appendUints[T uint8 | uint16 | uint32 | uint64](b []byte, v []T) []byte {
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(x), 10)
	}
	return b
}
