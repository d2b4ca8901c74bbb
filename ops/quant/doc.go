// Package quant holds the quantized operators: QuantizeLinear,
// DequantizeLinear and DynamicQuantizeLinear; QLinearConv, ConvInteger,
// QLinearMatMul and MatMulInteger, on the packed integer product of
// igemm.go; and the com.microsoft operators ONNX Runtime's quantizer
// writes (QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu,
// QLinearAveragePool, QLinearGlobalAveragePool, QLinearConcat,
// QLinearSoftmax, QGemm, QuantizeLinear, DequantizeLinear), computed as
// ONNX Runtime computes them. They register themselves with package ops
// when this package is imported.
package quant
