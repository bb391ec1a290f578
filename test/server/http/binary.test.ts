/**
 * Inference with the binary tensor data extension over real HTTP: requests built byte by byte as
 * Triton's client sends them, binary and JSON outputs agreeing, classification strings as
 * length-prefixed BYTES, and bad binary bodies answered with 400.
 */
import { describe, expect, it } from 'vitest';
import {
  expectError,
  float32Bytes,
  postBinary,
  postJson,
  readFloat32,
  readLengthPrefixed,
  tritonBinaryRequest,
} from '../helpers/client.ts';
import { expectClose, useHttpDigitsServer } from '../helpers/digitsServer.ts';
import { CLASS_COUNT, IMAGE_SIZE, inferBody, normalize, normalizeBatch, predictDirectly, testImage } from '../helpers/fixtures.ts';

const served = useHttpDigitsServer();

describe('infer with the binary tensor data extension', () => {
  it('answers a request laid out as Triton’s client sends it, with binary outputs, agreeing with JSON', async () => {
    const images = [testImage(10), testImage(11)];
    const input = normalizeBatch(served.classifier, images);
    const request = tritonBinaryRequest(
      [{ name: served.classifier.inputName, datatype: 'FP32', shape: [2, IMAGE_SIZE, IMAGE_SIZE, 1], bytes: float32Bytes(input) }],
      {
        outputs: [{ name: served.classifier.outputName, binary: true }],
        id: 'bin-1',
      },
    );
    const reply = await postBinary(served.inferUrl(), request);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/octet-stream');
    expect(reply.body).toMatchObject({
      model_name: 'digits',
      id: 'bin-1',
      outputs: [
        {
          name: served.classifier.outputName,
          datatype: 'FP32',
          shape: [2, CLASS_COUNT],
          parameters: { binary_data_size: 2 * CLASS_COUNT * 4 },
        },
      ],
    });
    const fromBinary = readFloat32(reply.binary.get(served.classifier.outputName)!);
    expectClose(fromBinary, await predictDirectly(served.classifier, images));
    const json = await postJson(served.inferUrl(), inferBody(served.classifier, images));
    expect(fromBinary).toEqual(json.body.outputs[0].data);
  });

  it('answers binary input with JSON output unless binary is asked for, and honours binary_data_output', async () => {
    const bytes = float32Bytes(normalize(testImage(12), served.classifier.preprocess));
    const tensor = { name: served.classifier.inputName, datatype: 'FP32', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], bytes };
    const plain = await postBinary(served.inferUrl(), tritonBinaryRequest([tensor]));
    expect(plain.headers.get('inference-header-content-length')).toBeNull();
    expectClose(plain.body.outputs[0].data, await predictDirectly(served.classifier, [testImage(12)]));
    const header = {
      parameters: { binary_data_output: true },
      inputs: [{ name: tensor.name, shape: tensor.shape, datatype: 'FP32', parameters: { binary_data_size: bytes.length } }],
    };
    const json = Buffer.from(JSON.stringify(header));
    const all = await postBinary(served.inferUrl(), { body: Buffer.concat([json, bytes]), headerLength: json.length });
    expectClose(readFloat32(all.binary.get(served.classifier.outputName)!), await predictDirectly(served.classifier, [testImage(12)]));
  });

  it('sends classification strings as binary BYTES with length prefixes', async () => {
    const [expected] = await served.classifier.classify(testImage(13), { topK: 2 });
    const request = tritonBinaryRequest(
      [
        {
          name: served.classifier.inputName,
          datatype: 'FP32',
          shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1],
          bytes: float32Bytes(normalize(testImage(13), served.classifier.preprocess)),
        },
      ],
      {
        outputs: [{ name: served.classifier.outputName, binary: true, classification: 2 }],
      },
    );
    const reply = await postBinary(served.inferUrl(), request);
    expect(reply.body.outputs[0]).toMatchObject({ datatype: 'BYTES', shape: [1, 2] });
    expect(readLengthPrefixed(reply.binary.get(served.classifier.outputName)!)).toEqual(
      expected.top.map((p) => `${p.probability.toFixed(6)}:${p.index}:${p.label}`),
    );
  });

  it('answers bad binary bodies with 400 and an error body', async () => {
    const bytes = float32Bytes(normalize(testImage(14), served.classifier.preprocess));
    const tensor = { name: served.classifier.inputName, datatype: 'FP32', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], bytes };
    const good = tritonBinaryRequest([tensor]);
    expectError(
      await postBinary(served.inferUrl(), { body: good.body, headerLength: good.body.length + 10 }),
      400,
      /Inference-Header-Content-Length is \d+, but the body has only/,
    );
    expectError(
      await postBinary(served.inferUrl(), tritonBinaryRequest([{ ...tensor, bytes: bytes.subarray(0, 100) }])),
      400,
      /binary_data_size 100, but shape \[1, 28, 28, 1\] of FP32 needs 3136 bytes/,
    );
    expectError(
      await postBinary(served.inferUrl(), { body: good.body.subarray(0, good.body.length - 10), headerLength: good.headerLength }),
      400,
      /binary_data_size 3136, but only 3126 bytes/,
    );
    expectError(
      await postBinary(served.inferUrl(), { body: Buffer.concat([good.body, Buffer.alloc(4)]), headerLength: good.headerLength }),
      400,
      /4 bytes of binary data after the last tensor/,
    );
    expectError(
      await postBinary(served.inferUrl(), { body: good.body, headerLength: good.headerLength - 3 }),
      400,
      /malformed JSON in the JSON header/,
    );
    expectError(
      await postJson(served.inferUrl(), JSON.parse(good.body.subarray(0, good.headerLength).toString())),
      400,
      /uses binary_data_size, but the request has no Inference-Header-Content-Length/,
    );
  });
});
