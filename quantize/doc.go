// Package quantize turns a float ONNX model into an int8 one by
// post-training static quantization, in Go: it runs the model over
// calibration images, picks a range for each activation, and writes a QDQ
// model (QuantizeLinear and DequantizeLinear pairs around the tensors, ONNX
// standard operators at opset 13 or later) that edgeinfer and ONNX Runtime
// both run.
//
//	m, err := onnx.Open("squeezenet.onnx")
//	src, err := quantize.ImageDir("photos/")             // or Images(paths...), RandomImages(n, seed), Tensors(...)
//	res, err := quantize.Quantize(ctx, m, src, quantize.Options{Method: quantize.Percentile, PerChannel: true})
//	err = onnx.WriteFile("squeezenet-int8.onnx", res.Model)
//	res.Report.WriteText(os.Stdout, 10)                  // top-1 agreement, SQNR of the outputs and of the worst layers
//
// Images are decoded and preprocessed as edgeinfer's classification does
// (preprocess.Auto reads size, layout and normalisation from the model).
//
// # What is quantized
//
// The rules are those of ONNX Runtime's QDQ quantizer (quantize_static with
// QuantFormat.QDQ and its defaults), so that its tools and ONNX Runtime's
// own QDQ fusions apply to the result:
//
//   - Conv, Gemm and MatMul: the activation input and the output are
//     quantized; constant weights become int8, symmetric (zero point 0,
//     values -127..127), one scale per tensor or, with Options.PerChannel,
//     per output channel (a Conv's axis 0; a Gemm's axis 0 or 1 by transB; a
//     MatMul's last); a constant bias of one value per output channel
//     becomes int32 with scale input scale × weight scale and zero point 0
//     (a Gemm's only when alpha and beta are 1). A weight scale is raised
//     where a bias would not fit int32.
//   - Add, Mul, Concat, GlobalAveragePool, ReduceMean: every activation
//     input and the output are quantized, each with its own range;
//     constant inputs of Add and Mul as int8 weights (ReduceMean's axes
//     stay as they are).
//   - MaxPool, AveragePool, Reshape, Flatten, Transpose, Squeeze,
//     Unsqueeze, Split whose input is quantized: the output (every output
//     of a Split) is quantized with the input's scale and zero point (they
//     only move or select values), so that a channel shuffle and split
//     (ShuffleNet) run on the quantized tensor.
//   - Relu, and Clip with constant bounds, whose input is quantized: fused
//     into the producer's quantized range (the node is removed; the uint8
//     range, calibrated on its output, clamps as it did) when that is exact:
//     the input has its own range, is written by a quantized node, read by
//     nothing else and not a graph output, and the bounds hold 0 (Relu,
//     Relu6). Otherwise the output is quantized with its own range.
//   - Activations are uint8, asymmetric: scale (max-min)/255 and zero point
//     round(-min/scale) over the calibrated range widened to hold 0.
//
// Every reader of a quantized tensor reads its dequantized value. Other
// operators (Softmax, Sigmoid, Resize...) stay in float, and so do graph
// outputs and, unlike ONNX Runtime, tensors that no quantized node reads
// (a classifier's scores before its Softmax): quantizing them would add
// noise for no integer kernel's benefit. Options.Exclude leaves named
// nodes in float.
//
// Before quantizing, the model is prepared as ONNX Runtime's optimizer
// would prepare it: BatchNormalization is folded into the Conv before it,
// inference Dropout and Identity are removed, float16 weights are widened,
// nodes without a name are named after their first output, and a model
// below opset 13 is upgraded to it (the operators whose meaning changed on
// the way, such as Softmax, Clip, Squeeze or Pad, are rewritten; a model
// using an operator the upgrade does not know fails with
// ErrUnsupportedModel).
//
// # Calibration
//
// Method chooses an activation's range from its values on the calibration
// set: MinMax takes their extremes; Percentile drops the most extreme
// (100-Percentile)/2 percent at each end, on a histogram of the values;
// Entropy clips where the Kullback-Leibler divergence between the
// histogram of absolute values and its quantized form is smallest
// (EntropyThreshold). The histogram methods take one more pass over the
// calibration set. MinMax is the default, as in ONNX Runtime.
//
// # Report
//
// Quantize then runs both models over the calibration set and reports the
// top-1 agreement of the first output (for a classifier), the
// signal-to-quantization-noise ratio of each output, and per quantized
// layer the SQNR of the layer run alone in its quantized form on the float
// model's inputs (the error it causes, the input error it amplifies
// included), of its weights, of its output's quantization, and of its
// output against the float model's. The layers listed first cause the most
// error and are the ones to try leaving in float.
//
// The calibration runs observe intermediate tensors by loading a copy of
// the model whose graph outputs include them, so a run holds all of them
// in memory at once.
package quantize
