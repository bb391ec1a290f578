/**
 * The inference server over real HTTP on a free loopback port: every route, JSON and the binary
 * tensor data extension (requests built byte by byte as Triton's client sends them), compression,
 * the classification and statistics extensions, the protocol's error replies, isolation of bad
 * requests from good ones, and the Triton-named metrics moving by exactly the requests sent.
 */
import path from 'node:path';
import { gzipSync, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { startServer, type RunningServer } from '../../server/index.ts';
import type { Datatype } from '../../server/core/datatypes.ts';
import { fromHalfBits, toHalfBits } from '../../server/core/fp16.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { float32Bytes, getJson, lengthPrefixed, metricValue, postBinary, postJson, readFloat32, readLengthPrefixed, tritonBinaryRequest, type Reply } from './client.ts';
import { CLASS_COUNT, IMAGE_SIZE, PIXELS, makeTestModel, normalize, testImage } from './fixtures.ts';
import { DOUBLED, ONNX_TYPES, tensorName, writeAllTypesModel } from './models.ts';

const BODY_LIMIT = 256 * 1024;
const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
let directory: string;
let onnxPath: string;
let classifier: Classifier;
let server: RunningServer;
let typed: RunningServer;
const startupLines: string[] = [];

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-server-');
  onnxPath = (await makeTestModel(directory, { name: 'digits', labels: LABELS })).onnx;
  classifier = await loadClassifier(onnxPath, { device: 'cpu' });
  // A delay long enough that concurrent test requests reliably meet in one batch.
  server = await startServer({ modelPaths: [onnxPath], port: 0, grpcPort: false, maxDelayMs: 10, bodyLimit: BODY_LIMIT, log: (line) => startupLines.push(line) });
  const typesPath = path.join(directory, 'types.onnx');
  writeAllTypesModel(typesPath);
  typed = await startServer({ modelPaths: [typesPath], port: 0, grpcPort: false });
});
afterAll(async () => {
  await server?.close();
  await typed?.close();
  await classifier?.dispose();
});

const inferUrl = (route = '/v2/models/digits/infer') => `${server.url}${route}`;

function inferBody(pixelsList: Uint8Array[], options: { id?: string; outputs?: object[] } = {}) {
  const data = pixelsList.flatMap((pixels) => Array.from(normalize(pixels, classifier.preprocess)));
  return {
    ...(options.id ? { id: options.id } : {}),
    inputs: [{ name: classifier.inputName, shape: [pixelsList.length, IMAGE_SIZE, IMAGE_SIZE, 1], datatype: 'FP32', data }],
    ...(options.outputs ? { outputs: options.outputs } : {}),
  };
}

async function direct(pixelsList: Uint8Array[]): Promise<Float32Array> {
  const input = new Float32Array(pixelsList.length * PIXELS);
  pixelsList.forEach((pixels, i) => input.set(normalize(pixels, classifier.preprocess), i * PIXELS));
  return classifier.predictBatch(input, pixelsList.length);
}

function expectClose(actual: number[], expected: Float32Array): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(1e-5));
}

function expectError(reply: { status: number; body: any }, status: number, pattern: RegExp): void {
  expect(reply.status).toBe(status);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(reply.body.error).toMatch(pattern);
}

