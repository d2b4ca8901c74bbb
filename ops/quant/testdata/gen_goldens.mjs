#!/usr/bin/env node
// gen_goldens.mjs writes the golden tests of ops/quant/testdata/ort: one
// backend-style directory per case (model.onnx with the node, its scales
// and zero points as initializers, test_data_set_0 with the data inputs and
// ONNX Runtime's outputs). It needs ONNX Runtime: copy ../shared/reference
// somewhere writable, run `npm ci` there, copy this file in and run
//   node gen_goldens.mjs OUTDIR [NAME_PREFIX...]
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;
const outRoot = process.argv[2];
if (!outRoot) { console.error('usage: node gen_goldens.mjs OUTDIR'); process.exit(2); }

function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const arrays = { u8: Uint8Array, i8: Int8Array, f32: Float32Array, i32: Int32Array, u16: Uint16Array, i16: Int16Array };
const dtypes = { u8: DT.UINT8, i8: DT.INT8, f32: DT.FLOAT, i32: DT.INT32, u16: DT.UINT16, i16: DT.INT16 };
const ortTypes = { u8: 'uint8', i8: 'int8', f32: 'float32', i32: 'int32', u16: 'uint16', i16: 'int16' };
const count = (dims) => dims.reduce((a, b) => a * b, 1);

// Tensor makers: q(type, dims) random over the whole range, s(v) a scalar scale, z(type, v) a scalar zero point.
function maker(r) {
  return {
    q: (t, dims) => {
      const n = count(dims), v = new arrays[t](n);
      for (let i = 0; i < n; i++) v[i] = t === 'u8' ? Math.floor(r() * 256) : Math.floor(r() * 256) - 128;
      return { t, dims, v };
    },
    all: (t) => { const v = new arrays[t](256); for (let i = 0; i < 256; i++) v[i] = t === 'u8' ? i : i - 128; return { t, dims: [256], v }; },
    s: (x, dims = []) => ({ t: 'f32', dims, v: Float32Array.from(Array.isArray(x) ? x : [x]) }),
    z: (t, x, dims = []) => ({ t, dims, v: arrays[t].from(Array.isArray(x) ? x : [x]) }),
    f: (dims, lo, hi) => { const n = count(dims), v = new Float32Array(n); for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * r(); return { t: 'f32', dims, v }; },
    i32: (dims, lo, hi) => { const n = count(dims), v = new Int32Array(n); for (let i = 0; i < n; i++) v[i] = lo + Math.floor((hi - lo) * r()); return { t: 'i32', dims, v }; },
  };
}

function attr(name, v) {
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: AT.INTS, ints: v });
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: AT.STRING, s: Buffer.from(v) });
  if (Number.isInteger(v.i)) return onnx.AttributeProto.create({ name, type: AT.INT, i: v.i });
  return onnx.AttributeProto.create({ name, type: AT.FLOAT, f: v.f });
}
const tensorProto = (name, x) => onnx.TensorProto.create({ name, dims: x.dims, dataType: dtypes[x.t], rawData: new Uint8Array(x.v.buffer, x.v.byteOffset, x.v.byteLength) });
const valueInfo = (name, t) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: dtypes[t] } } });

