/**
 * The Triton protocol extensions over gRPC, driven by an independent client written as Triton's
 * Python client calls them (helpers/tritonStyleGrpc.py: tritonclient.grpc's requests, channel,
 * stream and shared-memory handling, on Python's grpcio with protoc's descriptor of the .proto):
 * ModelConfig, ModelStreamInfer, grpc.health.v1, system shared memory made by the Python side,
 * CUDA shared memory refused, LogSettings and a load with a config override. Each check prints
 * what the client read; the test compares it with what the runtime, the repository's config.pbtxt
 * and the protocol say it must be.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { exportTriton, type TritonExport } from '../../../server/triton.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { float32Bytes, getJson } from '../helpers/client.ts';
import { DIGIT_LABELS, makeTestModel, normalize, testImage } from '../helpers/fixtures.ts';
import { writeAllTypesModel } from '../helpers/models.ts';
import { protocDescriptor, pythonFacts } from '../helpers/pythonClient.ts';
import { claimObject, removeObjects } from '../helpers/sharedMemory.ts';

let directory: string;
let classifier: Classifier;
let digits: TritonExport;
let server: RunningServer;
let descriptor: string;
/** Image i's FP32 input, as the file the Python side reads. */
const imageFiles: string[] = [];

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-pyclient-grpc-');
  const onnx = (await makeTestModel(directory, { name: 'digits', labels: DIGIT_LABELS })).onnx;
  classifier = await loadClassifier(onnx, { device: 'cpu' });
  const types = path.join(directory, 'types.onnx');
  writeAllTypesModel(types, { datatypes: ['FP32', 'INT64'] });
  const repository = path.join(directory, 'repository');
  digits = await exportTriton(onnx, repository, { name: 'digits', maxBatchSize: 8 });
  await exportTriton(types, repository, { name: 'types', maxBatchSize: 8 });
  server = await startServer({
    modelRepository: repository,
    modelControlMode: 'explicit',
    loadModels: ['digits', 'types'],
    port: 0,
    grpcPort: 0,
    allowClientShm: true,
  });
  descriptor = protocDescriptor(directory);
  for (const index of [1, 2]) {
    const file = path.join(directory, `image-${index}.f32`);
    writeFileSync(file, float32Bytes(normalize(testImage(index), classifier.preprocess)));
    imageFiles.push(file);
  }
});
afterAll(async () => {
  await server?.close();
  await classifier?.dispose();
  removeObjects();
});

/** Runs one check of tritonStyleGrpc.py against the server; its facts. */
// biome-ignore lint/suspicious/noExplicitAny: the facts are JSON a Python script printed, each field checked by the test
function grpcClientFacts(check: string, args: object = {}): Promise<any> {
  return pythonFacts('tritonStyleGrpc.py', [descriptor, server.grpcAddress!, check, JSON.stringify(args)]);
}

/** The runtime's own probabilities for image i: what every answer must hold. */
async function expectedProbabilities(index: number): Promise<number[]> {
  return Array.from(await classifier.predictBatch(normalize(testImage(index), classifier.preprocess), 1));
}

function expectProbabilities(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, value] of actual.entries()) expect(Math.abs(value - expected[i]!)).toBeLessThan(1e-6);
}

/** Triton's ModelConfig data_type enum for a protocol datatype. */
const configType = (datatype: string) => (datatype === 'BYTES' ? 'TYPE_STRING' : `TYPE_${datatype}`);

