/**
 * Inference over real HTTP on a free loopback port: v2 JSON and the binary tensor data extension
 * (requests built byte by byte as Triton's client sends them), compression both ways, the
 * classification extension, the protocol's error replies, isolation of bad requests from good
 * ones, and dynamic batching seen through the statistics extension and the Triton-named metrics,
 * which move by exactly the requests sent.
 */
import { gzipSync, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import {
  expectError,
  float32Bytes,
  getJson,
  metricValue,
  postBinary,
  postJson,
  readFloat32,
  readLengthPrefixed,
  tritonBinaryRequest,
  type Reply,
} from '../helpers/client.ts';
import {
  CLASS_COUNT,
  DIGIT_LABELS,
  IMAGE_SIZE,
  PIXELS,
  inferBody,
  makeTestModel,
  normalize,
  predictDirectly,
  testImage,
} from '../helpers/fixtures.ts';

const BODY_LIMIT = 256 * 1024;
let classifier: Classifier;
let server: RunningServer;

beforeAll(async () => {
  const onnxPath = (await makeTestModel(tempDir('tfjs-onnx-server-'), { name: 'digits', labels: DIGIT_LABELS })).onnx;
  classifier = await loadClassifier(onnxPath, { device: 'cpu' });
  // A delay long enough that concurrent test requests reliably meet in one batch.
  server = await startServer({ modelPaths: [onnxPath], port: 0, grpcPort: false, maxDelayMs: 10, bodyLimit: BODY_LIMIT });
});
afterAll(async () => {
  await server?.close();
  await classifier?.dispose();
});

const inferUrl = (route = '/v2/models/digits/infer') => `${server.url}${route}`;

/** Every value within float rounding of what the runtime's classifier gives (batched runs may sum in another order). */
function expectClose(actual: number[], expected: Float32Array): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(1e-5));
}

