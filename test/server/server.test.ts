/**
 * The inference server over real HTTP on a free loopback port: every route, the protocol's error
 * replies, isolation of bad requests from good ones, and dynamic batching seen through /metrics.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { InvalidOptionError } from '../../common/errors.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { CLASS_COUNT, IMAGE_SIZE, PIXELS, makeTestModel, normalize, testImage } from './fixtures.ts';

const BODY_LIMIT = 256 * 1024;
let directory: string;
let onnxPath: string;
let classifier: Classifier;
let server: RunningServer;
const startupLines: string[] = [];

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-server-');
  onnxPath = (await makeTestModel(directory, { name: 'digits' })).onnx;
  classifier = await loadClassifier(onnxPath, { backend: 'native' });
  // A delay long enough that concurrent test requests reliably meet in one batch.
  server = await startServer({ modelPaths: [onnxPath], port: 0, maxDelayMs: 10, bodyLimit: BODY_LIMIT, log: (line) => startupLines.push(line) });
});
afterAll(async () => {
  await server?.close();
  await classifier?.dispose();
});

async function get(route: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${route}`);
  return { status: response.status, body: await response.json() };
}

async function post(route: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const response = await fetch(`${server.url}${route}`, { method: 'POST', headers: { 'content-type': contentType }, body: payload as BodyInit });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) };
}

function inferBody(pixelsList: Uint8Array[], options: { datatype?: 'FP32' | 'UINT8'; id?: string } = {}) {
  const datatype = options.datatype ?? 'FP32';
  const data = pixelsList.flatMap((pixels) => Array.from(datatype === 'UINT8' ? pixels : normalize(pixels, classifier.preprocess)));
  return {
    ...(options.id ? { id: options.id } : {}),
    inputs: [{ name: classifier.inputName, shape: [pixelsList.length, IMAGE_SIZE, IMAGE_SIZE, 1], datatype, data }],
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

async function metricsText(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  return response.text();
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && labels.split(',').every((label) => candidate.includes(label)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('startup', () => {
  it('prints the URL it listens on and each model route', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(startupLines[0]).toBe(`listening on ${server.url}`);
    expect(startupLines.join('\n')).toContain(`${server.url}/v2/models/digits/infer`);
    expect(server.models).toEqual(['digits']);
  });
});

describe('health and metadata', () => {
  it('answers server metadata, liveness and readiness', async () => {
    expect(await get('/v2')).toEqual({ status: 200, body: { name: 'tfjs-onnx', version: expect.any(String), extensions: expect.any(Array) } });
    expect(await get('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
    expect(await get('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
    expect(await get('/v2/models/digits/ready')).toEqual({ status: 200, body: { name: 'digits', ready: true } });
    expect(await get('/v2/models/digits/versions/1/ready')).toEqual({ status: 200, body: { name: 'digits', ready: true } });
  });

  it('describes the model with the ONNX input and output', async () => {
    const expected = {
      name: 'digits',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [-1, IMAGE_SIZE, IMAGE_SIZE, 1] }],
      outputs: [{ name: classifier.outputName, datatype: 'FP32', shape: [-1, CLASS_COUNT] }],
    };
    expect(await get('/v2/models/digits')).toEqual({ status: 200, body: expected });
    expect(await get('/v2/models/digits/versions/1')).toEqual({ status: 200, body: expected });
  });

  it('answers 404 with an error body for unknown models, versions and routes', async () => {
    expectError(await get('/v2/models/nope'), 404, /model 'nope' is not served/);
    expectError(await get('/v2/models/digits/versions/2'), 404, /no version '2'/);
    expectError(await get('/v2/models/nope/ready'), 404, /nope/);
    expectError(await get('/v3/anything'), 404, /no route GET \/v3\/anything/);
    expectError(await post('/v2/models/nope/infer', inferBody([testImage(0)])), 404, /nope/);
  });
});

describe('infer', () => {
  it('answers FP32 input with the model output, echoing the id', async () => {
    const reply = await post('/v2/models/digits/infer', inferBody([testImage(1)], { id: 'request-42' }));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ model_name: 'digits', model_version: '1', id: 'request-42' });
    expect(reply.body.outputs).toHaveLength(1);
    expect(reply.body.outputs[0]).toMatchObject({ name: classifier.outputName, datatype: 'FP32', shape: [1, CLASS_COUNT] });
    expectClose(reply.body.outputs[0].data, await direct([testImage(1)]));
  });

  it('makes up an id when the request has none', async () => {
    const reply = await post('/v2/models/digits/infer', inferBody([testImage(1)]));
    expect(reply.body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts nested data, UINT8 pixels, batches, the versioned route and a named output', async () => {
    const images = [testImage(2), testImage(3), testImage(4)];
    const expected = await direct(images);
    const flat = inferBody(images);
    const nestedData = images.map((pixels) => {
      const values = normalize(pixels, classifier.preprocess);
      return Array.from({ length: IMAGE_SIZE }, (_, y) => Array.from({ length: IMAGE_SIZE }, (_, x) => [values[y * IMAGE_SIZE + x]]));
    });
    const nested = { inputs: [{ ...flat.inputs[0], data: nestedData }], outputs: [{ name: classifier.outputName }] };
    for (const [route, body] of [
      ['/v2/models/digits/infer', flat],
      ['/v2/models/digits/infer', nested],
      ['/v2/models/digits/infer', inferBody(images, { datatype: 'UINT8' })],
      ['/v2/models/digits/versions/1/infer', flat],
    ] as const) {
      const reply = await post(route, body);
      expect(reply.status).toBe(200);
      expect(reply.body.outputs[0].shape).toEqual([3, CLASS_COUNT]);
      expectClose(reply.body.outputs[0].data, expected);
    }
  });

  it('refuses bad requests with 4xx and an error body', async () => {
    const good = inferBody([testImage(5)]);
    const input = good.inputs[0];
    const withInput = (changes: Record<string, unknown>) => ({ inputs: [{ ...input, ...changes }] });
    const cases: [unknown, number, RegExp][] = [
      [{}, 400, /must have required property 'inputs'/],
      [{ inputs: [] }, 400, /must NOT have fewer than 1 items/],
      [withInput({ name: 'pixels' }), 400, /unexpected inference input 'pixels'/],
      [withInput({ shape: [1, 28, 28] }), 400, /has shape \[1, 28, 28\] but model 'digits' expects \[-1, 28, 28, 1\]/],
      [withInput({ shape: [0, 28, 28, 1], data: [] }), 400, /expects \[-1, 28, 28, 1\]/],
      [withInput({ shape: [1, 28, 28, -1] }), 400, /must be >= 0/],
      [withInput({ datatype: 'INT64' }), 400, /datatype INT64/],
      [withInput({ datatype: 'FLOAT' }), 400, /must be equal to one of the allowed values/],
      [withInput({ data: input.data.slice(1) }), 400, /has 783 elements but its shape \[1, 28, 28, 1\] holds 784/],
      [withInput({ data: [...input.data, 0] }), 400, /more than the 784 elements/],
      [withInput({ data: ['0.5', ...input.data.slice(1)] }), 400, /element 0 is the string "0.5"/],
      [withInput({ data: [null, ...input.data.slice(1)] }), 400, /element 0 is null/],
      [withInput({ datatype: 'UINT8', data: [256, ...input.data.slice(1).map(() => 0)] }), 400, /not a UINT8 integer 0–255/],
      [{ inputs: [input, input] }, 400, /exactly one input/],
      [{ ...good, outputs: [{ name: 'logits' }] }, 400, /unexpected inference output 'logits'/],
    ];
    for (const [body, status, pattern] of cases) expectError(await post('/v2/models/digits/infer', body), status, pattern);
  });

  it('refuses malformed JSON, infinities, wrong content types and oversized bodies', async () => {
    expectError(await post('/v2/models/digits/infer', '{"inputs": [', 'application/json'), 400, /malformed JSON/);
    // JSON has no NaN, but 1e999 parses to Infinity, which must not reach the model.
    const text = JSON.stringify(inferBody([testImage(6)])).replace(/"data":\[[^,]+/, '"data":[1e999');
    expectError(await post('/v2/models/digits/infer', text), 400, /element 0 \(Infinity\) is not a finite FP32 number/);
    expectError(await post('/v2/models/digits/infer', 'hello', 'text/plain'), 415, /unsupported content type/i);
    const huge = JSON.stringify({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: new Array(BODY_LIMIT / 2).fill(0) }] });
    expectError(await post('/v2/models/digits/infer', huge), 413, /larger than the server accepts/);
  });

  it('answers concurrent good requests correctly while bad ones fail next to them', async () => {
    const requests = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? post('/v2/models/digits/infer', inferBody([testImage(100 + i)]))
        : post('/v2/models/digits/infer', i % 4 === 1 ? '{"inputs": oops' : { inputs: [{ ...inferBody([testImage(i)]).inputs[0], shape: [2, 28, 28, 1] }] }),
    );
    const replies = await Promise.all(requests);
    for (const [i, reply] of replies.entries()) {
      if (i % 2 === 0) {
        expect(reply.status).toBe(200);
        expectClose(reply.body.outputs[0].data, await direct([testImage(100 + i)]));
      } else {
        expectError(reply, 400, /malformed JSON|holds 1568/);
      }
    }
  });

  it('merges concurrent requests into batches and gives each caller its own rows', async () => {
    const before = await metricsText();
    const images = Array.from({ length: 40 }, (_, i) => testImage(200 + i));
    const replies = await Promise.all(images.map((pixels, i) => post('/v2/models/digits/infer', inferBody([pixels], { id: `r${i}` }))));
    for (const [i, reply] of replies.entries()) {
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(`r${i}`);
      expectClose(reply.body.outputs[0].data, await direct([images[i]]));
    }
    const after = await metricsText();
    const runs = metricValue(after, 'tfjs_onnx_batch_size_count', 'model="digits"') - metricValue(before, 'tfjs_onnx_batch_size_count', 'model="digits"');
    const rows = metricValue(after, 'tfjs_onnx_batch_size_sum', 'model="digits"') - metricValue(before, 'tfjs_onnx_batch_size_sum', 'model="digits"');
    expect(rows).toBe(40);
    // Fewer runs than requests means some runs carried several requests' rows.
    expect(runs).toBeLessThan(40);
    expect(metricValue(after, 'tfjs_onnx_queue_depth', 'model="digits"')).toBe(0);
  });
});

describe('classify', () => {
  const pixels = testImage(9);
  const png = PNG.sync.write(Object.assign(new PNG({ width: IMAGE_SIZE, height: IMAGE_SIZE, colorType: 0, inputColorType: 0 }), { data: Buffer.from(pixels) }), { colorType: 0, inputColorType: 0 });
  const rgba = Buffer.alloc(PIXELS * 4);
  pixels.forEach((value, i) => rgba.fill(value, i * 4, i * 4 + 3).writeUInt8(255, i * 4 + 3));
  const jpg = jpeg.encode({ data: rgba, width: IMAGE_SIZE, height: IMAGE_SIZE }, 100).data;

  it('classifies PNG, JPEG and raw bytes and JSON pixels like the runtime does', async () => {
    const [expected] = await classifier.classify(pixels, { topK: 3 });
    for (const [body, type] of [
      [png, 'image/png'],
      [png, 'application/octet-stream'],
      [{ pixels: Array.from(pixels) }, 'application/json'],
    ] as const) {
      const reply = await post('/v2/models/digits/classify?top_k=3', body, type);
      expect(reply.status).toBe(200);
      expect(reply.body.model_name).toBe('digits');
      expect(reply.body.predictions.map((p: { index: number }) => p.index)).toEqual(expected.top.map((p) => p.index));
      expect(reply.body.predictions[0].label).toBe(expected.top[0].label);
    }
    // JPEG is lossy: the reply is the runtime's answer for the same file, top-k sized.
    const [fromJpeg] = await classifier.classify(new Uint8Array(jpg), { topK: 2 });
    const reply = await post('/v2/models/digits/classify?top_k=2', new Uint8Array(jpg), 'image/jpeg');
    expect(reply.status).toBe(200);
    expect(reply.body.predictions).toHaveLength(2);
    expect(reply.body.predictions[0].index).toBe(fromJpeg.top[0].index);
  });

  it('refuses undecodable images and bad pixels with 400', async () => {
    expectError(await post('/v2/models/digits/classify', new Uint8Array([1, 2, 3, 4]), 'image/png'), 400, /not a decodable PNG or JPEG image/);
    expectError(await post('/v2/models/digits/classify', png.subarray(0, 40), 'image/png'), 400, /cannot be decoded/);
    expectError(await post('/v2/models/digits/classify', new Uint8Array(0), 'application/octet-stream'), 400, /empty/);
    expectError(await post('/v2/models/digits/classify', { pixels: [300] }), 400, /pixels\[0\]/);
    expectError(await post('/v2/models/digits/classify', { pixels: [1, 2, 3] }), 400, /./);
    expectError(await post('/v2/models/digits/classify', { image: [] }), 400, /required property 'pixels'/);
    expectError(await post('/v2/models/digits/classify?top_k=0', png, 'image/png'), 400, /top_k/);
    expect((await get('/v2/health/live')).status).toBe(200);
  });
});

describe('metrics', () => {
  it('counts requests by route and status and exposes latency, batch size and queue depth', async () => {
    const text = await metricsText();
    expect(metricValue(text, 'tfjs_onnx_http_requests_total', 'route="/v2/models/:name/infer",status="200"')).toBeGreaterThan(0);
    expect(metricValue(text, 'tfjs_onnx_http_requests_total', 'route="/v2/models/:name/infer",status="400"')).toBeGreaterThan(0);
    expect(metricValue(text, 'tfjs_onnx_http_requests_total', 'route="/v2/models/:name/infer",status="413"')).toBeGreaterThan(0);
    expect(text).toMatch(/tfjs_onnx_http_request_duration_seconds_bucket\{le="0\.01",method="POST",route="\/v2\/models\/:name\/infer"\}/);
    expect(text).toContain('# TYPE tfjs_onnx_batch_size histogram');
    expect(text).toContain('# TYPE tfjs_onnx_queue_depth gauge');
  });
});

describe('several models, batching off, wasm', () => {
  it('serves every model of a directory under its file name, each batch of one row', async () => {
    const modelDir = path.join(directory, 'repository');
    mkdirSync(modelDir);
    copyFileSync(onnxPath, path.join(modelDir, 'first.onnx'));
    copyFileSync(onnxPath, path.join(modelDir, 'second.onnx'));
    const other = await startServer({ modelDir, port: 0, maxBatch: 1 });
    try {
      expect(other.models).toEqual(['first', 'second']);
      const images = Array.from({ length: 8 }, (_, i) => testImage(300 + i));
      const replies = await Promise.all(
        images.map((pixels, i) =>
          fetch(`${other.url}/v2/models/${i % 2 ? 'second' : 'first'}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inferBody([pixels])) }).then((r) => r.json()),
        ),
      );
      for (const [i, reply] of replies.entries()) expectClose(reply.outputs[0].data, await direct([images[i]]));
      const text = await (await fetch(`${other.url}/metrics`)).text();
      expect(metricValue(text, 'tfjs_onnx_batch_size_count', 'model="first"') + metricValue(text, 'tfjs_onnx_batch_size_count', 'model="second"')).toBe(8);
    } finally {
      await other.close();
    }
  });

  it('serves with the wasm backend too', async () => {
    const wasm = await startServer({ modelPaths: [onnxPath], name: 'digits-wasm', port: 0, backend: 'wasm' });
    try {
      const response = await fetch(`${wasm.url}/v2/models/digits-wasm/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inferBody([testImage(7)])) });
      expect(response.status).toBe(200);
      expectClose((await response.json()).outputs[0].data, await direct([testImage(7)]));
    } finally {
      await wasm.close();
    }
  });

  it('refuses option combinations it cannot honour before loading anything', async () => {
    await expect(startServer({ modelPaths: [onnxPath, onnxPath], name: 'x', port: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(startServer({ modelPaths: [onnxPath, onnxPath], port: 0 })).rejects.toThrow(/two models would be served as 'digits'/);
    await expect(startServer({ modelPaths: [path.join(directory, 'missing.onnx')], port: 0 })).rejects.toThrow(/cannot read model/);
    await expect(startServer({ modelPaths: [onnxPath], port: 0, maxBatch: 0 })).rejects.toThrow(/--max-batch/);
  });
});
