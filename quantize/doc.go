// Package quantize turns float ONNX models into int8 ones by post-training
// static quantization. This first part prepares a model for it: nodes named,
// the default domain upgraded to opset 13 (the first with per-axis
// QuantizeLinear and DequantizeLinear), BatchNormalization folded into the
// Conv before it, inference Dropout and Identity removed, float16 weights
// widened.
package quantize