describe('infer with JSON', () => {
  it('answers FP32 input with the model output, echoing the id', async () => {
    const reply = await postJson(inferUrl(), inferBody(classifier, [testImage(1)], { id: 'request-42' }));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ model_name: 'digits', model_version: '1', id: 'request-42' });
    expect(reply.body.outputs).toHaveLength(1);
    expect(reply.body.outputs[0]).toMatchObject({ name: classifier.outputName, datatype: 'FP32', shape: [1, CLASS_COUNT] });
    expectClose(reply.body.outputs[0].data, await predictDirectly(classifier, [testImage(1)]));
  });

  it('makes up an id when the request has none', async () => {
    expect((await postJson(inferUrl(), inferBody(classifier, [testImage(1)]))).body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts nested data, batches, the versioned route and a named output', async () => {
    const images = [testImage(2), testImage(3), testImage(4)];
    const flat = inferBody(classifier, images);
    const nested = images.map((pixels) => {
      const values = Array.from(normalize(pixels, classifier.preprocess));
      return Array.from({ length: IMAGE_SIZE }, (_, y) => Array.from({ length: IMAGE_SIZE }, (_, x) => [values[y * IMAGE_SIZE + x]]));
    });
    const body = { inputs: [{ ...flat.inputs[0], data: nested }], outputs: [{ name: classifier.outputName }] };
    const reply = await postJson(inferUrl('/v2/models/digits/versions/1/infer'), body);
    expect(reply.status).toBe(200);
    expect(reply.body.outputs[0].shape).toEqual([3, CLASS_COUNT]);
    expectClose(reply.body.outputs[0].data, await predictDirectly(classifier, images));
  });

  it('reads JSON sent without a Content-Type, and gzip or deflate bodies', async () => {
    const body = JSON.stringify(inferBody(classifier, [testImage(5)]));
    const expected = await predictDirectly(classifier, [testImage(5)]);
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
    const body = JSON.stringify(inferBody(classifier, images));
    // fetch would inflate silently; a raw request shows the bytes on the wire.
    const raw = await new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
      const req = request(
        inferUrl(),
        { method: 'POST', headers: { 'accept-encoding': 'gzip', 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res
            .on('data', (chunk) => chunks.push(chunk))
            .on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(raw.encoding).toBe('gzip');
    expectClose(JSON.parse(gunzipSync(raw.bytes).toString()).outputs[0].data, await predictDirectly(classifier, images));
  });

  it('returns the top classes as "score:index:label" strings with the classification extension', async () => {
    const [expected] = await classifier.classify(testImage(7), { topK: 3 });
    const reply = await postJson(
      inferUrl(),
      inferBody(classifier, [testImage(7)], { outputs: [{ name: classifier.outputName, parameters: { classification: 3 } }] }),
    );
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
    const request = tritonBinaryRequest(
      [{ name: classifier.inputName, datatype: 'FP32', shape: [2, IMAGE_SIZE, IMAGE_SIZE, 1], bytes: float32Bytes(input) }],
      {
        outputs: [{ name: classifier.outputName, binary: true }],
        id: 'bin-1',
      },
    );
    const reply = await postBinary(inferUrl(), request);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/octet-stream');
    expect(reply.body).toMatchObject({
      model_name: 'digits',
      id: 'bin-1',
      outputs: [
        { name: classifier.outputName, datatype: 'FP32', shape: [2, CLASS_COUNT], parameters: { binary_data_size: 2 * CLASS_COUNT * 4 } },
      ],
    });
    const fromBinary = readFloat32(reply.binary.get(classifier.outputName)!);
    expectClose(fromBinary, await predictDirectly(classifier, images));
    const json = await postJson(inferUrl(), inferBody(classifier, images));
    expect(fromBinary).toEqual(json.body.outputs[0].data);
  });

  it('answers binary input with JSON output unless binary is asked for, and honours binary_data_output', async () => {
    const bytes = float32Bytes(normalize(testImage(12), classifier.preprocess));
    const tensor = { name: classifier.inputName, datatype: 'FP32', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], bytes };
    const plain = await postBinary(inferUrl(), tritonBinaryRequest([tensor]));
    expect(plain.headers.get('inference-header-content-length')).toBeNull();
    expectClose(plain.body.outputs[0].data, await predictDirectly(classifier, [testImage(12)]));
    const header = {
      parameters: { binary_data_output: true },
      inputs: [{ name: tensor.name, shape: tensor.shape, datatype: 'FP32', parameters: { binary_data_size: bytes.length } }],
    };
    const json = Buffer.from(JSON.stringify(header));
    const all = await postBinary(inferUrl(), { body: Buffer.concat([json, bytes]), headerLength: json.length });
    expectClose(readFloat32(all.binary.get(classifier.outputName)!), await predictDirectly(classifier, [testImage(12)]));
  });

  it('sends classification strings as binary BYTES with length prefixes', async () => {
    const [expected] = await classifier.classify(testImage(13), { topK: 2 });
    const request = tritonBinaryRequest(
      [
        {
          name: classifier.inputName,
          datatype: 'FP32',
          shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1],
          bytes: float32Bytes(normalize(testImage(13), classifier.preprocess)),
        },
      ],
      {
        outputs: [{ name: classifier.outputName, binary: true, classification: 2 }],
      },
    );
    const reply = await postBinary(inferUrl(), request);
    expect(reply.body.outputs[0]).toMatchObject({ datatype: 'BYTES', shape: [1, 2] });
    expect(readLengthPrefixed(reply.binary.get(classifier.outputName)!)).toEqual(
      expected.top.map((p) => `${p.probability.toFixed(6)}:${p.index}:${p.label}`),
    );
  });

  it('answers bad binary bodies with 400 and an error body', async () => {
    const bytes = float32Bytes(normalize(testImage(14), classifier.preprocess));
    const tensor = { name: classifier.inputName, datatype: 'FP32', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], bytes };
    const good = tritonBinaryRequest([tensor]);
    expectError(
      await postBinary(inferUrl(), { body: good.body, headerLength: good.body.length + 10 }),
      400,
      /Inference-Header-Content-Length is \d+, but the body has only/,
    );
    expectError(
      await postBinary(inferUrl(), tritonBinaryRequest([{ ...tensor, bytes: bytes.subarray(0, 100) }])),
      400,
      /binary_data_size 100, but shape \[1, 28, 28, 1\] of FP32 needs 3136 bytes/,
    );
    expectError(
      await postBinary(inferUrl(), { body: good.body.subarray(0, good.body.length - 10), headerLength: good.headerLength }),
      400,
      /binary_data_size 3136, but only 3126 bytes/,
    );
    expectError(
      await postBinary(inferUrl(), { body: Buffer.concat([good.body, Buffer.alloc(4)]), headerLength: good.headerLength }),
      400,
      /4 bytes of binary data after the last tensor/,
    );
    expectError(
      await postBinary(inferUrl(), { body: good.body, headerLength: good.headerLength - 3 }),
      400,
      /malformed JSON in the JSON header/,
    );
    expectError(
      await postJson(inferUrl(), JSON.parse(good.body.subarray(0, good.headerLength).toString())),
      400,
      /uses binary_data_size, but the request has no Inference-Header-Content-Length/,
    );
  });
});

