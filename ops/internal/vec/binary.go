package vec

import "fmt"

// Op is a binary float32 function of Binary, BinaryScalar and
// ScalarBinary: IEEE arithmetic, and the NaN-propagating Max and Min of
// the ONNX element-wise operators.
type Op int

// The binary functions of a and b.
const (
	OpAdd Op = iota // a + b
	OpSub           // a - b
	OpMul           // a * b
	OpDiv           // a / b
	OpMax           // a if a > b or a is NaN, else b: NaN when either is
	OpMin           // a if a < b or a is NaN, else b: NaN when either is
)

// Binary sets d[i] = a[i] op b[i] for every i of d; a and b must be at
// least as long. d may be a or b, but must not overlap them otherwise.
func Binary(op Op, d, a, b []float32) {
	op.check()
	a, b = a[:len(d)], b[:len(d)]
	i := binaryAsm(op, d, a, b)
	binaryGo(op, d[i:], a[i:], b[i:])
}

// BinaryScalar sets d[i] = a[i] op s for every i of d; a must be at least
// as long. d may be a, but must not overlap it otherwise.
func BinaryScalar(op Op, d, a []float32, s float32) {
	op.check()
	a = a[:len(d)]
	i := binaryScalarAsm(op, d, a, s)
	binaryScalarGo(op, d[i:], a[i:], s)
}

// ScalarBinary sets d[i] = s op b[i] for every i of d; b must be at least
// as long. d may be b, but must not overlap it otherwise.
func ScalarBinary(op Op, d []float32, s float32, b []float32) {
	op.check()
	b = b[:len(d)]
	i := scalarBinaryAsm(op, d, s, b)
	scalarBinaryGo(op, d[i:], s, b[i:])
}

// check panics unless op is one of the Op constants: the assembly loops
// trust it.
func (op Op) check() {
	if op < OpAdd || op > OpMin {
		panic(fmt.Sprintf("vec: unknown binary Op %d", int(op)))
	}
}

// opMax and opMin are OpMax and OpMin on one pair: a > b (a < b) is false
// when either is NaN, so a NaN a is kept by the second test and a NaN b
// is chosen by falling through.
func opMax(a, b float32) float32 {
	if a > b || a != a {
		return a
	}
	return b
}

func opMin(a, b float32) float32 {
	if a < b || a != a {
		return a
	}
	return b
}

// binaryGo is Binary's loop in Go, one tight loop per function.
func binaryGo(op Op, d, a, b []float32) {
	a, b = a[:len(d)], b[:len(d)]
	switch op {
	case OpAdd:
		for i := range d {
			d[i] = a[i] + b[i]
		}
	case OpSub:
		for i := range d {
			d[i] = a[i] - b[i]
		}
	case OpMul:
		for i := range d {
			d[i] = a[i] * b[i]
		}
	case OpDiv:
		for i := range d {
			d[i] = a[i] / b[i]
		}
	case OpMax:
		for i := range d {
			d[i] = opMax(a[i], b[i])
		}
	case OpMin:
		for i := range d {
			d[i] = opMin(a[i], b[i])
		}
	}
}

// binaryScalarGo is BinaryScalar's loop in Go.
func binaryScalarGo(op Op, d, a []float32, s float32) {
	a = a[:len(d)]
	switch op {
	case OpAdd:
		for i, v := range a {
			d[i] = v + s
		}
	case OpSub:
		for i, v := range a {
			d[i] = v - s
		}
	case OpMul:
		for i, v := range a {
			d[i] = v * s
		}
	case OpDiv:
		for i, v := range a {
			d[i] = v / s
		}
	case OpMax:
		for i, v := range a {
			d[i] = opMax(v, s)
		}
	case OpMin:
		for i, v := range a {
			d[i] = opMin(v, s)
		}
	}
}

// scalarBinaryGo is ScalarBinary's loop in Go.
func scalarBinaryGo(op Op, d []float32, s float32, b []float32) {
	b = b[:len(d)]
	switch op {
	case OpAdd:
		for i, v := range b {
			d[i] = s + v
		}
	case OpSub:
		for i, v := range b {
			d[i] = s - v
		}
	case OpMul:
		for i, v := range b {
			d[i] = s * v
		}
	case OpDiv:
		for i, v := range b {
			d[i] = s / v
		}
	case OpMax:
		for i, v := range b {
			d[i] = opMax(s, v)
		}
	case OpMin:
		for i, v := range b {
			d[i] = opMin(s, v)
		}
	}
}
