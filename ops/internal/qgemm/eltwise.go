package qgemm

import (
	"encoding/binary"
	"fmt"
)

// Element-wise loops of the quantized operators, in SIMD where this CPU
// has them: quantization of float32 values (QuantizeLinear per tensor),
// the float32 sum of two scaled 8-bit operands (QLinearAdd, as ONNX
// Runtime computes it on x86: fused multiply-adds) and the maximum of
// 8-bit values (MaxPool on quantized tensors). Each computes a
// prefix of its output and returns its length; the caller's Go loop does
// the rest, and all of it on CPUs without them.

// Quantize stores saturate(round_half_even(src[i]/scale) + zp) in dst[i]
// (uint8, or int8 when signed), the quotient rounded to float32, for a
// prefix of src, and returns its length.
func Quantize(dst []byte, src []float32, scale float32, zp int32, signed bool) int {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("qgemm: Quantize of %d values into %d", len(src), len(dst)))
	}
	lo, hi := outRange(signed)
	return quantizeAsm(dst, src, scale, zp, lo-float32(zp), hi-float32(zp))
}

// AddScaled stores saturate(round_half_even(fma(a[i], ra, fma(b[i], rb,
// c)))) in dst[i] for a prefix of dst, the operands and result uint8 (or
// int8 when signed), and returns its length. A nil b is b[i]·rb = 0:
// dst[i] = saturate(round_half_even(fma(a[i], ra, c))).
func AddScaled(dst, a, b []byte, ra, rb, c float32, signed bool) int {
	if len(a) < len(dst) || b != nil && len(b) < len(dst) {
		panic(fmt.Sprintf("qgemm: AddScaled of %d and %d values into %d", len(a), len(b), len(dst)))
	}
	lo, hi := outRange(signed)
	return addScaledAsm(dst, a, b, ra, rb, c, lo, hi, signed)
}

// MulScaled stores saturate(round_half_even(float32((a[i]-za)·(b[i]-zb))·r
// + c)), the product exact in int32 and the multiply and the add each
// rounded to float32 (as QLinearMul computes), in dst[i] for a prefix of
// dst, and returns its length. The operands and result are uint8, or int8
// when signed; a b of one value is broadcast.
func MulScaled(dst, a, b []byte, za, zb int32, r, c float32, signed bool) int {
	bc := b
	if len(b) == 1 && len(dst) > 1 {
		bc, zb = nil, value(b[0], signed)-zb
	}
	if len(a) < len(dst) || bc != nil && len(bc) < len(dst) {
		panic(fmt.Sprintf("qgemm: MulScaled of %d and %d values into %d", len(a), len(b), len(dst)))
	}
	lo, hi := outRange(signed)
	return mulScaledAsm(dst, a, bc, za, zb, r, c, lo, hi, signed)
}

// Lookup sets dst[i] = table[src[i]] for every i < len(dst), in SIMD
// where this CPU has it: an 8-bit operator with one input (QLinearSigmoid,
// QLinearLeakyRelu, a requantizing copy) as a table of its 256 results.
func Lookup(dst, src []byte, table *[256]byte) {
	src = src[:len(dst)]
	for i := lookupAsm(dst, src, table); i < len(dst); i++ {
		dst[i] = table[src[i]]
	}
}

// Max3S2Bytes sets dst[i] = max(src[2i], src[2i+1], src[2i+2]) for 8-bit
// values (uint8, or int8 when signed), in SIMD where this CPU has it: the
// 3-wide stride-2 window of a quantized MaxPool along a row.
func Max3S2Bytes(dst, src []byte, signed bool) {
	src = src[:2*len(dst)+1]
	i := max3s2BytesAsm(dst, src, signed)
	for ; i < len(dst); i++ {
		a, b, c := src[2*i], src[2*i+1], src[2*i+2]
		if signed {
			dst[i] = byte(max(int8(a), int8(b), int8(c)))
		} else {
			dst[i] = max(a, b, c)
		}
	}
}

// MaxBytes sets dst[i] = max(dst[i], src[i]) for 8-bit values (uint8, or
// int8 when signed), in SIMD where this CPU has it; src may overlap dst
// starting at or after it (a sliding window's maximum).
func MaxBytes(dst, src []byte, signed bool) {
	src = src[:len(dst)]
	done := maxBytesAsm(dst, src, signed)
	if signed {
		for i := done; i < len(dst); i++ {
			dst[i] = byte(max(int8(dst[i]), int8(src[i])))
		}
		return
	}
	for i := done; i < len(dst); i++ {
		dst[i] = max(dst[i], src[i])
	}
}

// outRange is the range of uint8, or int8 when signed.
func outRange(signed bool) (lo, hi float32) {
	if signed {
		return -128, 127
	}
	return 0, 255
}

// SumBytes is the sum of b's values, uint8 (int8 when signed): a
// QLinearGlobalAveragePool's sum over a plane. A SIMD prefix where this
// CPU has one (armv7 NEON), then eight at a time: each 64-bit word's even
// and odd bytes are added into four 16-bit lanes, which hold the sums of
// up to 128 words before they are folded into the total. Signed values
// are offset by 128 (their top bit flipped) and the offset taken back at
// the end.
func SumBytes(b []byte, signed bool) int32 {
	const even = 0x00ff00ff00ff00ff
	var flip uint64
	if signed {
		flip = 0x8080808080808080
	}
	i, total := sumBytesAsm(b, byte(flip))
	for i+8 <= len(b) {
		var lanes uint64
		for n := 0; n < 128 && i+8 <= len(b); n, i = n+1, i+8 {
			w := binary.LittleEndian.Uint64(b[i:]) ^ flip
			lanes += w&even + w>>8&even
		}
		total += int64(lanes&0xffff + lanes>>16&0xffff + lanes>>32&0xffff + lanes>>48)
	}
	for ; i < len(b); i++ {
		total += int64(b[i] ^ byte(flip))
	}
	if signed {
		total -= 128 * int64(len(b))
	}
	return int32(total)
}