describe("tritonclient.grpc's calls, from Python", () => {
  it('get_model_config reads config.pbtxt’s fields, and a request built from them gets the runtime’s prediction', async () => {
    const facts = await grpcClientFacts('config', { model: 'digits', input_file: imageFiles[0] });
    const tensors = (list: TritonExport['inputs']) => list.map((t) => ({ name: t.name, data_type: configType(t.datatype), dims: t.dims }));
    expect(facts.config).toEqual({
      name: 'digits',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      max_batch_size: digits.maxBatchSize,
      input: tensors(digits.inputs),
      output: tensors(digits.outputs),
    });
    expect(facts.config.input).toEqual([{ name: classifier.inputName, data_type: 'TYPE_FP32', dims: [28, 28, 1] }]);
    // protobuf's JSON mapping, which as_json uses: int64 dims as strings, the int32 max_batch_size a number.
    expect(facts.as_json).toEqual({ name: 'digits', max_batch_size: 8, input_dims: ['28', '28', '1'] });
    expect(facts.request_shape).toEqual([1, 28, 28, 1]);
    expect(facts.response).toEqual({ id: 'config-driven', output: classifier.outputName, shape: [1, 10] });
    expectProbabilities(facts.probabilities, await expectedProbabilities(1));
    expect(facts.missing.status).toBe('StatusCode.NOT_FOUND');
  });

  it('a stream carries good and bad requests: errors in-stream with their ids, the stream still answering after them', async () => {
    const facts = await grpcClientFacts('stream', {
      model: 'digits',
      input_name: classifier.inputName,
      input_files: imageFiles,
    });
    const byId = Object.fromEntries(facts.responses.map((response: { id: string }) => [response.id, response]));
    expect(facts.responses).toHaveLength(4);
    expect(Object.keys(byId).sort()).toEqual(['bad-model', 'bad-shape', 'good-1', 'good-2']);
    // The last request was sent after both errors had come back on the stream.
    expect(facts.responses[3].id).toBe('good-2');
    for (const [id, image] of [
      ['good-1', 1],
      ['good-2', 2],
    ] as const) {
      // Triton marks each stream response that completes its request (triton_final_response), which a streaming client waits for.
      expect(byId[id]).toMatchObject({ error: null, final: true, model: 'digits', shape: [1, 10] });
      expectProbabilities(byId[id].probabilities, await expectedProbabilities(image));
    }
    // As Triton answers a request refused before it runs: error_message, and no triton_final_response.
    for (const id of ['bad-model', 'bad-shape']) expect(byId[id].final).toBeNull();
    expect(byId['bad-model'].error).toMatch(/'nope'/);
    expect(byId['bad-shape'].error).toMatch(/shape \[1, 28, 28\]/);
  });

  it('grpc.health.v1.Health/Check answers SERVING for the server and the inference service', async () => {
    expect(await grpcClientFacts('health')).toEqual({
      server: 'SERVING',
      inference: 'SERVING',
      unknown: { status: 'StatusCode.NOT_FOUND', message: expect.any(String) },
    });
  });

  it('system shared memory: regions the Python side made are registered, carry inputs and outputs, and are unregistered', async () => {
    const keys = { in: claimObject('py_in'), out: claimObject('py_out') };
    const facts = await grpcClientFacts('shared_memory', {
      keys,
      digits: { model: 'digits', input_name: classifier.inputName, output_name: classifier.outputName, input_file: imageFiles[0] },
      // 64-bit integers as decimal strings, so 2^62 - 1 reaches Python exactly.
      types: { model: 'types', fp32: [1.5, -2], int64: ['4611686018427387903', '-7'] },
    });
    const inRegion = { name: 'py_in', key: keys.in, offset: 0, byte_size: 4096 };
    const outRegion = { name: 'py_out', key: keys.out, offset: 64, byte_size: 128 };
    expect(facts.registered).toEqual({ py_in: inRegion, py_out: outRegion });
    expect(facts.one_region).toEqual({ py_out: outRegion });
    expect(facts.digits).toMatchObject({
      id: 'shm-digits',
      outputs: [{ name: classifier.outputName, datatype: 'FP32', shape: [1, 10] }],
      // Triton keeps one raw_output_contents entry per output, empty for one in shared memory.
      raw_output_sizes: [0],
    });
    expectProbabilities(facts.digits.probabilities, await expectedProbabilities(1));
    expect(facts.types).toEqual({
      outputs: ['out_fp32', 'out_int64'],
      raw_output_sizes: [0, 16],
      out_fp32: [3, -4],
      out_int64: ['9223372036854775806', '-14'],
    });
    expect(facts.after_unregister_one).toEqual({ py_out: outRegion });
    expect(facts.after_unregister_all).toEqual({});
    expect(facts.status_of_unregistered.status).toBe('StatusCode.NOT_FOUND');
    // Triton answers a request naming an unknown region NOT_FOUND too (SharedMemoryManager::GetMemoryInfo).
    expect(facts.infer_from_unregistered.status).toBe('StatusCode.NOT_FOUND');
    expect(facts.infer_from_unregistered.message).toMatch(/py_in/);
  });

  it('CUDA shared memory is refused UNIMPLEMENTED, naming the feature', async () => {
    const { register } = await grpcClientFacts('cuda_shared_memory');
    expect(register.status).toBe('StatusCode.UNIMPLEMENTED');
    expect(register.message).toMatch(/CUDA shared memory/);
  });

  it('LogSettings reads and updates the settings with the parameter types tritonclient sends', async () => {
    const http = (await getJson(`${server.url}/v2/logging`)).body;
    const facts = await grpcClientFacts('log_settings');
    const typed = (settings: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(settings).map(([key, value]) => [
          key,
          [typeof value === 'boolean' ? 'bool_param' : typeof value === 'number' ? 'uint32_param' : 'string_param', value],
        ]),
      );
    // The same settings the HTTP front end reports, each in the oneof member Triton uses for it.
    expect(facts.before).toEqual(typed(http));
    expect(facts.updated).toEqual(typed({ ...http, log_verbose_level: 1, log_format: 'ISO8601', log_info: false }));
    expect(facts.as_json.settings.log_info).toEqual({ bool_param: false });
    expect(facts.bad.status).toBe('StatusCode.INVALID_ARGUMENT');
    expect(facts.restored).toEqual(facts.before);
    expect((await getJson(`${server.url}/v2/logging`)).body).toEqual(http);
  });

  it('load_model(config=...) applies what get_model_config(as_json=True) gave back with one field changed, and refuses a bad one', async () => {
    const facts = await grpcClientFacts('load_override', { model: 'types', rows: 4, override_max_batch_size: 2 });
    expect(facts.json_dims).toEqual(['2']);
    expect(facts).toMatchObject({ before: 8, overridden: 2, after_bad: 2, restored: 8, restored_runs: 8 });
    expect(facts.too_many.status).toBe('StatusCode.INVALID_ARGUMENT');
    expect(facts.too_many.message).toMatch(/max_batch_size 2/);
    // Two rows of 0, 1, 2, 3 doubled.
    expect(facts.fits).toEqual(['0', '2', '4', '6']);
    expect(facts.bad.status).toBe('StatusCode.INVALID_ARGUMENT');
    expect(facts.bad.message).toMatch(/max_batch_size/);
  });
});
