#!/usr/bin/env node
// ortgen.mjs: writes the ONNX Runtime golden tests of package vision.
//
//   REFKIT=/path/to/reference-kit node ortgen.mjs CASES.mjs OUTDIR
//
// REFKIT is a copy of ../shared/reference after `npm ci` (ONNX Runtime and
// onnx-proto). CASES.mjs exports `cases`: single-node models, each
// {name, op, opset, attrs, inputs, outputs?}. An attribute is {f}, {i},
// {s}, {floats} or {ints}; an input is {name, type, dims, data, init}
// (name "" omits it; data is an array, "rand" for seeded values in
// [-2, 2), "randK" for [-K, K), or "bytes" for seeded integers in the
// type's range up to 255;
// init makes it an initializer). Each case becomes OUTDIR/NAME/model.onnx
// and test_data_set_0/input_K.pb (the non-initializer inputs, in order)
// and output_K.pb, the outputs as ONNX Runtime (optimizations off)
// computes them.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.join(process.env.REFKIT || '.', 'package.json'));
const { onnx } = require('onnx-proto');
const ort = require('onnxruntime-node');

const [casesPath, outDir] = process.argv.slice(2);
if (!casesPath || !outDir) {
  console.error('usage: REFKIT=DIR node ortgen.mjs CASES.mjs OUTDIR');
  process.exit(2);
}
const { cases } = await import(path.resolve(casesPath));

const DT = onnx.TensorProto.DataType;
const types = {
  float32: [DT.FLOAT, Float32Array], float64: [DT.DOUBLE, Float64Array],
  int8: [DT.INT8, Int8Array], uint8: [DT.UINT8, Uint8Array],
  int16: [DT.INT16, Int16Array], uint16: [DT.UINT16, Uint16Array],
  int32: [DT.INT32, Int32Array], uint32: [DT.UINT32, Uint32Array],
  int64: [DT.INT64, BigInt64Array], uint64: [DT.UINT64, BigUint64Array],
  bool: [DT.BOOL, Uint8Array],
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
function fnv1a(s) { let h = 0x811c9dc5; for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0; return h; }

function values(c, inp) {
  const [, Arr] = types[inp.type];
  const n = inp.dims.reduce((a, b) => a * b, 1);
  let v = inp.data;
  if (typeof v === 'string') {
    const r = mulberry32(fnv1a(c.name + '/' + inp.name));
    const bytes = v === 'bytes';
    const k = v === 'rand' ? 2 : Number(v.slice(4));
    v = Array.from({ length: n }, () => (bytes ? Math.floor(r() * (inp.type === 'int8' ? 200 : 256)) - (inp.type === 'int8' ? 100 : 0) : (r() * 2 - 1) * k));
  }
  if (v.length !== n) throw new Error(`${c.name}/${inp.name}: ${v.length} values for dims ${inp.dims}`);
  if (Arr === BigInt64Array || Arr === BigUint64Array) return Arr.from(v, (x) => BigInt(x));
  return Arr.from(v);
}

function tensorProto(name, type, dims, data) {
  return onnx.TensorProto.create({ name, dims, dataType: types[type][0], rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
}

function attribute(name, a) {
  const T = onnx.AttributeProto.AttributeType;
  if ('f' in a) return { name, type: T.FLOAT, f: a.f };
  if ('i' in a) return { name, type: T.INT, i: a.i };
  if ('s' in a) return { name, type: T.STRING, s: Buffer.from(a.s) };
  if ('floats' in a) return { name, type: T.FLOATS, floats: a.floats };
  if ('ints' in a) return { name, type: T.INTS, ints: a.ints };
  throw new Error(`attribute ${name}: ${JSON.stringify(a)}`);
}

for (const c of cases) {
  const outputs = c.outputs || ['Y'];
  const inits = [], graphInputs = [], feeds = {}, data = [];
  for (const inp of c.inputs) {
    if (!inp.name) continue;
    const v = values(c, inp);
    if (inp.init) { inits.push(tensorProto(inp.name, inp.type, inp.dims, v)); continue; }
    graphInputs.push({ name: inp.name, type: { tensorType: { elemType: types[inp.type][0], shape: { dim: inp.dims.map((d) => ({ dimValue: d })) } } } });
    feeds[inp.name] = new ort.Tensor(inp.type, v, inp.dims);
    data.push([inp, v]);
  }
  const node = { opType: c.op, input: c.inputs.map((i) => i.name), output: outputs, attribute: Object.entries(c.attrs || {}).map(([k, a]) => attribute(k, a)) };
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'edgeinfer-ortgen', opsetImport: [{ domain: '', version: c.opset }],
    graph: { name: c.name, node: [node], initializer: inits, input: graphInputs, output: outputs.map((o) => ({ name: o })) },
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  const sess = await ort.InferenceSession.create(Buffer.from(bytes), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const out = await sess.run(feeds);
  const dir = path.join(outDir, c.name);
  fs.mkdirSync(path.join(dir, 'test_data_set_0'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), bytes);
  data.forEach(([inp, v], k) => fs.writeFileSync(path.join(dir, 'test_data_set_0', `input_${k}.pb`), onnx.TensorProto.encode(tensorProto(inp.name, inp.type, inp.dims, v)).finish()));
  outputs.forEach((o, k) => {
    const t = out[o];
    fs.writeFileSync(path.join(dir, 'test_data_set_0', `output_${k}.pb`), onnx.TensorProto.encode(tensorProto(o, t.type, t.dims, t.data)).finish());
  });
  console.log(c.name, outputs.map((o) => `${out[o].type}[${out[o].dims}]`).join(' '));
}