async function metricsText(target = server): Promise<string> {
  const response = await fetch(`${target.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  return response.text();
}

describe('startup', () => {
  it('prints the URL it listens on and each model route', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(startupLines).toContain(`listening on ${server.url}`);
    expect(startupLines.join('\n')).toContain(`${server.url}/v2/models/digits/infer`);
    expect(server.models).toEqual(['digits']);
  });
});

describe('health and metadata', () => {
  it('answers server metadata with the extensions it implements, liveness and readiness', async () => {
    expect(await getJson(`${server.url}/v2`)).toEqual({
      status: 200,
      body: { name: 'tfjs-onnx', version: expect.any(String), extensions: ['binary_tensor_data', 'classification', 'logging', 'model_configuration', 'model_repository', 'parameters', 'schedule_policy', 'statistics', 'classify'] },
    });
    expect(await getJson(`${server.url}/v2/health/live`)).toEqual({ status: 200, body: { live: true } });
    expect(await getJson(`${server.url}/v2/health/ready`)).toEqual({ status: 200, body: { ready: true } });
    expect(await getJson(`${server.url}/v2/models/digits/ready`)).toEqual({ status: 200, body: { name: 'digits', ready: true } });
    expect(await getJson(`${server.url}/v2/models/digits/versions/1/ready`)).toEqual({ status: 200, body: { name: 'digits', ready: true } });
  });

  it('describes the model with the ONNX input and output', async () => {
    const expected = {
      name: 'digits',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [-1, IMAGE_SIZE, IMAGE_SIZE, 1] }],
      outputs: [{ name: classifier.outputName, datatype: 'FP32', shape: [-1, CLASS_COUNT] }],
      // Where it runs: this server's addition to the metadata.
      parameters: { device: 'cpu', execution_provider: 'cpu', runtime: 'onnxruntime-node', placement: "device 'cpu' was asked for" },
    };
    expect(await getJson(`${server.url}/v2/models/digits`)).toEqual({ status: 200, body: expected });
    expect(await getJson(`${server.url}/v2/models/digits/versions/1`)).toEqual({ status: 200, body: expected });
  });

  it('answers 404 with an error body for unknown models, versions and routes', async () => {
    expectError(await getJson(`${server.url}/v2/models/nope`), 404, /model 'nope' is not served/);
    expectError(await getJson(`${server.url}/v2/models/digits/versions/2`), 404, /no version '2'/);
    expectError(await getJson(`${server.url}/v2/models/nope/ready`), 404, /nope/);
    expectError(await getJson(`${server.url}/v3/anything`), 404, /no route GET \/v3\/anything/);
    expectError(await postJson(inferUrl('/v2/models/nope/infer'), inferBody([testImage(0)])), 404, /nope/);
  });
});

describe('infer with JSON', () => {
  it('answers FP32 input with the model output, echoing the id', async () => {
    const reply = await postJson(inferUrl(), inferBody([testImage(1)], { id: 'request-42' }));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ model_name: 'digits', model_version: '1', id: 'request-42' });
    expect(reply.body.outputs).toHaveLength(1);
    expect(reply.body.outputs[0]).toMatchObject({ name: classifier.outputName, datatype: 'FP32', shape: [1, CLASS_COUNT] });
    expectClose(reply.body.outputs[0].data, await direct([testImage(1)]));
  });

  it('makes up an id when the request has none', async () => {
    expect((await postJson(inferUrl(), inferBody([testImage(1)]))).body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts nested data, batches, the versioned route and a named output', async () => {
    const images = [testImage(2), testImage(3), testImage(4)];
    const flat = inferBody(images);
    const nested = images.map((pixels) => {
      const values = Array.from(normalize(pixels, classifier.preprocess));
      return Array.from({ length: IMAGE_SIZE }, (_, y) => Array.from({ length: IMAGE_SIZE }, (_, x) => [values[y * IMAGE_SIZE + x]]));
    });
    const body = { inputs: [{ ...flat.inputs[0], data: nested }], outputs: [{ name: classifier.outputName }] };
    const reply = await postJson(inferUrl('/v2/models/digits/versions/1/infer'), body);
    expect(reply.status).toBe(200);
    expect(reply.body.outputs[0].shape).toEqual([3, CLASS_COUNT]);
    expectClose(reply.body.outputs[0].data, await direct(images));
  });

  it('reads JSON sent without a Content-Type, and gzip or deflate bodies', async () => {
    const body = JSON.stringify(inferBody([testImage(5)]));
    const expected = await direct([testImage(5)]);
    for (const [payload, headers] of [
      [body, {}],
      [gzipSync(body), { 'content-encoding': 'gzip' }],
      [deflateSync(body), { 'content-encoding': 'deflate', 'content-type': 'application/json' }],
    ] as const) {
      const response = await fetch(inferUrl(), { method: 'POST', headers, body: payload as BodyInit });
      expect(response.status).toBe(200);
      expectClose((await response.json()).outputs[0].data, expected);
    }
  });

  it('compresses the reply when Accept-Encoding asks', async () => {
    const { request } = await import('node:http');
    const { gunzipSync } = await import('node:zlib');
    const images = Array.from({ length: 8 }, (_, i) => testImage(60 + i));
    const body = JSON.stringify(inferBody(images));
    // fetch would inflate silently; a raw request shows the bytes on the wire.
    const raw = await new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
      const req = request(inferUrl(), { method: 'POST', headers: { 'accept-encoding': 'gzip', 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk) => chunks.push(chunk)).on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(raw.encoding).toBe('gzip');
    expectClose(JSON.parse(gunzipSync(raw.bytes).toString()).outputs[0].data, await direct(images));
  });

  it('returns the top classes as "score:index:label" strings with the classification extension', async () => {
    const [expected] = await classifier.classify(testImage(7), { topK: 3 });
    const reply = await postJson(inferUrl(), inferBody([testImage(7)], { outputs: [{ name: classifier.outputName, parameters: { classification: 3 } }] }));
    expect(reply.status).toBe(200);
    const [output] = reply.body.outputs;
    expect(output).toMatchObject({ name: classifier.outputName, datatype: 'BYTES', shape: [1, 3] });
    expect(output.data).toEqual(expected.top.map((p) => `${p.probability.toFixed(6)}:${p.index}:${p.label}`));
  });
});

describe('infer with the binary tensor data extension', () => {
  it('answers a request laid out as Triton’s client sends it, with binary outputs, agreeing with JSON', async () => {
    const images = [testImage(10), testImage(11)];
    const input = new Float32Array(images.length * PIXELS);
    images.forEach((pixels, i) => input.set(normalize(pixels, classifier.preprocess), i * PIXELS));
    const request = tritonBinaryRequest([{ name: classifier.inputName, datatype: 'FP32', shape: [2, IMAGE_SIZE, IMAGE_SIZE, 1], bytes: float32Bytes(input) }], {
      outputs: [{ name: classifier.outputName, binary: true }],
      id: 'bin-1',
    });
    const reply = await postBinary(inferUrl(), request);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/octet-stream');
    expect(reply.body).toMatchObject({ model_name: 'digits', id: 'bin-1', outputs: [{ name: classifier.outputName, datatype: 'FP32', shape: [2, CLASS_COUNT], parameters: { binary_data_size: 2 * CLASS_COUNT * 4 } }] });
    const fromBinary = readFloat32(reply.binary.get(classifier.outputName)!);
    expectClose(fromBinary, await direct(images));
    const json = await postJson(inferUrl(), inferBody(images));
    expect(fromBinary).toEqual(json.body.outputs[0].data);
  });

  it('answers binary input with JSON output unless binary is asked for, and honours binary_data_output', async () => {
    const bytes = float32Bytes(normalize(testImage(12), classifier.preprocess));
    const tensor = { name: classifier.inputName, datatype: 'FP32', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], bytes };
    const plain = await postBinary(inferUrl(), tritonBinaryRequest([tensor]));
    expect(plain.headers.get('inference-header-content-length')).toBeNull();
    expectClose(plain.body.outputs[0].data, await direct([testImage(12)]));
    const header = { parameters: { binary_data_output: true }, inputs: [{ name: tensor.name, shape: tensor.shape, datatype: 'FP32', parameters: { binary_data_size: bytes.length } }] };
    const json = Buffer.from(JSON.stringify(header));
    const all = await postBinary(inferUrl(), { body: Buffer.concat([json, bytes]), headerLength: json.length });
    expectClose(readFloat32(all.binary.get(classifier.outputName)!), await direct([testImage(12)]));
  });

  it('sends classification strings as binary BYTES with length prefixes', async () => {
    const [expected] = await classifier.classify(testImage(13), { topK: 2 });
    const request = tritonBinaryRequest([{ name: classifier.inputName, datatype: 'FP32', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], bytes: float32Bytes(normalize(testImage(13), classifier.preprocess)) }], {
      outputs: [{ name: classifier.outputName, binary: true, classification: 2 }],
    });
    const reply = await postBinary(inferUrl(), request);
    expect(reply.body.outputs[0]).toMatchObject({ datatype: 'BYTES', shape: [1, 2] });
    expect(readLengthPrefixed(reply.binary.get(classifier.outputName)!)).toEqual(expected.top.map((p) => `${p.probability.toFixed(6)}:${p.index}:${p.label}`));
  });

  it('answers bad binary bodies with 400 and an error body', async () => {
    const bytes = float32Bytes(normalize(testImage(14), classifier.preprocess));
    const tensor = { name: classifier.inputName, datatype: 'FP32', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], bytes };
    const good = tritonBinaryRequest([tensor]);
    expectError(await postBinary(inferUrl(), { body: good.body, headerLength: good.body.length + 10 }), 400, /Inference-Header-Content-Length is \d+, but the body has only/);
    expectError(await postBinary(inferUrl(), tritonBinaryRequest([{ ...tensor, bytes: bytes.subarray(0, 100) }])), 400, /binary_data_size 100, but shape \[1, 28, 28, 1\] of FP32 needs 3136 bytes/);
    expectError(await postBinary(inferUrl(), { body: good.body.subarray(0, good.body.length - 10), headerLength: good.headerLength }), 400, /binary_data_size 3136, but only 3126 bytes/);
    expectError(await postBinary(inferUrl(), { body: Buffer.concat([good.body, Buffer.alloc(4)]), headerLength: good.headerLength }), 400, /4 bytes of binary data after the last tensor/);
    expectError(await postBinary(inferUrl(), { body: good.body, headerLength: good.headerLength - 3 }), 400, /malformed JSON in the JSON header/);
    expectError(await postJson(inferUrl(), JSON.parse(good.body.subarray(0, good.headerLength).toString())), 400, /uses binary_data_size, but the request has no Inference-Header-Content-Length/);
  });
});

describe('bad requests', () => {
  it('refuses a wrong datatype, absurd shapes and malformed bodies with 400 before allocating', async () => {
    const pixels = Array.from(testImage(1));
    const input = (shape: number[], datatype = 'FP32', data: unknown[] = pixels) => ({ inputs: [{ name: classifier.inputName, shape, datatype, data }] });
    expectError(await postJson(inferUrl(), input([1, 28, 28, 1], 'UINT8')), 400, /datatype UINT8, but model 'digits' expects FP32/);
    expectError(await postJson(inferUrl(), input([1e9, 28, 28, 1])), 400, /more than the \d+ elements per tensor/);
    expectError(await postJson(inferUrl(), input([2 ** 53, 28, 28, 1])), 400, /shape\[0\] is 9007199254740992; dimensions are whole numbers/);
    expectError(await postJson(inferUrl(), input([1e300, 28, 28, 1])), 400, /dimensions are whole numbers/);
    expectError(await postJson(inferUrl(), input([1, 28, 28, 1], 'FP32', [1, 2])), 400, /has 2 elements but its shape \[1, 28, 28, 1\] holds 784/);
    expectError(await postJson(inferUrl(), input([1, 27, 28, 1])), 400, /expects \[-1, 28, 28, 1\]/);
    expectError(await postJson(inferUrl(), input([1, 28, 28, 1], 'FP99')), 400, /not a protocol datatype/);
    expectError(await postJson(inferUrl(), { inputs: [{ name: 'other', shape: [1], datatype: 'FP32', data: [1] }] }), 400, /unexpected inference input 'other'/);
    expectError(await postJson(inferUrl(), { inputs: [] }), 400, /model 'digits' needs the input 'conv_input', missing from the request/);
    expectError(await postJson(inferUrl(), { ...inferBody([testImage(0)]), outputs: [{ name: 'nope' }] }), 400, /unexpected inference output 'nope'/);
    expectError(await postJson(inferUrl(), { ...inferBody([testImage(0)]), outputs: [{ name: classifier.outputName, parameters: { classification: 0 } }] }), 400, /classification is 0/);
    expectError(await postJson(inferUrl(), '{"inputs": [', { 'content-type': 'application/json' }), 400, /malformed JSON/);
    expectError(await postJson(inferUrl(), 'x'.repeat(BODY_LIMIT + 1)), 413, /--body-limit/);
    expectError(await postJson(inferUrl(), 'xx', { 'content-encoding': 'br' }), 415, /gzip and deflate/);
    expectError(await postJson(inferUrl(), 'xx', { 'content-encoding': 'gzip' }), 400, /cannot be decompressed/);
    expectError(await postJson(inferUrl(), gzipSync(Buffer.alloc(BODY_LIMIT * 4, 32)), { 'content-encoding': 'gzip' }), 413, /--body-limit/);
    expect((await getJson(`${server.url}/v2/health/live`)).status).toBe(200);
  });

  it('keeps bad requests from affecting concurrent good ones', async () => {
    const good = Array.from({ length: 12 }, (_, i) => testImage(100 + i));
    const requests: Promise<Reply>[] = [];
    good.forEach((pixels, i) => {
      requests.push(postJson(inferUrl(), inferBody([pixels], { id: `good-${i}` })));
      requests.push(postJson(inferUrl(), { inputs: [{ name: classifier.inputName, shape: [1, 28, 28, 1], datatype: 'FP32', data: [Number.MAX_VALUE] }] }));
    });
    const replies = await Promise.all(requests);
    for (let i = 0; i < good.length; i++) {
      const reply = replies[i * 2];
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(`good-${i}`);
      expectClose(reply.body.outputs[0].data, await direct([good[i]]));
      expect(replies[i * 2 + 1].status).toBe(400);
    }
  });
});

describe('dynamic batching, statistics and metrics', () => {
  it('merges concurrent requests, gives each caller its own rows, and counts exactly what was sent', async () => {
    const before = await metricsText();
    const statsBefore = (await getJson(`${server.url}/v2/models/digits/stats`)).body.model_stats[0];
    const images = Array.from({ length: 40 }, (_, i) => testImage(200 + i));
    const replies = await Promise.all(images.map((pixels, i) => postJson(inferUrl(), inferBody([pixels], { id: `r${i}` }))));
    const failed = await postJson(inferUrl(), { inputs: [{ name: classifier.inputName, shape: [1, 28, 28, 1], datatype: 'FP32', data: [1] }] });
    expect(failed.status).toBe(400);
    for (const [i, reply] of replies.entries()) {
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(`r${i}`);
      expectClose(reply.body.outputs[0].data, await direct([images[i]]));
    }
    const after = await metricsText();
    const delta = (name: string) => metricValue(after, name, 'model="digits",version="1"') - metricValue(before, name, 'model="digits",version="1"');
    expect(delta('nv_inference_request_success')).toBe(40);
    expect(delta('nv_inference_count')).toBe(40);
    expect(delta('nv_inference_request_failure')).toBe(1);
    const executions = delta('nv_inference_exec_count');
    // Fewer runs than requests means some runs carried several requests' rows.
    expect(executions).toBeGreaterThan(0);
    expect(executions).toBeLessThan(40);
    expect(delta('nv_inference_request_duration_us')).toBeGreaterThan(0);
    expect(delta('nv_inference_compute_infer_duration_us')).toBeGreaterThan(0);
    expect(after).toMatch(/nv_inference_queue_duration_us\{model="digits",version="1"\}/);
    expect(after).toContain('# TYPE nv_inference_first_response_histogram_ms histogram');
    expect(metricValue(after, 'tfjs_onnx_batch_size_sum', 'model="digits"') - metricValue(before, 'tfjs_onnx_batch_size_sum', 'model="digits"')).toBe(40);
    expect(metricValue(after, 'tfjs_onnx_http_requests_total', 'route="/v2/models/:name/infer",status="200"')).toBeGreaterThan(0);

    const stats = (await getJson(`${server.url}/v2/models/digits/stats`)).body.model_stats[0];
    expect(stats).toMatchObject({ name: 'digits', version: '1' });
    expect(stats.inference_count - statsBefore.inference_count).toBe(40);
    expect(stats.execution_count - statsBefore.execution_count).toBe(executions);
    expect(stats.inference_stats.success.count - statsBefore.inference_stats.success.count).toBe(40);
    expect(stats.inference_stats.fail.count - statsBefore.inference_stats.fail.count).toBe(1);
    expect(stats.batch_stats.some((batch: { batch_size: number }) => batch.batch_size > 1)).toBe(true);
    expect((await getJson(`${server.url}/v2/models/digits/versions/1/stats`)).body.model_stats).toHaveLength(1);
    expect((await getJson(`${server.url}/v2/models/stats`)).body.model_stats.map((s: { name: string }) => s.name)).toEqual(['digits']);
    expectError(await getJson(`${server.url}/v2/models/nope/stats`), 404, /nope/);
  });
});

describe('every datatype, several inputs and outputs', () => {
  const datatypes = Object.keys(ONNX_TYPES) as Datatype[];
  const jsonData: Record<Datatype, unknown[]> = {
    BOOL: [true, false, false, true], UINT8: [0, 255, 7, 8], UINT16: [65535, 1, 2, 3], UINT32: [4294967295, 0, 1, 2], UINT64: [2 ** 53 - 1, 0, 5, 6],
    INT8: [-128, 127, 0, 1], INT16: [-32768, 32767, 0, 1], INT32: [-5, 1000000, 3, 4], INT64: [-(2 ** 40), 2 ** 40, 3, 4],
    FP16: [0.5, -2, 1024, 0.25], FP32: [0.25, -1.5, 3, 4], FP64: [0.1, 1e300, -3, 4], BYTES: ['a', 'ünï', '', 'z'],
  };
  const expectedOutput = (datatype: Datatype) => {
    const values = jsonData[datatype];
    if (DOUBLED.includes(datatype)) return values.map((value) => (datatype === 'FP64' && value === 1e300 ? 2e300 : (value as number) * 2));
    if (datatype === 'BOOL') return values.map((value) => !value);
    return values;
  };

  it('runs all thirteen datatypes through one model in one JSON request', async () => {
    const body = { inputs: datatypes.map((datatype) => ({ name: tensorName('in', datatype), shape: [2, 2], datatype, data: jsonData[datatype] })) };
    const reply = await postJson(`${typed.url}/v2/models/types/infer`, body);
    expect(reply.status).toBe(200);
    for (const datatype of datatypes) {
      const output = reply.body.outputs.find((candidate: { name: string }) => candidate.name === tensorName('out', datatype));
      expect(output, datatype).toMatchObject({ datatype, shape: [2, 2] });
      expect(output.data, datatype).toEqual(expectedOutput(datatype));
    }
  });

  it('mixes JSON and binary inputs and outputs, with BYTES length prefixes and FP16 bits', async () => {
    const fp16 = Buffer.alloc(8);
    [0.5, -2, 1024, 0.25].forEach((value, i) => fp16.writeUInt16LE(toHalfBits(value), i * 2));
    const int64 = Buffer.alloc(32);
    [-(2 ** 40), 2 ** 40, 3, 4].forEach((value, i) => int64.writeBigInt64LE(BigInt(value), i * 8));
    const binaryInputs = [
      { name: 'in_bytes', datatype: 'BYTES', shape: [2, 2], bytes: lengthPrefixed(['a', 'ünï', '', 'z']) },
      { name: 'in_fp16', datatype: 'FP16', shape: [2, 2], bytes: fp16 },
      { name: 'in_int64', datatype: 'INT64', shape: [2, 2], bytes: int64 },
      { name: 'in_bool', datatype: 'BOOL', shape: [2, 2], bytes: Buffer.from([1, 0, 0, 1]) },
    ];
    const jsonInputs = datatypes
      .filter((datatype) => !binaryInputs.some((input) => input.name === tensorName('in', datatype)))
      .map((datatype) => ({ name: tensorName('in', datatype), shape: [2, 2], datatype, data: jsonData[datatype] }));
    const request = tritonBinaryRequest(binaryInputs, {
      jsonInputs,
      outputs: [...binaryInputs.map((input) => ({ name: input.name.replace('in_', 'out_'), binary: true })), { name: 'out_fp32', binary: false }],
    });
    const reply = await postBinary(`${typed.url}/v2/models/types/infer`, request);
    expect(reply.status).toBe(200);
    expect(reply.body.outputs.map((o: { name: string }) => o.name)).toEqual(['out_bytes', 'out_fp16', 'out_int64', 'out_bool', 'out_fp32']);
    expect(readLengthPrefixed(reply.binary.get('out_bytes')!)).toEqual(['a', 'ünï', '', 'z']);
    const halves = reply.binary.get('out_fp16')!;
    expect([0, 1, 2, 3].map((i) => fromHalfBits(halves.readUInt16LE(i * 2)))).toEqual([0.5, -2, 1024, 0.25]);
    const longs = reply.binary.get('out_int64')!;
    expect([0, 1, 2, 3].map((i) => Number(longs.readBigInt64LE(i * 8)))).toEqual([-(2 ** 41), 2 ** 41, 6, 8]);
    expect([...reply.binary.get('out_bool')!]).toEqual([0, 1, 1, 0]);
    expect(reply.body.outputs[4].data).toEqual([0.5, -3, 6, 8]);
  });

  it('names what is missing or disagrees across inputs', async () => {
    const one = { inputs: [{ name: 'in_fp32', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }] };
    expectError(await postJson(`${typed.url}/v2/models/types/infer`, one), 400, /needs the inputs .*'in_bool'.*missing from the request/);
    const all = datatypes.map((datatype, i) => ({ name: tensorName('in', datatype), shape: [i === 0 ? 1 : 2, 2], datatype, data: i === 0 ? jsonData[datatype].slice(0, 2) : jsonData[datatype] }));
    expectError(await postJson(`${typed.url}/v2/models/types/infer`, { inputs: all }), 400, /disagree on the batch size/);
    const twice = { inputs: [one.inputs[0], one.inputs[0]] };
    expectError(await postJson(`${typed.url}/v2/models/types/infer`, twice), 400, /input 'in_fp32' is given twice/);
  });
});
