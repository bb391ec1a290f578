/**
 * The gRPC front end over a real socket, with a client built by @grpc/grpc-js from the same .proto
 * file a user would use: health and metadata RPCs, ModelInfer with raw and typed contents agreeing
 * with HTTP JSON and binary on the same digits, every datatype, the classification and statistics
 * extensions, status codes matching the HTTP ones, and metrics shared with HTTP. An independent
 * client (Python's grpcio, messages built from protoc's descriptor of the .proto) checks the wire
 * format is the protocol's and not merely self-consistent.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { startServer, type RunningServer } from '../../../server/index.ts';
import type { Datatype } from '../../../server/core/datatypes.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import {
  float32Bytes,
  lengthPrefixed,
  metricValue,
  postBinary,
  postJson,
  readFloat32,
  readLengthPrefixed,
  tritonBinaryRequest,
} from '../helpers/client.ts';
import { CLASS_COUNT, DIGIT_LABELS, IMAGE_SIZE, PIXELS, makeTestModel, normalize, testImage } from '../helpers/fixtures.ts';
import { tensorName, writeAllTypesModel } from '../helpers/models.ts';
import { call, callError, grpcClient, type GrpcClient } from '../helpers/grpcClient.ts';
import { protocDescriptor } from '../helpers/pythonClient.ts';

let directory: string;
let classifier: Classifier;
let server: RunningServer;
let client: GrpcClient;

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-grpc-');
  const digits = (await makeTestModel(directory, { name: 'digits', labels: DIGIT_LABELS })).onnx;
  classifier = await loadClassifier(digits, { device: 'cpu' });
  const types = path.join(directory, 'types.onnx');
  writeAllTypesModel(types);
  server = await startServer({ modelPaths: [digits, types], port: 0, grpcPort: 0, bodyLimit: 1024 * 1024 });
  // The client side loads the .proto the way any @grpc/grpc-js user would, with its own options.
  client = grpcClient(server.grpcAddress!, { keepCase: true, longs: Number, defaults: true, oneofs: true });
});
afterAll(async () => {
  client?.close();
  await server?.close();
  await classifier?.dispose();
});

function pixelsInput(images: Uint8Array[]): Float32Array {
  const input = new Float32Array(images.length * PIXELS);
  images.forEach((pixels, i) => input.set(normalize(pixels, classifier.preprocess), i * PIXELS));
  return input;
}

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
    fromGrpc.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(1e-5));
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

  it('runs every datatype with typed contents and with raw contents', async () => {
    const typedContents: [Datatype, object, unknown[]][] = [
      ['BOOL', { bool_contents: [true, false, true, true] }, [0, 1, 0, 0]],
      ['INT8', { int_contents: [-128, 127, 1, 2] }, [-128, 127, 1, 2]],
      ['INT16', { int_contents: [-32768, 5, 1, 2] }, [-32768, 5, 1, 2]],
      ['INT32', { int_contents: [-7, 5, 1, 2] }, [-14, 10, 2, 4]],
      ['INT64', { int64_contents: [-(2 ** 40), 5, 1, 2] }, [-(2 ** 41), 10, 2, 4]],
      ['UINT8', { uint_contents: [255, 5, 1, 2] }, [255, 5, 1, 2]],
      ['UINT16', { uint_contents: [65535, 5, 1, 2] }, [65535, 5, 1, 2]],
      ['UINT32', { uint_contents: [4294967295, 5, 1, 2] }, [4294967295, 5, 1, 2]],
      ['UINT64', { uint64_contents: [2 ** 50, 5, 1, 2] }, [2 ** 50, 5, 1, 2]],
      ['FP32', { fp32_contents: [0.5, -1, 1, 2] }, [1, -2, 2, 4]],
      ['FP64', { fp64_contents: [0.1, -1, 1, 2] }, [0.2, -2, 2, 4]],
      ['BYTES', { bytes_contents: ['x', 'ÿ', '', 'zz'].map((s) => Buffer.from(s)) }, ['x', 'ÿ', '', 'zz']],
    ];
    const fp16 = Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x00, 0x00]); // 1, -2, 0.5, 0
    const inputs = [
      ...typedContents.map(([datatype, contents]) => ({ name: tensorName('in', datatype), datatype, shape: [2, 2], contents })),
      { name: 'in_fp16', datatype: 'FP16', shape: [2, 2], contents: {} },
    ];
    const fp16Error = await callError(client, 'ModelInfer', { model_name: 'types', inputs });
    expect(fp16Error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fp16Error.details).toMatch(/FP16, which has no contents field; send it in raw_input_contents/);

    // FP16 needs raw contents, and raw contents go for every input or none: so all raw here.
    const raw = (datatype: Datatype, values: unknown[]): Buffer => {
      switch (datatype) {
        case 'BOOL':
          return Buffer.from((values as boolean[]).map(Number));
        case 'INT8':
          return Buffer.from(Int8Array.from(values as number[]).buffer);
        case 'INT16':
          return Buffer.from(Int16Array.from(values as number[]).buffer);
        case 'INT32':
          return Buffer.from(Int32Array.from(values as number[]).buffer);
        case 'INT64':
          return Buffer.from(BigInt64Array.from(values as number[], BigInt).buffer);
        case 'UINT8':
          return Buffer.from(Uint8Array.from(values as number[]).buffer);
        case 'UINT16':
          return Buffer.from(Uint16Array.from(values as number[]).buffer);
        case 'UINT32':
          return Buffer.from(Uint32Array.from(values as number[]).buffer);
        case 'UINT64':
          return Buffer.from(BigUint64Array.from(values as number[], BigInt).buffer);
        case 'FP32':
          return float32Bytes(values as number[]);
        case 'FP64':
          return Buffer.from(Float64Array.from(values as number[]).buffer);
        case 'BYTES':
          return lengthPrefixed((values as Buffer[]).map(String));
        default:
          throw new Error(datatype);
      }
    };
    const sources = typedContents.map(([datatype, contents]) => [datatype, Object.values(contents)[0] as unknown[]] as const);
    const response = await call(client, 'ModelInfer', {
      model_name: 'types',
      inputs: [
        ...sources.map(([datatype]) => ({ name: tensorName('in', datatype), datatype, shape: [2, 2] })),
        { name: 'in_fp16', datatype: 'FP16', shape: [2, 2] },
      ],
      raw_input_contents: [...sources.map(([datatype, values]) => raw(datatype, values)), fp16],
    });
    const outputs = new Map<string, Buffer>(
      response.outputs.map((output: { name: string }, i: number) => [output.name, response.raw_output_contents[i]]),
    );
    expect(outputs.get('out_fp16')).toEqual(fp16);
    expect(readFloat32(outputs.get('out_fp32')!)).toEqual([1, -2, 2, 4]);
    expect(Array.from(new BigInt64Array(new Uint8Array(outputs.get('out_int64')!).buffer), Number)).toEqual([-(2 ** 41), 10, 2, 4]);
    expect([...outputs.get('out_bool')!]).toEqual([0, 1, 0, 0]);
    expect(readLengthPrefixed(outputs.get('out_bytes')!)).toEqual(['x', 'ÿ', '', 'zz']);
    for (const [datatype, , _expected] of typedContents) expect(outputs.has(tensorName('out', datatype)), datatype).toBe(true);

    // Typed contents for everything but FP16: a model of the other twelve types.
    const twelve = path.join(directory, 'twelve.onnx');
    writeAllTypesModel(twelve, { datatypes: typedContents.map(([datatype]) => datatype) });
    const other = await startServer({ modelPaths: [twelve], port: 0, grpcPort: 0 });
    try {
      const second = grpcClient(other.grpcAddress!, { keepCase: true, longs: Number, defaults: true, oneofs: true });
      const reply: any = await new Promise((resolve, reject) =>
        second.ModelInfer({ model_name: 'twelve', inputs: inputs.slice(0, -1) }, (error: Error | null, result: unknown) =>
          error ? reject(error) : resolve(result),
        ),
      );
      second.close();
      const byName = new Map<string, Buffer>(
        reply.outputs.map((output: { name: string }, i: number) => [output.name, reply.raw_output_contents[i]]),
      );
      expect(readFloat32(byName.get('out_fp32')!)).toEqual([1, -2, 2, 4]);
      expect(Array.from(new Float64Array(new Uint8Array(byName.get('out_fp64')!).buffer))).toEqual([0.2, -2, 2, 4]);
      expect(Array.from(new Int16Array(new Uint8Array(byName.get('out_int16')!).buffer))).toEqual([-32768, 5, 1, 2]);
      expect(Array.from(new BigUint64Array(new Uint8Array(byName.get('out_uint64')!).buffer), Number)).toEqual([2 ** 50, 5, 1, 2]);
      expect(readLengthPrefixed(byName.get('out_bytes')!)).toEqual(['x', 'ÿ', '', 'zz']);
    } finally {
      await other.close();
    }
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

  it('speaks the protocol to an independent client (Python grpcio with protoc’s descriptor of the .proto)', async () => {
    const python = '/usr/bin/python3';
    const descriptor = protocDescriptor(directory);
    const input = pixelsInput([testImage(5)]);
    const inputFile = path.join(directory, 'input.f32');
    writeFileSync(inputFile, float32Bytes(input));
    const script = `
import sys, struct, grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(open(sys.argv[1], 'rb').read())
pool = descriptor_pool.DescriptorPool()
for file in descriptor_set.file: pool.Add(file)
def message(name): return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName('inference.' + name))
channel = grpc.insecure_channel(sys.argv[2])
def rpc(method, request_type, response_type, request):
    return channel.unary_unary('/inference.GRPCInferenceService/' + method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=message(response_type).FromString)(request, timeout=20)
print('live', rpc('ServerLive', 'ServerLiveRequest', 'ServerLiveResponse', message('ServerLiveRequest')()).live)
request = message('ModelInferRequest')(model_name='digits', id='py')
tensor = request.inputs.add(); tensor.name = sys.argv[3]; tensor.datatype = 'FP32'; tensor.shape.extend([1, 28, 28, 1])
request.raw_input_contents.append(open(sys.argv[4], 'rb').read())
out = request.outputs.add(); out.name = sys.argv[5]; out.parameters['classification'].int64_param = 1
response = rpc('ModelInfer', 'ModelInferRequest', 'ModelInferResponse', request)
raw = response.raw_output_contents[0]
length = struct.unpack('<I', raw[:4])[0]
print('id', response.id, 'datatype', response.outputs[0].datatype, 'shape', list(response.outputs[0].shape), 'top', raw[4:4 + length].decode())
try:
    rpc('ModelMetadata', 'ModelMetadataRequest', 'ModelMetadataResponse', message('ModelMetadataRequest')(name='nope'))
except grpc.RpcError as error:
    print('error', error.code().name)
`;
    // Asynchronously: the server answering it runs in this process.
    const run = await promisify(execFile)(
      python,
      ['-c', script, descriptor, server.grpcAddress!, classifier.inputName, inputFile, classifier.outputName],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('live True');
    const [expected] = await classifier.classify(testImage(5), { topK: 1 });
    const best = expected.top[0];
    expect(lines[1]).toBe(`id py datatype BYTES shape [1, 1] top ${best.probability.toFixed(6)}:${best.index}:${DIGIT_LABELS[best.index]}`);
    expect(lines[2]).toBe('error NOT_FOUND');
  });
});
