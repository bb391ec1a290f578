/**
 * The gRPC front end over a real socket, with a client built by @grpc/grpc-js from the same .proto
 * file a user would use: health and metadata RPCs, ModelInfer with raw and typed contents agreeing
 * with HTTP JSON and binary on the same digits, the classification and statistics extensions,
 * status codes matching the HTTP ones, and metrics shared with HTTP. Every datatype
 * (datatypes.test.ts) and an independent client (interop.test.ts) have files of their own.
 */
import * as grpc from '@grpc/grpc-js';
import type { Classifier } from '@tfjs-onnx/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../server/index.ts';
import {
  float32Bytes,
  metricValue,
  postBinary,
  postJson,
  readFloat32,
  readLengthPrefixed,
  tritonBinaryRequest,
} from '../helpers/client.ts';
import { useDigitsServer } from '../helpers/digitsServer.ts';
import { CLASS_COUNT, DIGIT_LABELS, IMAGE_SIZE, normalizeBatch, testImage } from '../helpers/fixtures.ts';
import { call, callError, type GrpcClient } from '../helpers/grpcClient.ts';

const served = useDigitsServer({ tempPrefix: 'tfjs-onnx-grpc-', typesModel: true, serve: { grpcPort: 0, bodyLimit: 1024 * 1024 } });
let classifier: Classifier;
let server: RunningServer;
let client: GrpcClient;
beforeAll(() => {
  ({ classifier, server, client } = served);
});

const pixelsInput = (images: Uint8Array[]): Float32Array => normalizeBatch(classifier, images);

