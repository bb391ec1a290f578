/**
 * POST /v2/models/{name}/classify: PNG, JPEG and JSON pixels classified as the runtime does, and
 * hostile pictures that must cost the server nothing: decompression bombs refused from their
 * header, limits set by flags, and decoding in worker threads so a large picture never holds up other requests. The
 * route runs on the served model's own session, through the core like /infer: the per-model
 * statistics and Triton counters count it, and no second onnxruntime session is ever created.
 */
import jpeg from 'jpeg-js';
import { InferenceSession } from 'onnxruntime-node';
import { PNG } from 'pngjs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { getJson, metricValue, postJson, type Reply } from '../helpers/client.ts';
import { IMAGE_SIZE, PIXELS, makeTestModel, normalize, testImage } from '../helpers/fixtures.ts';
import { writeAllTypesModel } from '../helpers/models.ts';

let onnxPath: string;
let classifier: Classifier;
let server: RunningServer;
/** About 16 megapixels: decoding and shrinking it takes a worker a while. */
let bigPng: Buffer;
/** onnxruntime-node sessions created in this process, and how many the shared server created at start. */
let sessionsCreated = 0;
let sessionsAtStart = 0;

beforeAll(async () => {
  countSessions();
  // Made before any request: encoding it blocks this process for seconds, long enough for a
  // pooled keep-alive connection to go stale under the client's feet.
  bigPng = grayPng(4000, 4000, (x, y) => ((x >> 6) + (y >> 6)) & 0xff);
  const directory = tempDir('tfjs-onnx-classify-');
  onnxPath = (await makeTestModel(directory, { name: 'digits' })).onnx;
  const tensors = path.join(directory, 'tensors.onnx');
  writeAllTypesModel(tensors, { datatypes: ['FP32', 'INT64'] });
  classifier = await loadClassifier(onnxPath, { device: 'cpu' });
  const before = sessionsCreated;
  server = await startServer({ modelPaths: [onnxPath, tensors], port: 0, grpcPort: false, maxImageMegapixels: 20 });
  sessionsAtStart = sessionsCreated - before;
});
afterAll(async () => {
  await server?.close();
  await classifier?.dispose();
});

const classifyUrl = (query = '') => `${server.url}/v2/models/digits/classify${query}`;

/**
 * Counts the sessions onnxruntime-node creates in this process (the server runs in it): the
 * runtime imports the same module instance, so every session it makes passes through here.
 */
function countSessions(): void {
  const create = InferenceSession.create.bind(InferenceSession);
  InferenceSession.create = ((...args: Parameters<typeof create>) => {
    sessionsCreated++;
    return create(...args);
  }) as typeof InferenceSession.create;
}

function grayPng(width: number, height: number, fill: (x: number, y: number) => number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0 });
  png.data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data[y * width + x] = fill(x, y);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}

