package ops

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// FromProto converts an ONNX tensor to a Tensor; dir is the model's folder,
// where external data is looked up. FLOAT16 and BFLOAT16 elements are widened
// to Float in a new buffer. Other computed types alias the proto's bytes (and
// so the model file's mapping) when their address suits the element size,
// and are copied into aligned storage otherwise. Types that are not computed
// (STRING, the FLOAT8 family, INT4...) give an error naming the tensor and
// wrapping ErrUnsupported.
func FromProto(p *onnx.Tensor, dir string) (*Tensor, error) { return FromProtoReleasing(p, dir, nil) }

// copyChunk is the bytes FromProtoReleasing copies before it calls its
// release function.
const copyChunk = 4 << 20

// smallCopy is the size under which FromProtoReleasing copies raw data
// even when it is aligned.
const smallCopy = 64 << 10

// FromProtoReleasing is FromProto that, when it copies or widens the raw
// data, does so copyChunk bytes at a time and calls release (when not nil)
// with each run of raw bytes it has finished reading, so that the caller
// can drop a mapped file's pages as they are copied: the file and the copy
// of a large initializer (AlexNet's 151 MB layer) are then never resident
// together. With a release function it also copies raw data smaller than
// smallCopy (biases, shapes, scales), aligned or not: read in place in
// every run, each would fault in the whole page-cache folio around it
// (up to 2 MiB of a file just written), and hold that resident, mostly
// other layers' weights that their packed copies replaced.
func FromProtoReleasing(p *onnx.Tensor, dir string, release func(raw []byte)) (*Tensor, error) {
	size := ElemSize(p.DataType)
	if size == 0 {
		return nil, fmt.Errorf("tensor %q: element type %s: %w", p.Name, p.DataType, ErrUnsupported)
	}
	shape := make([]int, len(p.Dims))
	for i, d := range p.Dims {
		if d < 0 || d > math.MaxInt {
			return nil, fmt.Errorf("tensor %q: dimension %d of %v is out of range", p.Name, i, p.Dims)
		}
		shape[i] = int(d)
	}
	b, err := p.Bytes(dir) // checks the byte count against the shape
	if err != nil {
		return nil, err
	}
	done := func(raw []byte) {
		if release != nil {
			release(raw)
		}
	}
	switch p.DataType {
	case onnx.Float16, onnx.BFloat16:
		widen := onnx.F16ToF32
		if p.DataType == onnx.BFloat16 {
			widen = onnx.BF16ToF32
		}
		t := New(onnx.Float, shape...)
		dst := t.F32()
		for c := 0; c < len(dst); c += copyChunk / 2 {
			end := min(len(dst), c+copyChunk/2)
			for i := c; i < end; i++ {
				dst[i] = widen(binary.LittleEndian.Uint16(b[2*i:]))
			}
			done(b[2*c : 2*end])
		}
		return t, nil
	}
	t := &Tensor{Type: p.DataType, Shape: shape, Data: b}
	if len(b) > 0 && (uintptr(unsafe.Pointer(&b[0]))%uintptr(size) != 0 || release != nil && len(b) < smallCopy) {
		t.Data = AlignedBytes(len(b))
		for c := 0; c < len(b); c += copyChunk {
			end := min(len(b), c+copyChunk)
			copy(t.Data[c:end], b[c:end])
			done(b[c:end])
		}
	}
	return t, nil
}

// ToProto converts t to an ONNX tensor named name whose raw_data holds a copy
// of the elements. A Float tensor is narrowed to FLOAT16 or BFLOAT16 (round
// to nearest even) when as says so; as is otherwise ignored.
func ToProto(t *Tensor, name string, as DType) *onnx.Tensor {
	p := &onnx.Tensor{Name: name, DataType: t.Type, Dims: make([]int64, len(t.Shape))}
	for i, d := range t.Shape {
		p.Dims[i] = int64(d)
	}
	if t.Type == onnx.Float && (as == onnx.Float16 || as == onnx.BFloat16) {
		narrow := onnx.F32ToF16
		if as == onnx.BFloat16 {
			narrow = onnx.F32ToBF16
		}
		p.DataType = as
		src := t.F32()[:t.Len()]
		p.RawData = make([]byte, 2*len(src))
		for i, v := range src {
			binary.LittleEndian.PutUint16(p.RawData[2*i:], narrow(v))
		}
		return p
	}
	p.RawData = append([]byte{}, t.Data[:t.Len()*ElemSize(t.Type)]...)
	return p
}
