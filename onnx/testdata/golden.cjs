// Writes node-tests.jsonl: a summary of every ONNX node test model and
// tensor file, decoded by protobufjs (the onnx-proto npm package), as an
// independent reference for the Go decoder's tests.
//
// Usage (from the repo root, with the reference kit installed, see
// ../shared/reference/README.md): NODE_PATH=<kit>/node_modules node onnx/testdata/golden.cjs ../shared/onnx-node-tests > onnx/testdata/node-tests.jsonl
const {onnx} = require('onnx-proto');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const str = v => String(v);
const f32hex = f => { const b = Buffer.alloc(4); b.writeFloatLE(f); return b.readUInt32LE(0).toString(16); };
const hex = u8 => Buffer.from(u8).toString('hex');

// bits per element, as in raw_data.
const BITS = {1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64, 14: 64, 15: 128, 16: 16,
  17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4, 24: 8, 25: 2, 26: 2};

function tensorBytes(t) {
  if (t.dataType === 8) {
    const parts = [];
    for (const s of t.stringData) { const l = Buffer.alloc(4); l.writeUInt32LE(s.length); parts.push(l, Buffer.from(s)); }
    return Buffer.concat(parts);
  }
  if (t.rawData && t.rawData.length) return Buffer.from(t.rawData);
  const bits = BITS[t.dataType];
  const out = [];
  const push = (n, write) => { const b = Buffer.alloc(n); write(b); out.push(b); };
  for (const v of t.floatData) push(4, b => b.writeFloatLE(v));
  for (const v of t.doubleData) push(8, b => b.writeDoubleLE(v));
  for (const v of t.int64Data) push(8, b => b.writeBigInt64LE(BigInt(str(v))));
  const w32 = Math.max(bits, 8) / 8;
  for (const v of t.int32Data) push(w32, b => { const x = Buffer.alloc(4); x.writeInt32LE(v); x.copy(b, 0, 0, w32); });
  for (const v of t.uint64Data) push(bits / 8, b => { const x = Buffer.alloc(8); x.writeBigUInt64LE(BigInt(str(v))); x.copy(b, 0, 0, bits / 8); });
  return Buffer.concat(out);
}

const tensor = t => ({name: t.name, type: t.dataType, dims: t.dims.map(str),
  sha: crypto.createHash('sha256').update(tensorBytes(t)).digest('hex').slice(0, 16)});

function dim(d) {
  if (d.value === 'dimValue') return 'v:' + str(d.dimValue);
  if (d.value === 'dimParam' && d.dimParam) return 'p:' + d.dimParam;
  return '?';
}

function valueInfo(v) {
  const tp = v.type || {};
  let kind = 'unknown', elem = 0, shape = null;
  const tt = tp.tensorType || tp.sparseTensorType;
  if (tp.tensorType) kind = 'tensor';
  else if (tp.sequenceType) kind = 'sequence';
  else if (tp.mapType) kind = 'map';
  else if (tp.optionalType) kind = 'optional';
  else if (tp.sparseTensorType) kind = 'sparse_tensor';
  if (tt) { elem = tt.elemType; if (tt.shape) shape = tt.shape.dim.map(dim); }
  return {name: v.name, kind, elem, shape};
}

function attr(a) {
  let v = null;
  switch (a.type) {
    case 1: v = f32hex(a.f); break;
    case 2: v = str(a.i); break;
    case 3: v = hex(a.s); break;
    case 4: v = tensor(a.t); break;
    case 5: v = graph(a.g); break;
    case 6: v = a.floats.map(f32hex); break;
    case 7: v = a.ints.map(str); break;
    case 8: v = a.strings.map(hex); break;
    case 9: v = a.tensors.map(tensor); break;
    case 10: v = a.graphs.map(graph); break;
  }
  return {name: a.name, type: a.type, v};
}

function graph(g) {
  return {name: g.name,
    nodes: g.node.map(n => ({op: n.opType, domain: n.domain, name: n.name, in: n.input, out: n.output, attrs: n.attribute.map(attr)})),
    inits: g.initializer.map(tensor), inputs: g.input.map(valueInfo), outputs: g.output.map(valueInfo), vi: g.valueInfo.map(valueInfo)};
}

function model(m) {
  return {ir: str(m.irVersion), opset: m.opsetImport.map(o => o.domain + ':' + str(o.version)), producer: m.producerName,
    pver: m.producerVersion, domain: m.domain, mv: str(m.modelVersion), graph: graph(m.graph)};
}

const root = process.argv[2];
for (const d of fs.readdirSync(root).filter(d => d.startsWith('test_')).sort()) {
  const mp = path.join(d, 'model.onnx');
  console.log(JSON.stringify({path: mp, model: model(onnx.ModelProto.decode(fs.readFileSync(path.join(root, mp))))}));
  const sd = path.join(d, 'test_data_set_0');
  // These two hold an OptionalProto and a SequenceProto, not TensorProtos.
  if (d === 'test_identity_opt' || d === 'test_identity_sequence') continue;
  for (const f of fs.readdirSync(path.join(root, sd)).filter(f => f.endsWith('.pb')).sort()) {
    const tp = path.join(sd, f);
    console.log(JSON.stringify({path: tp, tensor: tensor(onnx.TensorProto.decode(fs.readFileSync(path.join(root, tp))))}));
  }
}