/** A PNG whose header claims width × height over a tiny (invalid) body: a decompression bomb's header. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(10))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('classify', () => {
  const pixels = testImage(9);
  const png = grayPng(IMAGE_SIZE, IMAGE_SIZE, (x, y) => pixels[y * IMAGE_SIZE + x]);
  const rgba = Buffer.alloc(PIXELS * 4);
  pixels.forEach((value, i) => {
    rgba.fill(value, i * 4, i * 4 + 3).writeUInt8(255, i * 4 + 3);
  });
  const jpg = jpeg.encode({ data: rgba, width: IMAGE_SIZE, height: IMAGE_SIZE }, 100).data;

  it('classifies PNG, JPEG and JSON pixels like the runtime does', async () => {
    const [expected] = await classifier.classify(pixels, { topK: 3 });
    for (const [body, type] of [
      [png, 'image/png'],
      [png, 'application/octet-stream'],
      [{ pixels: Array.from(pixels) }, 'application/json'],
    ] as const) {
      const reply = await postJson(classifyUrl('?top_k=3'), body, { 'content-type': type });
      expect(reply.status).toBe(200);
      expect(reply.body.model_name).toBe('digits');
      expect(reply.body.predictions.map((p: { index: number }) => p.index)).toEqual(expected.top.map((p) => p.index));
      reply.body.predictions.forEach((p: { probability: number }, i: number) => {
        expect(Math.abs(p.probability - expected.top[i].probability)).toBeLessThan(1e-6);
      });
    }
    // JPEG is lossy: the reply is the runtime's answer for the same file.
    const [fromJpeg] = await classifier.classify(new Uint8Array(jpg), { topK: 2 });
    const reply = await postJson(classifyUrl('?top_k=2'), new Uint8Array(jpg), { 'content-type': 'image/jpeg' });
    expect(reply.status).toBe(200);
    expect(reply.body.predictions.map((p: { index: number }) => p.index)).toEqual(fromJpeg.top.map((p) => p.index));
  });

  it('shrinks a larger picture to the model size as the runtime does', async () => {
    const large = grayPng(280, 280, (x, y) => pixels[Math.floor(y / 10) * IMAGE_SIZE + Math.floor(x / 10)]);
    const [expected] = await classifier.classify(new Uint8Array(large), { topK: 1 });
    const reply = await postJson(classifyUrl('?top_k=1'), large, { 'content-type': 'image/png' });
    expect(reply.status).toBe(200);
    expect(reply.body.predictions[0].index).toBe(expected.top[0].index);
  });

  it('refuses undecodable images and bad pixels with 400', async () => {
    const expectError = (reply: Reply, pattern: RegExp) => {
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatch(pattern);
    };
    expectError(
      await postJson(classifyUrl(), new Uint8Array([1, 2, 3, 4]), { 'content-type': 'image/png' }),
      /not a decodable PNG or JPEG image/,
    );
    expectError(await postJson(classifyUrl(), png.subarray(0, 40), { 'content-type': 'image/png' }), /cannot be decoded/);
    expectError(await postJson(classifyUrl(), new Uint8Array(0), { 'content-type': 'application/octet-stream' }), /empty/);
    expectError(await postJson(classifyUrl(), { pixels: [300] }), /pixels\[0\]/);
    expectError(await postJson(classifyUrl(), { pixels: [1, 2, 3] }), /./);
    expectError(await postJson(classifyUrl(), { image: [] }), /required property 'pixels'/);
    expectError(await postJson(classifyUrl('?top_k=0'), png, { 'content-type': 'image/png' }), /top_k/);
  });

  it('refuses decompression bombs from the header, at once, and the limits follow the flags', async () => {
    const wide = pngHeaderOnly(49_000_000, 1);
    const huge = pngHeaderOnly(20_000, 20_000);
    const replies = await Promise.all([wide, huge].map((body) => postJson(classifyUrl(), body, { 'content-type': 'image/png' })));
    expect(replies[0].status).toBe(400);
    expect(replies[0].body.error).toMatch(/49000000×1 pixels.*(aspect ratio|megapixels)/);
    expect(replies[1].status).toBe(400);
    expect(replies[1].body.error).toMatch(/20000×20000 pixels \(400 megapixels\), more than the limit of 20/);
    const strict = await startServer({ modelPaths: [onnxPath], port: 0, grpcPort: false, maxImageMegapixels: 0.01, maxImageAspect: 2 });
    try {
      const big = await postJson(
        `${strict.url}/v2/models/digits/classify`,
        grayPng(200, 200, () => 0),
        { 'content-type': 'image/png' },
      );
      expect(big.body.error).toMatch(/more than the limit of 0\.01/);
      const long = await postJson(
        `${strict.url}/v2/models/digits/classify`,
        grayPng(90, 10, () => 0),
        { 'content-type': 'image/png' },
      );
      expect(long.body.error).toMatch(/aspect ratio of 9:1, more than the limit of 2:1/);
    } finally {
      await strict.close();
    }
  });

  it('decodes in a worker thread: requests sent after a large picture are answered before it', async () => {
    const big = bigPng;
    const order: string[] = [];
    const classified = postJson(classifyUrl(), big, { 'content-type': 'image/png' }).then((reply) => {
      order.push('classify');
      return reply;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const probes = Array.from({ length: 5 }, () => getJson(`${server.url}/v2/health/live`).then(() => order.push('live')));
    await Promise.all(probes);
    expect((await classified).status).toBe(200);
    expect(order.slice(0, 5)).toEqual(['live', 'live', 'live', 'live', 'live']);
  });
});

describe('classify shares the served model', () => {
  const metricsText = async () => (await fetch(`${server.url}/metrics`)).text();
  const stats = async () => (await getJson(`${server.url}/v2/models/digits/stats`)).body.model_stats[0];
  const inferBody = (pixels: Uint8Array) => ({
    inputs: [
      {
        name: classifier.inputName,
        shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1],
        datatype: 'FP32',
        data: Array.from(normalize(pixels, classifier.preprocess)),
      },
    ],
  });

  it('moves the per-model statistics and Triton counters by exactly the requests sent, batched with /infer', async () => {
    const before = await metricsText();
    const statsBefore = await stats();
    const images = Array.from({ length: 12 }, (_, i) => testImage(300 + i));
    const png = (pixels: Uint8Array) => grayPng(IMAGE_SIZE, IMAGE_SIZE, (x, y) => pixels[y * IMAGE_SIZE + x]);
    // Sent together, so the batcher may merge classify and infer requests into one run.
    const replies = await Promise.all(
      images.map((pixels, i) =>
        i % 3 === 0
          ? postJson(classifyUrl('?top_k=1'), png(pixels), { 'content-type': 'image/png' })
          : i % 3 === 1
            ? postJson(classifyUrl('?top_k=1'), { pixels: Array.from(pixels) })
            : postJson(`${server.url}/v2/models/digits/infer`, inferBody(pixels)),
      ),
    );
    for (const [i, reply] of replies.entries()) {
      expect(reply.status).toBe(200);
      const [expected] = await classifier.classify(images[i], { topK: 1 });
      const top =
        i % 3 === 2 ? reply.body.outputs[0].data.indexOf(Math.max(...reply.body.outputs[0].data)) : reply.body.predictions[0].index;
      expect(top).toBe(expected.top[0].index);
    }
    // A picture that reaches the model's decoder and fails there is a failed request of the model.
    const broken = grayPng(IMAGE_SIZE, IMAGE_SIZE, () => 0).subarray(0, 60);
    expect((await postJson(classifyUrl(), broken, { 'content-type': 'image/png' })).status).toBe(400);

    const after = await metricsText();
    const delta = (name: string) =>
      metricValue(after, name, 'model="digits",version="1"') - metricValue(before, name, 'model="digits",version="1"');
    expect(delta('nv_inference_request_success')).toBe(12);
    expect(delta('nv_inference_count')).toBe(12);
    expect(delta('nv_inference_request_failure')).toBe(1);
    const executions = delta('nv_inference_exec_count');
    expect(executions).toBeGreaterThanOrEqual(1);
    expect(executions).toBeLessThanOrEqual(12);
    const statsAfter = await stats();
    expect(statsAfter.inference_count - statsBefore.inference_count).toBe(12);
    expect(statsAfter.execution_count - statsBefore.execution_count).toBe(executions);
    expect(statsAfter.inference_stats.success.count - statsBefore.inference_stats.success.count).toBe(12);
    expect(statsAfter.inference_stats.fail.count - statsBefore.inference_stats.fail.count).toBe(1);
  });

  it('creates no second session: one per served model at start, none for classify requests', async () => {
    expect(sessionsAtStart).toBe(2);
    // A server of its own, so what earlier tests did cannot hide a session made on first use.
    const before = sessionsCreated;
    const fresh = await startServer({ modelPaths: [onnxPath], port: 0, grpcPort: false });
    try {
      expect(sessionsCreated - before).toBe(1);
      const png = grayPng(IMAGE_SIZE, IMAGE_SIZE, (x, y) => testImage(5)[y * IMAGE_SIZE + x]);
      const replies = await Promise.all([
        postJson(`${fresh.url}/v2/models/digits/classify`, png, { 'content-type': 'image/png' }),
        ...Array.from({ length: 3 }, (_, i) =>
          postJson(`${fresh.url}/v2/models/digits/classify`, { pixels: Array.from(testImage(400 + i)) }),
        ),
      ]);
      expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
      expect(sessionsCreated - before).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it("answers 400 for a model that is not an image classifier, and counts it as that model's failure", async () => {
    const before = await metricsText();
    const reply = await postJson(`${server.url}/v2/models/tensors/classify`, { pixels: [1, 2] });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(
      /^model 'tensors' is not an image classifier, so \/classify cannot serve it \(.*has 2 inputs.*\); send it tensors with \/infer$/,
    );
    const after = await metricsText();
    expect(
      metricValue(after, 'nv_inference_request_failure', 'model="tensors",version="1"') -
        metricValue(before, 'nv_inference_request_failure', 'model="tensors",version="1"'),
    ).toBe(1);
  });

  it('refuses a body holding several images: /classify answers for one', async () => {
    const two = [...testImage(1), ...testImage(2)];
    const reply = await postJson(classifyUrl(), { pixels: two });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(/holds 2 images; \/classify takes one/);
  });
});