// A case: op type, domain, attributes, inputs [name, tensor, isData] (null for an omitted input), output type.
async function emit(name, op, domain, attrs, inputs, outType, opset = 13) {
  const outTypes = Array.isArray(outType) ? outType : [outType];
  const outNames = outTypes.map((_, j) => (j ? `y${j}` : 'y'));
  const node = onnx.NodeProto.create({
    opType: op, domain, name: 'n', input: inputs.map((x) => (x ? x[0] : '')), output: outNames,
    attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
  });
  const present = inputs.filter((x) => x);
  const data = present.filter((x) => x[2]);
  const graph = onnx.GraphProto.create({
    name, node: [node],
    initializer: present.filter((x) => !x[2]).map(([n, x]) => tensorProto(n, x)),
    input: data.map(([n, x]) => onnx.ValueInfoProto.create({ name: n, type: { tensorType: { elemType: dtypes[x.t], shape: { dim: x.dims.map((d) => ({ dimValue: d })) } } } })),
    output: outNames.map((n, j) => valueInfo(n, outTypes[j])),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'edgeinfer gen_goldens.mjs', graph,
    opsetImport: [{ domain: '', version: opset }, { domain: 'com.microsoft', version: 1 }],
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  const dir = path.join(outRoot, name);
  fs.mkdirSync(path.join(dir, 'test_data_set_0'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), bytes);
  const sess = await ort.InferenceSession.create(Buffer.from(bytes), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const feeds = {};
  data.forEach(([n, x], k) => {
    feeds[n] = new ort.Tensor(ortTypes[x.t], x.v, x.dims);
    fs.writeFileSync(path.join(dir, 'test_data_set_0', `input_${k}.pb`), onnx.TensorProto.encode(tensorProto(n, x)).finish());
  });
  const res = await sess.run(feeds);
  outNames.forEach((n, j) => {
    const out = res[n];
    const t = Object.keys(ortTypes).find((k) => ortTypes[k] === out.type);
    fs.writeFileSync(path.join(dir, 'test_data_set_0', `output_${j}.pb`),
      onnx.TensorProto.encode(tensorProto(n, { t, dims: out.dims, v: out.data })).finish());
    console.log(name, n, out.type, JSON.stringify(out.dims), Array.from(out.data.slice(0, 8)).join(' '));
  });
}

const cases = [];
const add = (name, seed, fn) => cases.push([name, seed, fn]);

// QLinearAdd and QLinearMul: same shapes (past the 32-element vector loop), a broadcast operand, a scalar one.
for (const [op, kind] of [['QLinearAdd', 'add'], ['QLinearMul', 'mul']]) {
  for (const t of ['u8', 'i8']) {
    const sc = kind === 'add' ? [0.0213, 0.0371, 0.0452] : [0.0213, 0.0371, 0.153];
    add(`qlinear${kind}_${t}`, 11, (m) => [op, 'com.microsoft', {}, [
      ['A', m.q(t, [2, 3, 7]), true], ['A_scale', m.s(sc[0])], ['A_zero_point', m.z(t, t === 'u8' ? 131 : -7)],
      ['B', m.q(t, [2, 3, 7]), true], ['B_scale', m.s(sc[1])], ['B_zero_point', m.z(t, t === 'u8' ? 97 : 12)],
      ['C_scale', m.s(sc[2])], ['C_zero_point', m.z(t, t === 'u8' ? 120 : 3)]], t]);
    add(`qlinear${kind}_${t}_broadcast`, 12, (m) => [op, 'com.microsoft', {}, [
      ['A', m.q(t, [3, 1, 5]), true], ['A_scale', m.s(sc[0])], ['A_zero_point', m.z(t, t === 'u8' ? 128 : 0)],
      ['B', m.q(t, [4, 1]), true], ['B_scale', m.s(sc[1])], ['B_zero_point', m.z(t, t === 'u8' ? 100 : -20)],
      ['C_scale', m.s(sc[2])], ['C_zero_point', m.z(t, t === 'u8' ? 140 : -3)]], t]);
    add(`qlinear${kind}_${t}_scalar`, 13, (m) => [op, 'com.microsoft', {}, [
      ['A', m.q(t, []), true], ['A_scale', m.s(sc[0])], ['A_zero_point', m.z(t, t === 'u8' ? 110 : 5)],
      ['B', m.q(t, [37]), true], ['B_scale', m.s(sc[1])], ['B_zero_point', m.z(t, 0)],
      ['C_scale', m.s(sc[2])], ['C_zero_point', m.z(t, t === 'u8' ? 3 : -3)]], t]);
  }
}

// Lookup-table operators over every input value.
for (const t of ['u8', 'i8']) {
  add(`qlinearsigmoid_${t}`, 21, (m) => ['QLinearSigmoid', 'com.microsoft', {}, [
    ['X', m.all(t), true], ['X_scale', m.s(0.0471)], ['X_zero_point', m.z(t, t === 'u8' ? 127 : 3)],
    ['Y_scale', m.s(1 / 256)], ['Y_zero_point', m.z(t, t === 'u8' ? 0 : -128)]], t]);
  add(`qlinearsigmoid_${t}_wide`, 22, (m) => ['QLinearSigmoid', 'com.microsoft', {}, [
    ['X', m.all(t), true], ['X_scale', m.s(0.0137)], null, ['Y_scale', m.s(0.0029)], null], t]);
  add(`qlinearleakyrelu_${t}`, 23, (m) => ['QLinearLeakyRelu', 'com.microsoft', { alpha: { f: 0.1 } }, [
    ['X', m.all(t), true], ['X_scale', m.s(0.0671)], ['X_zero_point', m.z(t, t === 'u8' ? 100 : -10)],
    ['Y_scale', m.s(0.0533)], ['Y_zero_point', m.z(t, t === 'u8' ? 37 : -90)]], t]);
  add(`qlinearleakyrelu_${t}_default`, 24, (m) => ['QLinearLeakyRelu', 'com.microsoft', {}, [
    ['X', m.all(t), true], ['X_scale', m.s(0.25)], ['X_zero_point', m.z(t, t === 'u8' ? 128 : 0)],
    ['Y_scale', m.s(0.125)], ['Y_zero_point', m.z(t, t === 'u8' ? 128 : 0)]], t]);
}

// Pools.
add('qlinearglobalaveragepool_u8', 31, (m) => ['QLinearGlobalAveragePool', 'com.microsoft', {}, [
  ['X', m.q('u8', [2, 3, 5, 7]), true], ['x_scale', m.s(0.0391)], ['x_zero_point', m.z('u8', 117)],
  ['y_scale', m.s(0.0187)], ['y_zero_point', m.z('u8', 101)]], 'u8']);
add('qlinearglobalaveragepool_i8_nhwc', 32, (m) => ['QLinearGlobalAveragePool', 'com.microsoft', { channels_last: { i: 1 } }, [
  ['X', m.q('i8', [2, 4, 3, 11]), true], ['x_scale', m.s(0.0391)], ['x_zero_point', m.z('i8', -5)],
  ['y_scale', m.s(0.0123)], ['y_zero_point', m.z('i8', 9)]], 'i8']);
add('qlinearglobalaveragepool_u8_1d_nhwc', 33, (m) => ['QLinearGlobalAveragePool', 'com.microsoft', { channels_last: { i: 1 } }, [
  ['X', m.q('u8', [3, 9, 5]), true], ['x_scale', m.s(0.021)], ['x_zero_point', m.z('u8', 128)],
  ['y_scale', m.s(0.0077)], ['y_zero_point', m.z('u8', 128)]], 'u8']);
const pool = (name, seed, t, dims, attrs, xs, xz, ys, yz) => add(name, seed, (m) => ['QLinearAveragePool', 'com.microsoft', attrs, [
  ['X', m.q(t, dims), true], ['x_scale', m.s(xs)], ['x_zero_point', m.z(t, xz)], ['y_scale', m.s(ys)], ['y_zero_point', m.z(t, yz)]], t]);
pool('qlinearaveragepool_u8', 41, 'u8', [1, 2, 6, 7], { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1] }, 0.0351, 120, 0.0217, 110);
pool('qlinearaveragepool_u8_include_pad', 42, 'u8', [1, 2, 6, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: { i: 1 } }, 0.0351, 120, 0.0217, 110);
pool('qlinearaveragepool_i8_ceil', 43, 'i8', [2, 3, 7, 6], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: { i: 1 } }, 0.0412, -3, 0.0333, 4);
pool('qlinearaveragepool_i8_nhwc', 44, 'i8', [1, 6, 5, 3], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], channels_last: { i: 1 } }, 0.0412, 10, 0.0299, -6);
pool('qlinearaveragepool_u8_same_upper', 45, 'u8', [1, 2, 5, 5], { kernel_shape: [2, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, 0.0156, 128, 0.0156, 128);
pool('qlinearaveragepool_u8_1d', 46, 'u8', [2, 3, 11], { kernel_shape: [4], strides: [3], pads: [2, 1] }, 0.0291, 90, 0.0143, 77);
pool('qlinearaveragepool_i8_3d', 47, 'i8', [1, 2, 4, 5, 3], { kernel_shape: [2, 3, 2], pads: [1, 1, 0, 0, 1, 1] }, 0.0291, 0, 0.0211, 1);
pool('qlinearaveragepool_u8_global', 48, 'u8', [1, 3, 4, 5], { kernel_shape: [4, 5] }, 0.0391, 117, 0.0187, 101);

// QLinearConcat.
add('qlinearconcat_u8', 51, (m) => ['QLinearConcat', 'com.microsoft', { axis: { i: 1 } }, [
  ['Y_scale', m.s(0.0412)], ['Y_zero_point', m.z('u8', 120)],
  ['X0', m.q('u8', [2, 3, 4]), true], ['X0_scale', m.s(0.0412)], ['X0_zero_point', m.z('u8', 120)],
  ['X1', m.q('u8', [2, 1, 4]), true], ['X1_scale', m.s(0.0173)], ['X1_zero_point', m.z('u8', 64)],
  ['X2', m.q('u8', [2, 2, 4]), true], ['X2_scale', m.s(0.0811)], ['X2_zero_point', m.z('u8', 200)]], 'u8']);
add('qlinearconcat_i8_last', 52, (m) => ['QLinearConcat', 'com.microsoft', { axis: { i: -1 } }, [
  ['Y_scale', m.s(0.0412)], ['Y_zero_point', m.z('i8', -3)],
  ['X0', m.q('i8', [3, 2]), true], ['X0_scale', m.s(0.0257)], ['X0_zero_point', m.z('i8', 17)],
  ['X1', m.q('i8', [3, 5]), true], ['X1_scale', m.s(0.0613)], ['X1_zero_point', m.z('i8', -40)]], 'i8']);

// QLinearSoftmax: opset 13 along one axis (last, and inner, which ORT transposes), opset 12 over the flattened tail.
add('qlinearsoftmax_u8', 61, (m) => ['QLinearSoftmax', 'com.microsoft', { opset: { i: 13 } }, [
  ['X', m.q('u8', [3, 10]), true], ['X_scale', m.s(0.0625)], ['x_zero_point', m.z('u8', 128)],
  ['y_scale', m.s(1 / 256)], ['y_zero_point', m.z('u8', 0)]], 'u8']);
add('qlinearsoftmax_i8_axis1', 62, (m) => ['QLinearSoftmax', 'com.microsoft', { opset: { i: 13 }, axis: { i: 1 } }, [
  ['X', m.q('i8', [2, 6, 3]), true], ['X_scale', m.s(0.0437)], ['x_zero_point', m.z('i8', 0)],
  ['y_scale', m.s(1 / 256)], ['y_zero_point', m.z('i8', -128)]], 'i8']);
add('qlinearsoftmax_u8_opset12', 63, (m) => ['QLinearSoftmax', 'com.microsoft', { opset: { i: 12 } }, [
  ['X', m.q('u8', [2, 3, 4]), true], ['X_scale', m.s(0.0311)], ['x_zero_point', m.z('u8', 100)],
  ['y_scale', m.s(0.005)], ['y_zero_point', m.z('u8', 3)]], 'u8']);

// QGemm: quantized outputs with a bias, per-column b, transposes and alpha; float output.
add('qgemm_u8', 71, (m) => ['QGemm', 'com.microsoft', {}, [
  ['A', m.q('u8', [5, 7]), true], ['a_scale', m.s(0.0217)], ['a_zero_point', m.z('u8', 131)],
  ['B', m.q('u8', [7, 6])], ['b_scale', m.s(0.0074)], ['b_zero_point', m.z('u8', 119)],
  ['C', m.i32([6], -2000, 2000)], ['y_scale', m.s(0.0517)], ['y_zero_point', m.z('u8', 125)]], 'u8']);
add('qgemm_u8s8_per_column', 72, (m) => ['QGemm', 'com.microsoft', { transB: { i: 1 }, alpha: { f: 0.75 } }, [
  ['A', m.q('u8', [3, 9]), true], ['a_scale', m.s(0.0217)], ['a_zero_point', m.z('u8', 128)],
  ['B', m.q('i8', [5, 9])], ['b_scale', m.s([0.0031, 0.0042, 0.0053, 0.0064, 0.0029], [5])], ['b_zero_point', m.z('i8', [0, 0, 0, 0, 0], [5])],
  ['C', m.i32([3, 5], -3000, 3000)], ['y_scale', m.s(0.0311)], ['y_zero_point', m.z('u8', 100)]], 'u8']);
add('qgemm_i8_trans_a', 73, (m) => ['QGemm', 'com.microsoft', { transA: { i: 1 } }, [
  ['A', m.q('i8', [6, 4]), true], ['a_scale', m.s(0.0217)], ['a_zero_point', m.z('i8', 5)],
  ['B', m.q('i8', [6, 3])], ['b_scale', m.s(0.0081)], ['b_zero_point', m.z('i8', -2)],
  ['C', m.i32([4, 1], -500, 500)], ['y_scale', m.s(0.0193)], ['y_zero_point', m.z('i8', -10)]], 'i8']);
add('qgemm_u8_float', 74, (m) => ['QGemm', 'com.microsoft', { alpha: { f: 2 } }, [
  ['A', m.q('u8', [4, 10]), true], ['a_scale', m.s(0.0217)], ['a_zero_point', m.z('u8', 128)],
  ['B', m.q('u8', [10, 3])], ['b_scale', m.s(0.0091)], ['b_zero_point', m.z('u8', 131)],
  ['C', m.i32([], -500, 500)]], 'f32']);

// com.microsoft QuantizeLinear and DequantizeLinear, per tensor and per axis.
add('ms_quantizelinear_u8', 81, (m) => ['QuantizeLinear', 'com.microsoft', {}, [
  ['x', m.f([2, 3, 4], -3, 3), true], ['y_scale', m.s(0.0234)], ['y_zero_point', m.z('u8', 128)]], 'u8']);
add('ms_quantizelinear_i8_axis', 82, (m) => ['QuantizeLinear', 'com.microsoft', { axis: { i: 0 } }, [
  ['x', m.f([3, 5], -3, 3), true], ['y_scale', m.s([0.0234, 0.0117, 0.05], [3])], ['y_zero_point', m.z('i8', [0, -10, 10], [3])]], 'i8']);
add('ms_quantizelinear_u16', 83, (m) => ['QuantizeLinear', 'com.microsoft', {}, [
  ['x', m.f([7], -3, 3), true], ['y_scale', m.s(0.0001)], ['y_zero_point', m.z('u16', 30000)]], 'u16']);
add('ms_dequantizelinear_u8', 84, (m) => ['DequantizeLinear', 'com.microsoft', {}, [
  ['x', m.q('u8', [2, 3, 4]), true], ['x_scale', m.s(0.0234)], ['x_zero_point', m.z('u8', 128)]], 'f32']);
add('ms_dequantizelinear_i8_axis', 85, (m) => ['DequantizeLinear', 'com.microsoft', { axis: { i: 1 } }, [
  ['x', m.q('i8', [2, 3, 4]), true], ['x_scale', m.s([0.0234, 0.5, 0.01], [3])], ['x_zero_point', m.z('i8', [1, 2, 3], [3])]], 'f32']);

// The ai.onnx integer convolutions and products, whose requantization follows ONNX Runtime's float32 rounding.
add('qlinearconv_u8s8_per_channel', 101, (m) => ['QLinearConv', '', { pads: [1, 1, 1, 1], strides: [2, 1] }, [
  ['x', m.q('u8', [1, 3, 7, 6]), true], ['x_scale', m.s(0.0213)], ['x_zero_point', m.z('u8', 117)],
  ['w', m.q('i8', [5, 3, 3, 3])], ['w_scale', m.s([0.0031, 0.0027, 0.0042, 0.0019, 0.0035], [5])], ['w_zero_point', m.z('i8', [0, 0, 0, 0, 0], [5])],
  ['y_scale', m.s(0.0371)], ['y_zero_point', m.z('u8', 121)], ['B', m.i32([5], -3000, 3000)]], 'u8', 10]);
add('qlinearconv_u8_depthwise', 102, (m) => ['QLinearConv', '', { group: { i: 4 }, pads: [1, 1, 1, 1], strides: [2, 2] }, [
  ['x', m.q('u8', [1, 4, 9, 8]), true], ['x_scale', m.s(0.0213)], ['x_zero_point', m.z('u8', 117)],
  ['w', m.q('u8', [4, 1, 3, 3])], ['w_scale', m.s(0.0044)], ['w_zero_point', m.z('u8', 131)],
  ['y_scale', m.s(0.0291)], ['y_zero_point', m.z('u8', 98)], ['B', m.i32([4], -1000, 1000)]], 'u8', 10]);
add('qlinearconv_i8_pointwise', 103, (m) => ['QLinearConv', '', {}, [
  ['x', m.q('i8', [2, 6, 5, 3]), true], ['x_scale', m.s(0.0213)], ['x_zero_point', m.z('i8', -3)],
  ['w', m.q('i8', [7, 6, 1, 1])], ['w_scale', m.s(0.0044)], ['w_zero_point', m.z('i8', 0)],
  ['y_scale', m.s(0.0513)], ['y_zero_point', m.z('i8', 5)]], 'i8', 10]);
add('qlinearmatmul_u8_batched', 104, (m) => ['QLinearMatMul', '', {}, [
  ['a', m.q('u8', [2, 3, 9]), true], ['a_scale', m.s(0.0213)], ['a_zero_point', m.z('u8', 128)],
  ['b', m.q('u8', [9, 7])], ['b_scale', m.s(0.0061)], ['b_zero_point', m.z('u8', 125)],
  ['y_scale', m.s(0.0411)], ['y_zero_point', m.z('u8', 130)]], 'u8', 10]);
add('qlinearmatmul_i8_per_column', 105, (m) => ['QLinearMatMul', '', {}, [
  ['a', m.q('i8', [5, 9]), true], ['a_scale', m.s(0.0213)], ['a_zero_point', m.z('i8', 1)],
  ['b', m.q('i8', [9, 4])], ['b_scale', m.s([0.0061, 0.0042, 0.0077, 0.0051], [4])], ['b_zero_point', m.z('i8', [0, 0, 0, 0], [4])],
  ['y_scale', m.s(0.0411)], ['y_zero_point', m.z('i8', -7)]], 'i8', 10]);
add('convinteger_u8', 106, (m) => ['ConvInteger', '', { pads: [0, 1, 1, 0] }, [
  ['x', m.q('u8', [1, 2, 5, 6]), true], ['w', m.q('u8', [3, 2, 3, 2])], ['x_zero_point', m.z('u8', 119)], ['w_zero_point', m.z('u8', 127)]], 'i32', 10]);
add('matmulinteger_u8s8_per_column', 107, (m) => ['MatMulInteger', '', {}, [
  ['A', m.q('u8', [2, 4, 9]), true], ['B', m.q('i8', [9, 5])], ['a_zero_point', m.z('u8', 131)], ['b_zero_point', m.z('i8', [1, -2, 3, 0, -1], [5])]], 'i32', 10]);

// DynamicQuantizeLinear of an all-zero input (scale 0 in the formula).
add('dynamicquantizelinear_zeros', 91, (m) => ['DynamicQuantizeLinear', '', {}, [['x', m.f([5], 0, 0), true]], ['u8', 'f32', 'u8'], 11]);

const only = process.argv.slice(3);
for (const [name, seed, fn] of cases) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  const [op, domain, attrs, inputs, outType, opset] = fn(maker(rng(seed)));
  try { await emit(name, op, domain, attrs, inputs, outType, opset); } catch (e) { console.log('FAILED', name, e.message.split('\n')[0]); }
}
