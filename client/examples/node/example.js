#!/usr/bin/env node
// Calls RingServe from Node.js: @grpc/proto-loader reads RingServe's proto/ at run time (no
// generated files), @grpc/grpc-js makes the calls. Runs the example models `simple` (INT32 sum
// and difference) and `mlp` (FP32 784 -> 10 softmax), unary and over a ModelStreamInfer stream,
// checks every answer and exits 1 on a wrong one.
// Usage: node example.js [HOST:PORT]   (default 127.0.0.1:8001)
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_DIR = path.resolve(__dirname, '..', '..', '..', 'proto', 'src', 'main', 'proto');
const TIMEOUT_MS = 30000;

const definition = protoLoader.loadSync('grpc_service.proto', {
  includeDirs: [PROTO_DIR],
  keepCase: true, // field names as in the .proto: model_name, raw_input_contents
  longs: Number,
  enums: String,
  defaults: true,
});
const inference = grpc.loadPackageDefinition(definition).inference;

// Raw contents are little-endian; these write and read one element of each type used here.
const CODECS = {
  INT32: { size: 4, write: (b, v, o) => b.writeInt32LE(v, o), read: (b, o) => b.readInt32LE(o) },
  FP32: { size: 4, write: (b, v, o) => b.writeFloatLE(v, o), read: (b, o) => b.readFloatLE(o) },
};

class WrongAnswer extends Error {}

function expect(condition, message) {
  if (!condition) throw new WrongAnswer(message);
}

/** A ModelInferRequest; inputs: [{name, datatype, shape, values (flat array)}]. */
function makeRequest(model, inputs, id = '') {
  return {
    model_name: model,
    id,
    inputs: inputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    raw_input_contents: inputs.map(({ datatype, values }) => {
      const codec = CODECS[datatype];
      const buffer = Buffer.alloc(values.length * codec.size);
      values.forEach((v, i) => codec.write(buffer, v, i * codec.size));
      return buffer;
    }),
  };
}

/** The outputs of a ModelInferResponse by name: {datatype, shape, values (flat array)}. */
function outputsOf(response) {
  const outputs = {};
  response.outputs.forEach((o, i) => {
    const codec = CODECS[o.datatype];
    const raw = response.raw_output_contents[i];
    const values = [];
    for (let offset = 0; offset < raw.length; offset += codec.size) {
      values.push(codec.read(raw, offset));
    }
    outputs[o.name] = { datatype: o.datatype, shape: o.shape.map(Number), values };
  });
  return outputs;
}

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + TIMEOUT_MS }, (err, response) =>
      err ? reject(err) : resolve(response));
  });
}

const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const sameValues = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

async function runSimple(client) {
  const a = range(16, (i) => i);
  const b = range(16, () => 3);
  const response = await unary(client, 'ModelInfer', makeRequest('simple', [
    { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], values: a },
    { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], values: b },
  ]));
  const out = outputsOf(response);
  console.log('simple OUTPUT0 (INPUT0 + INPUT1):', JSON.stringify(out.OUTPUT0.values));
  console.log('simple OUTPUT1 (INPUT0 - INPUT1):', JSON.stringify(out.OUTPUT1.values));
  expect(sameValues(out.OUTPUT0.values, range(16, (i) => a[i] + b[i])), 'simple: OUTPUT0 is not INPUT0 + INPUT1');
  expect(sameValues(out.OUTPUT1.values, range(16, (i) => a[i] - b[i])), 'simple: OUTPUT1 is not INPUT0 - INPUT1');
}

async function runMlp(client) {
  const batch = 3;
  const pixels = range(batch * 784, (i) => ((i * 7919) % 256) / 255);
  const request = makeRequest('mlp', [{ name: 'INPUT0', datatype: 'FP32', shape: [batch, 784], values: pixels }]);
  const first = outputsOf(await unary(client, 'ModelInfer', request)).OUTPUT0;
  const second = outputsOf(await unary(client, 'ModelInfer', request)).OUTPUT0;
  expect(sameValues(first.shape, [batch, 10]), `mlp: OUTPUT0 shape ${first.shape}, expected [${batch},10]`);
  const argmax = [];
  for (let row = 0; row < batch; row++) {
    const p = first.values.slice(row * 10, row * 10 + 10);
    const sum = p.reduce((s, v) => s + v, 0);
    expect(p.every((v) => v >= 0 && v <= 1), `mlp: row ${row} has probabilities outside [0, 1]`);
    expect(Math.abs(sum - 1) < 1e-4, `mlp: row ${row} sums to ${sum}, not 1`);
    argmax.push(p.indexOf(Math.max(...p)));
  }
  expect(sameValues(first.values, second.values), 'mlp: the same input gave different outputs');
  console.log('mlp OUTPUT0 shape', JSON.stringify(first.shape), 'argmax per image', JSON.stringify(argmax));
}

/** Eight requests over one stream; answers may come back in any order, matched by id. */
function runStream(client) {
  return new Promise((resolve, reject) => {
    const pending = new Map(range(8, (i) => [`req-${i}`, i * 10]));
    const stream = client.ModelStreamInfer({ deadline: Date.now() + TIMEOUT_MS });
    let answered = 0;
    stream.on('data', (reply) => {
      try {
        expect(reply.error_message === '', `stream: error ${reply.error_message}`);
        const id = reply.infer_response.id;
        expect(pending.has(id), `stream: answer for unknown id ${id}`);
        const base = pending.get(id);
        pending.delete(id);
        const sum = outputsOf(reply.infer_response).OUTPUT0.values;
        expect(sameValues(sum, range(16, () => base + 1)), `stream: wrong sum for ${id}`);
        answered++;
      } catch (e) {
        stream.cancel();
        reject(e);
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      try {
        expect(pending.size === 0, `stream: no answer for ${[...pending.keys()]}`);
        console.log(`stream: ${answered} answers, each matched to its request by id`);
        resolve();
      } catch (e) {
        reject(e);
      }
    });
    for (const [id, base] of pending) {
      stream.write(makeRequest('simple', [
        { name: 'INPUT0', datatype: 'INT32', shape: [1, 16], values: range(16, () => base) },
        { name: 'INPUT1', datatype: 'INT32', shape: [1, 16], values: range(16, () => 1) },
      ], id));
    }
    stream.end();
  });
}

async function main() {
  const target = process.argv[2] || '127.0.0.1:8001';
  const client = new inference.GRPCInferenceService(target, grpc.credentials.createInsecure());
  try {
    await new Promise((resolve, reject) =>
      client.waitForReady(Date.now() + TIMEOUT_MS, (err) => (err ? reject(err) : resolve())));
    expect((await unary(client, 'ServerReady', {})).ready, 'server not ready');
    const meta = await unary(client, 'ServerMetadata', {});
    console.log(`connected to ${meta.name} ${meta.version} at ${target}`);
    await runSimple(client);
    await runMlp(client);
    await runStream(client);
    console.log('node example: all answers correct');
  } finally {
    client.close();
  }
}

main().catch((e) => {
  if (e instanceof WrongAnswer) {
    console.error(`node example: WRONG ANSWER: ${e.message}`);
  } else {
    console.error(`node example: call failed: ${e.code !== undefined ? grpc.status[e.code] + ': ' : ''}${e.details || e.message}`);
  }
  process.exit(1);
});
