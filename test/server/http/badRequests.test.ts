/**
 * The protocol's error replies over real HTTP: a wrong datatype, absurd shapes, malformed,
 * oversized and undecodable bodies refused (400, 413, 415) before anything is allocated, and bad
 * requests kept from affecting good ones sent at the same time.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { expectError, getJson, postJson, type Reply } from '../helpers/client.ts';
import { BODY_LIMIT, expectClose, useHttpDigitsServer } from '../helpers/digitsServer.ts';
import { inferBody, predictDirectly, testImage } from '../helpers/fixtures.ts';

const served = useHttpDigitsServer();

describe('bad requests', () => {
  it('refuses a wrong datatype, absurd shapes and malformed bodies with 400 before allocating', async () => {
    const pixels = Array.from(testImage(1));
    const input = (shape: number[], datatype = 'FP32', data: unknown[] = pixels) => ({
      inputs: [{ name: served.classifier.inputName, shape, datatype, data }],
    });
    expectError(await postJson(served.inferUrl(), input([1, 28, 28, 1], 'UINT8')), 400, /datatype UINT8, but model 'digits' expects FP32/);
    expectError(await postJson(served.inferUrl(), input([1e9, 28, 28, 1])), 400, /more than the \d+ elements per tensor/);
    expectError(
      await postJson(served.inferUrl(), input([2 ** 53, 28, 28, 1])),
      400,
      /shape\[0\] is 9007199254740992; dimensions are whole numbers/,
    );
    expectError(await postJson(served.inferUrl(), input([1e300, 28, 28, 1])), 400, /dimensions are whole numbers/);
    expectError(
      await postJson(served.inferUrl(), input([1, 28, 28, 1], 'FP32', [1, 2])),
      400,
      /has 2 elements but its shape \[1, 28, 28, 1\] holds 784/,
    );
    expectError(await postJson(served.inferUrl(), input([1, 27, 28, 1])), 400, /expects \[-1, 28, 28, 1\]/);
    expectError(await postJson(served.inferUrl(), input([1, 28, 28, 1], 'FP99')), 400, /not a protocol datatype/);
    expectError(
      await postJson(served.inferUrl(), { inputs: [{ name: 'other', shape: [1], datatype: 'FP32', data: [1] }] }),
      400,
      /unexpected inference input 'other'/,
    );
    expectError(
      await postJson(served.inferUrl(), { inputs: [] }),
      400,
      /model 'digits' needs the input 'conv_input', missing from the request/,
    );
    expectError(
      await postJson(served.inferUrl(), { ...inferBody(served.classifier, [testImage(0)]), outputs: [{ name: 'nope' }] }),
      400,
      /unexpected inference output 'nope'/,
    );
    expectError(
      await postJson(served.inferUrl(), {
        ...inferBody(served.classifier, [testImage(0)]),
        outputs: [{ name: served.classifier.outputName, parameters: { classification: 0 } }],
      }),
      400,
      /classification is 0/,
    );
    expectError(await postJson(served.inferUrl(), '{"inputs": [', { 'content-type': 'application/json' }), 400, /malformed JSON/);
    expectError(await postJson(served.inferUrl(), 'x'.repeat(BODY_LIMIT + 1)), 413, /--body-limit/);
    expectError(await postJson(served.inferUrl(), 'xx', { 'content-encoding': 'br' }), 415, /gzip and deflate/);
    expectError(await postJson(served.inferUrl(), 'xx', { 'content-encoding': 'gzip' }), 400, /cannot be decompressed/);
    expectError(
      await postJson(served.inferUrl(), gzipSync(Buffer.alloc(BODY_LIMIT * 4, 32)), { 'content-encoding': 'gzip' }),
      413,
      /--body-limit/,
    );
    expect((await getJson(`${served.server.url}/v2/health/live`)).status).toBe(200);
  });

  it('keeps bad requests from affecting concurrent good ones', async () => {
    const good = Array.from({ length: 12 }, (_, i) => testImage(100 + i));
    const requests: Promise<Reply>[] = [];
    good.forEach((pixels, i) => {
      requests.push(postJson(served.inferUrl(), inferBody(served.classifier, [pixels], { id: `good-${i}` })));
      requests.push(
        postJson(served.inferUrl(), {
          inputs: [{ name: served.classifier.inputName, shape: [1, 28, 28, 1], datatype: 'FP32', data: [Number.MAX_VALUE] }],
        }),
      );
    });
    const replies = await Promise.all(requests);
    for (let i = 0; i < good.length; i++) {
      const reply = replies[i * 2];
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(`good-${i}`);
      expectClose(reply.body.outputs[0].data, await predictDirectly(served.classifier, [good[i]]));
      expect(replies[i * 2 + 1].status).toBe(400);
    }
  });
});
