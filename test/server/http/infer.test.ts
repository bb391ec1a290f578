/**
 * Inference with v2 JSON over real HTTP on a free loopback port: flat and nested data, batches,
 * the versioned route and named outputs, compressed bodies both ways, and the classification
 * extension. The binary extension, bad requests and batching statistics have files of their own
 * beside this one.
 */
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { postJson } from '../helpers/client.ts';
import { expectClose, useHttpDigitsServer } from '../helpers/digitsServer.ts';
import { CLASS_COUNT, IMAGE_SIZE, inferBody, normalize, predictDirectly, testImage } from '../helpers/fixtures.ts';

const served = useHttpDigitsServer();

describe('infer with JSON', () => {
  it('answers FP32 input with the model output, echoing the id', async () => {
    const reply = await postJson(served.inferUrl(), inferBody(served.classifier, [testImage(1)], { id: 'request-42' }));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ model_name: 'digits', model_version: '1', id: 'request-42' });
    expect(reply.body.outputs).toHaveLength(1);
    expect(reply.body.outputs[0]).toMatchObject({ name: served.classifier.outputName, datatype: 'FP32', shape: [1, CLASS_COUNT] });
    expectClose(reply.body.outputs[0].data, await predictDirectly(served.classifier, [testImage(1)]));
  });

  it('makes up an id when the request has none', async () => {
    expect((await postJson(served.inferUrl(), inferBody(served.classifier, [testImage(1)]))).body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts nested data, batches, the versioned route and a named output', async () => {
    const images = [testImage(2), testImage(3), testImage(4)];
    const flat = inferBody(served.classifier, images);
    const nested = images.map((pixels) => {
      const values = Array.from(normalize(pixels, served.classifier.preprocess));
      return Array.from({ length: IMAGE_SIZE }, (_, y) => Array.from({ length: IMAGE_SIZE }, (_, x) => [values[y * IMAGE_SIZE + x]]));
    });
    const body = { inputs: [{ ...flat.inputs[0], data: nested }], outputs: [{ name: served.classifier.outputName }] };
    const reply = await postJson(served.inferUrl('/v2/models/digits/versions/1/infer'), body);
    expect(reply.status).toBe(200);
    expect(reply.body.outputs[0].shape).toEqual([3, CLASS_COUNT]);
    expectClose(reply.body.outputs[0].data, await predictDirectly(served.classifier, images));
  });

  it('reads JSON sent without a Content-Type, and gzip or deflate bodies', async () => {
    const body = JSON.stringify(inferBody(served.classifier, [testImage(5)]));
    const expected = await predictDirectly(served.classifier, [testImage(5)]);
    for (const [payload, headers] of [
      [body, {}],
      [gzipSync(body), { 'content-encoding': 'gzip' }],
      [deflateSync(body), { 'content-encoding': 'deflate', 'content-type': 'application/json' }],
    ] as const) {
      const response = await fetch(served.inferUrl(), { method: 'POST', headers, body: payload as BodyInit });
      expect(response.status).toBe(200);
      expectClose((await response.json()).outputs[0].data, expected);
    }
  });

  it('compresses the reply when Accept-Encoding asks', async () => {
    const { request } = await import('node:http');
    const { gunzipSync } = await import('node:zlib');
    const images = Array.from({ length: 8 }, (_, i) => testImage(60 + i));
    const body = JSON.stringify(inferBody(served.classifier, images));
    // fetch would inflate silently; a raw request shows the bytes on the wire.
    const raw = await new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
      const req = request(
        served.inferUrl(),
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
    expectClose(JSON.parse(gunzipSync(raw.bytes).toString()).outputs[0].data, await predictDirectly(served.classifier, images));
  });

  it('returns the top classes as "score:index:label" strings with the classification extension', async () => {
    const [expected] = await served.classifier.classify(testImage(7), { topK: 3 });
    const reply = await postJson(
      served.inferUrl(),
      inferBody(served.classifier, [testImage(7)], {
        outputs: [{ name: served.classifier.outputName, parameters: { classification: 3 } }],
      }),
    );
    expect(reply.status).toBe(200);
    const [output] = reply.body.outputs;
    expect(output).toMatchObject({ name: served.classifier.outputName, datatype: 'BYTES', shape: [1, 3] });
    expect(output.data).toEqual(expected.top.map((p) => `${p.probability.toFixed(6)}:${p.index}:${p.label}`));
  });
});
