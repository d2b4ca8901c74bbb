// Package quant holds the quantization operators: QuantizeLinear,
// DequantizeLinear, QLinearConv and QLinearMatMul. They register
// themselves with package ops when this package is imported.
package quant