describe('gRPC', () => {
  it('prints both addresses and answers the health and metadata RPCs', async () => {
    expect(server.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.grpcPort).not.toBe(server.port);
    expect(await call(client, 'ServerLive', {})).toEqual({ live: true });
    expect(await call(client, 'ServerReady', {})).toEqual({ ready: true });
    expect(await call(client, 'ModelReady', { name: 'digits', version: '' })).toEqual({ ready: true });
    expect(await call(client, 'ModelReady', { name: 'nope' })).toEqual({ ready: false });
    expect(await call(client, 'ServerMetadata', {})).toEqual({
      name: 'tfjs-onnx',
      version: expect.any(String),
      extensions: expect.arrayContaining(['binary_tensor_data', 'statistics']),
    });
    expect(await call(client, 'ModelMetadata', { name: 'digits' })).toEqual({
      name: 'digits',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [-1, IMAGE_SIZE, IMAGE_SIZE, 1] }],
      outputs: [{ name: classifier.outputName, datatype: 'FP32', shape: [-1, CLASS_COUNT] }],
    });
  });

  it('ModelInfer with raw contents gives the same digits as HTTP JSON and binary', async () => {
    const images = [testImage(1), testImage(2), testImage(3)];
    const input = pixelsInput(images);
    const response = await call(client, 'ModelInfer', {
      model_name: 'digits',
      id: 'g-1',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [3, IMAGE_SIZE, IMAGE_SIZE, 1] }],
      raw_input_contents: [float32Bytes(input)],
    });
    expect(response).toMatchObject({
      model_name: 'digits',
      model_version: '1',
      id: 'g-1',
      outputs: [{ name: classifier.outputName, datatype: 'FP32', shape: [3, CLASS_COUNT] }],
    });
    const fromGrpc = readFloat32(response.raw_output_contents[0]);
    const expected = await classifier.predictBatch(input, 3);
    for (const [i, value] of fromGrpc.entries()) expect(Math.abs(value - expected[i])).toBeLessThan(1e-5);
    const json = await postJson(`${server.url}/v2/models/digits/infer`, {
      inputs: [{ name: classifier.inputName, shape: [3, 28, 28, 1], datatype: 'FP32', data: Array.from(input) }],
    });
    const binary = await postBinary(
      `${server.url}/v2/models/digits/infer`,
      tritonBinaryRequest([{ name: classifier.inputName, datatype: 'FP32', shape: [3, 28, 28, 1], bytes: float32Bytes(input) }], {
        outputs: [{ name: classifier.outputName, binary: true }],
      }),
    );
    expect(fromGrpc).toEqual(json.body.outputs[0].data);
    expect(fromGrpc).toEqual(readFloat32(binary.binary.get(classifier.outputName)!));
  });

  it('ModelInfer with typed fp32_contents, and the classification extension', async () => {
    const input = pixelsInput([testImage(4)]);
    const typed = await call(client, 'ModelInfer', {
      model_name: 'digits',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [1, 28, 28, 1], contents: { fp32_contents: Array.from(input) } }],
    });
    expect(readFloat32(typed.raw_output_contents[0])).toEqual(Array.from(await classifier.predictBatch(input, 1)));
    const [top] = await classifier.classify(testImage(4), { topK: 3 });
    const classified = await call(client, 'ModelInfer', {
      model_name: 'digits',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [1, 28, 28, 1] }],
      outputs: [{ name: classifier.outputName, parameters: { classification: { int64_param: 3 } } }],
      raw_input_contents: [float32Bytes(input)],
    });
    expect(classified.outputs[0]).toMatchObject({ datatype: 'BYTES', shape: [1, 3] });
    expect(readLengthPrefixed(classified.raw_output_contents[0])).toEqual(
      top.top.map((p) => `${p.probability.toFixed(6)}:${p.index}:${DIGIT_LABELS[p.index]}`),
    );
  });

  it('answers failures with the gRPC codes that match the HTTP statuses', async () => {
    const notFound = await callError(client, 'ModelInfer', { model_name: 'nope', inputs: [] });
    expect(notFound.code).toBe(grpc.status.NOT_FOUND);
    expect(notFound.details).toMatch(/model 'nope' is not served/);
    const shape = await callError(client, 'ModelInfer', {
      model_name: 'digits',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [1e9, 28, 28, 1] }],
      raw_input_contents: [Buffer.alloc(4)],
    });
    expect(shape.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(shape.details).toMatch(/more than the \d+ elements per tensor/);
    const size = await callError(client, 'ModelInfer', {
      model_name: 'digits',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [1, 28, 28, 1] }],
      raw_input_contents: [Buffer.alloc(100)],
    });
    expect(size.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(size.details).toMatch(/binary_data_size 100, but shape \[1, 28, 28, 1\] of FP32 needs 3136 bytes/);
    const count = await callError(client, 'ModelInfer', {
      model_name: 'digits',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [1, 28, 28, 1], contents: { fp32_contents: [1, 2] } }],
    });
    expect(count.details).toMatch(/contents.fp32_contents has 2 elements but its shape \[1, 28, 28, 1\] holds 784/);
    const wrongField = await callError(client, 'ModelInfer', {
      model_name: 'digits',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [1, 1, 1, 1], contents: { int_contents: [1] } }],
    });
    expect(wrongField.code).toBe(grpc.status.INVALID_ARGUMENT);
    const tooLarge = await callError(client, 'ModelInfer', {
      model_name: 'digits',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [1, 28, 28, 1] }],
      raw_input_contents: [Buffer.alloc(2 * 1024 * 1024)],
    });
    expect(tooLarge.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const missingRaw = await callError(client, 'ModelInfer', {
      model_name: 'types',
      inputs: [
        { name: 'in_fp32', datatype: 'FP32', shape: [1, 2] },
        { name: 'in_bool', datatype: 'BOOL', shape: [1, 2] },
      ],
      raw_input_contents: [Buffer.alloc(8)],
    });
    expect(missingRaw.details).toMatch(/raw_input_contents has 1 entries for 2 inputs/);
    expect(await call(client, 'ServerLive', {})).toEqual({ live: true });
  });

  it('shares statistics and Triton metrics with HTTP', async () => {
    const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
    const before = await metrics();
    const input = float32Bytes(pixelsInput([testImage(9)]));
    const tensor = { name: classifier.inputName, datatype: 'FP32', shape: [1, 28, 28, 1] };
    for (let i = 0; i < 5; i++) await call(client, 'ModelInfer', { model_name: 'digits', inputs: [tensor], raw_input_contents: [input] });
    for (let i = 0; i < 3; i++)
      await postBinary(`${server.url}/v2/models/digits/infer`, tritonBinaryRequest([{ ...tensor, bytes: input }]));
    await callError(client, 'ModelInfer', { model_name: 'digits', inputs: [tensor], raw_input_contents: [Buffer.alloc(3)] });
    const after = await metrics();
    const delta = (name: string) =>
      metricValue(after, name, 'model="digits",version="1"') - metricValue(before, name, 'model="digits",version="1"');
    expect(delta('nv_inference_request_success')).toBe(8);
    expect(delta('nv_inference_request_failure')).toBe(1);
    expect(metricValue(after, 'tfjs_onnx_grpc_requests_total', 'method="ModelInfer",code="OK"')).toBeGreaterThanOrEqual(5);
    expect(metricValue(after, 'tfjs_onnx_grpc_requests_total', 'method="ModelInfer",code="INVALID_ARGUMENT"')).toBeGreaterThan(0);
    const stats = await call(client, 'ModelStatistics', { name: 'digits' });
    expect(stats.model_stats).toHaveLength(1);
    expect(stats.model_stats[0]).toMatchObject({ name: 'digits', version: '1' });
    const http = await (await fetch(`${server.url}/v2/models/digits/stats`)).json();
    expect(stats.model_stats[0].inference_count).toBe(http.model_stats[0].inference_count);
    expect(stats.model_stats[0].inference_stats.success.count).toBe(http.model_stats[0].inference_stats.success.count);
    expect((await call(client, 'ModelStatistics', {})).model_stats.map((s: { name: string }) => s.name).sort()).toEqual([
      'digits',
      'types',
    ]);
    expect((await callError(client, 'ModelStatistics', { name: 'nope' })).code).toBe(grpc.status.NOT_FOUND);
  });
});