describe('bad requests', () => {
  it('refuses a wrong datatype, absurd shapes and malformed bodies with 400 before allocating', async () => {
    const pixels = Array.from(testImage(1));
    const input = (shape: number[], datatype = 'FP32', data: unknown[] = pixels) => ({
      inputs: [{ name: classifier.inputName, shape, datatype, data }],
    });
    expectError(await postJson(inferUrl(), input([1, 28, 28, 1], 'UINT8')), 400, /datatype UINT8, but model 'digits' expects FP32/);
    expectError(await postJson(inferUrl(), input([1e9, 28, 28, 1])), 400, /more than the \d+ elements per tensor/);
    expectError(
      await postJson(inferUrl(), input([2 ** 53, 28, 28, 1])),
      400,
      /shape\[0\] is 9007199254740992; dimensions are whole numbers/,
    );
    expectError(await postJson(inferUrl(), input([1e300, 28, 28, 1])), 400, /dimensions are whole numbers/);
    expectError(
      await postJson(inferUrl(), input([1, 28, 28, 1], 'FP32', [1, 2])),
      400,
      /has 2 elements but its shape \[1, 28, 28, 1\] holds 784/,
    );
    expectError(await postJson(inferUrl(), input([1, 27, 28, 1])), 400, /expects \[-1, 28, 28, 1\]/);
    expectError(await postJson(inferUrl(), input([1, 28, 28, 1], 'FP99')), 400, /not a protocol datatype/);
    expectError(
      await postJson(inferUrl(), { inputs: [{ name: 'other', shape: [1], datatype: 'FP32', data: [1] }] }),
      400,
      /unexpected inference input 'other'/,
    );
    expectError(await postJson(inferUrl(), { inputs: [] }), 400, /model 'digits' needs the input 'conv_input', missing from the request/);
    expectError(
      await postJson(inferUrl(), { ...inferBody(classifier, [testImage(0)]), outputs: [{ name: 'nope' }] }),
      400,
      /unexpected inference output 'nope'/,
    );
    expectError(
      await postJson(inferUrl(), {
        ...inferBody(classifier, [testImage(0)]),
        outputs: [{ name: classifier.outputName, parameters: { classification: 0 } }],
      }),
      400,
      /classification is 0/,
    );
    expectError(await postJson(inferUrl(), '{"inputs": [', { 'content-type': 'application/json' }), 400, /malformed JSON/);
    expectError(await postJson(inferUrl(), 'x'.repeat(BODY_LIMIT + 1)), 413, /--body-limit/);
    expectError(await postJson(inferUrl(), 'xx', { 'content-encoding': 'br' }), 415, /gzip and deflate/);
    expectError(await postJson(inferUrl(), 'xx', { 'content-encoding': 'gzip' }), 400, /cannot be decompressed/);
    expectError(
      await postJson(inferUrl(), gzipSync(Buffer.alloc(BODY_LIMIT * 4, 32)), { 'content-encoding': 'gzip' }),
      413,
      /--body-limit/,
    );
    expect((await getJson(`${server.url}/v2/health/live`)).status).toBe(200);
  });

  it('keeps bad requests from affecting concurrent good ones', async () => {
    const good = Array.from({ length: 12 }, (_, i) => testImage(100 + i));
    const requests: Promise<Reply>[] = [];
    good.forEach((pixels, i) => {
      requests.push(postJson(inferUrl(), inferBody(classifier, [pixels], { id: `good-${i}` })));
      requests.push(
        postJson(inferUrl(), {
          inputs: [{ name: classifier.inputName, shape: [1, 28, 28, 1], datatype: 'FP32', data: [Number.MAX_VALUE] }],
        }),
      );
    });
    const replies = await Promise.all(requests);
    for (let i = 0; i < good.length; i++) {
      const reply = replies[i * 2];
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(`good-${i}`);
      expectClose(reply.body.outputs[0].data, await predictDirectly(classifier, [good[i]]));
      expect(replies[i * 2 + 1].status).toBe(400);
    }
  });
});

async function metricsText(target = server): Promise<string> {
  const response = await fetch(`${target.url}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  return response.text();
}

describe('dynamic batching, statistics and metrics', () => {
  it('merges concurrent requests, gives each caller its own rows, and counts exactly what was sent', async () => {
    const before = await metricsText();
    const statsBefore = (await getJson(`${server.url}/v2/models/digits/stats`)).body.model_stats[0];
    const images = Array.from({ length: 40 }, (_, i) => testImage(200 + i));
    const replies = await Promise.all(images.map((pixels, i) => postJson(inferUrl(), inferBody(classifier, [pixels], { id: `r${i}` }))));
    const failed = await postJson(inferUrl(), {
      inputs: [{ name: classifier.inputName, shape: [1, 28, 28, 1], datatype: 'FP32', data: [1] }],
    });
    expect(failed.status).toBe(400);
    for (const [i, reply] of replies.entries()) {
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(`r${i}`);
      expectClose(reply.body.outputs[0].data, await predictDirectly(classifier, [images[i]]));
    }
    const after = await metricsText();
    const delta = (name: string) =>
      metricValue(after, name, 'model="digits",version="1"') - metricValue(before, name, 'model="digits",version="1"');
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
    expect(
      metricValue(after, 'tfjs_onnx_batch_size_sum', 'model="digits"') - metricValue(before, 'tfjs_onnx_batch_size_sum', 'model="digits"'),
    ).toBe(40);
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
