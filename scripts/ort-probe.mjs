#!/usr/bin/env node
// ort-probe.mjs: golden single-node tests from ONNX Runtime.
//
//   node ort-probe.mjs SPEC.json OUTROOT
//
// SPEC.json is a list of cases {name, op, opset, attrs, inputs, outputs, outTypes}:
// inputs are {name, type, dims, data} (null for an omitted input; data may hold
// "nan", "inf", "-inf"); attrs map names to an int, a list of ints, a string,
// {"f": x} or {"fs": [...]} for floats; outTypes (default: input 0's type) declare
// the outputs. Each case becomes OUTROOT/<name>/model.onnx and test_data_set_0 with
// ONNX Runtime's outputs (graph optimizations off), the layout of the ONNX node tests.
// It runs beside the reference kit's packages (../shared/reference, see its README):
//   d=$(mktemp -d) && cp -r ../shared/reference/. "$d" && (cd "$d" && npm ci)
//   cp scripts/ort-probe.mjs "$d" && node "$d/ort-probe.mjs" SPEC.json OUTROOT
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
const TYPES = {
  float32: [DT.FLOAT, Float32Array], float64: [DT.DOUBLE, Float64Array], int8: [DT.INT8, Int8Array],
  int16: [DT.INT16, Int16Array], int32: [DT.INT32, Int32Array], int64: [DT.INT64, BigInt64Array],
  uint8: [DT.UINT8, Uint8Array], uint16: [DT.UINT16, Uint16Array], uint32: [DT.UINT32, Uint32Array],
  uint64: [DT.UINT64, BigUint64Array], bool: [DT.BOOL, Uint8Array],
};

function attribute(name, v) {
  if (typeof v === 'string') return { name, type: A.STRING, s: Buffer.from(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (typeof v === 'object' && 'f' in v) return { name, type: A.FLOAT, f: v.f };
  if (typeof v === 'object' && 'fs' in v) return { name, type: A.FLOATS, floats: v.fs };
  return Number.isInteger(v) ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v };
}

function values(t) {
  const Arr = TYPES[t.type][1];
  const special = { nan: NaN, inf: Infinity, '-inf': -Infinity };
  const v = t.data.map((x) => (x in special ? special[x] : typeof x === 'boolean' ? Number(x) : x));
  return Arr === BigInt64Array || Arr === BigUint64Array ? Arr.from(v.map(BigInt)) : Arr.from(v);
}

function tensorBytes(name, type, dims, data) {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return onnx.TensorProto.encode(onnx.TensorProto.create({ name, dims, dataType: TYPES[type][0], rawData: raw })).finish();
}

const [specPath, outRoot] = process.argv.slice(2);
if (!specPath || !outRoot) { console.error('usage: node ort-probe.mjs SPEC.json OUTROOT'); process.exit(2); }
for (const c of JSON.parse(fs.readFileSync(specPath, 'utf8'))) {
  const ins = c.inputs.filter((t) => t);
  const info = (name, type) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: TYPES[type][0] } } });
  const node = onnx.NodeProto.create({
    opType: c.op, input: c.inputs.map((t) => (t ? t.name : '')), output: c.outputs,
    attribute: Object.entries(c.attrs || {}).map(([k, v]) => attribute(k, v)),
  });
  const graph = onnx.GraphProto.create({
    name: c.name, node: [node], input: ins.map((t) => info(t.name, t.type)),
    output: c.outputs.map((o, i) => info(o, (c.outTypes || [])[i] || ins[0].type)),
  });
  const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: c.opset }], graph, producerName: 'ort-probe' })).finish();
  let out;
  try {
    const sess = await ort.InferenceSession.create(Buffer.from(bytes), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
    out = await sess.run(Object.fromEntries(ins.map((t) => [t.name, new ort.Tensor(t.type, values(t), t.dims)])));
  } catch (e) {
    console.log(JSON.stringify({ name: c.name, error: String(e.message) }));
    continue;
  }
  const dir = path.join(outRoot, c.name, 'test_data_set_0');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(outRoot, c.name, 'model.onnx'), bytes);
  ins.forEach((t, k) => fs.writeFileSync(path.join(dir, `input_${k}.pb`), tensorBytes(t.name, t.type, t.dims, values(t))));
  c.outputs.forEach((o, j) => fs.writeFileSync(path.join(dir, `output_${j}.pb`), tensorBytes(o, out[o].type, out[o].dims, out[o].data)));
  const show = (r) => ({ dims: r.dims, data: Array.from(r.data, (x) => (typeof x === 'bigint' ? Number(x) : x)) });
  console.log(JSON.stringify({ name: c.name, out: Object.fromEntries(c.outputs.map((o) => [o, show(out[o])])) }));
}
