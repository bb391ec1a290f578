/**
 * The Triton protocol extensions over HTTP, driven by an independent client written as Triton's
 * Python client calls them (helpers/tritonStyleHttp.py: tritonclient.http's URLs, bodies and
 * headers, sent with Python's standard library, and replies read as its InferResult reads them):
 * the model configuration, system shared memory the Python side made, the logging extension,
 * NaN, ±Infinity and 64-bit extremes through JSON both ways, and the binary tensor data
 * extension. Each check prints what the client read; the test compares it with what the runtime,
 * the repository's config.pbtxt and the protocol say it must be.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { exportTriton } from '../../../server/triton.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { float32Bytes, getJson } from '../helpers/client.ts';
import { DIGIT_LABELS, makeTestModel, normalize, testImage } from '../helpers/fixtures.ts';
import { writeAllTypesModel, writeConstantModel } from '../helpers/models.ts';
import { pythonFacts } from '../helpers/pythonClient.ts';
import { claimObject, removeObjects } from '../helpers/sharedMemory.ts';

let classifier: Classifier;
let server: RunningServer;
let imageFile: string;
let expected: number[];

beforeAll(async () => {
  const directory = tempDir('tfjs-onnx-pyclient-http-');
  const onnx = (await makeTestModel(directory, { name: 'digits', labels: DIGIT_LABELS })).onnx;
  classifier = await loadClassifier(onnx, { device: 'cpu' });
  // A repository: digits with the config.pbtxt export writes, and two models without one.
  const repository = path.join(directory, 'repository');
  await exportTriton(onnx, repository, { name: 'digits', maxBatchSize: 8 });
  for (const name of ['constant', 'echo']) mkdirSync(path.join(repository, name, '1'), { recursive: true });
  writeConstantModel(path.join(repository, 'constant', '1', 'model.onnx'));
  writeAllTypesModel(path.join(repository, 'echo', '1', 'model.onnx'), { datatypes: ['FP32', 'FP64', 'INT64', 'UINT64'], identity: true });
  server = await startServer({ modelRepository: repository, port: 0, grpcPort: false, allowClientShm: true });
  const input = normalize(testImage(3), classifier.preprocess);
  imageFile = path.join(directory, 'image-3.f32');
  writeFileSync(imageFile, float32Bytes(input));
  expected = Array.from(await classifier.predictBatch(input, 1));
});
afterAll(async () => {
  await server?.close();
  await classifier?.dispose();
  removeObjects();
});

/** Runs one check of tritonStyleHttp.py against the server; its facts. */
// biome-ignore lint/suspicious/noExplicitAny: the facts are JSON a Python script printed, each field checked by the test
function httpClientFacts(check: string, args: object = {}): Promise<any> {
  return pythonFacts('tritonStyleHttp.py', [new URL(server.url).host, check, JSON.stringify(args)]);
}

/** The runtime's own probabilities for the image, within float rounding. */
function expectProbabilities(actual: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, value] of actual.entries()) expect(Math.abs(value - expected[i]!)).toBeLessThan(1e-6);
}

describe("tritonclient.http's calls, from Python's standard library", () => {
  it('get_model_config reads config.pbtxt’s fields; a binary-data request built from them gets the runtime’s prediction', async () => {
    const facts = await httpClientFacts('config', { model: 'digits', input_file: imageFile });
    expect(facts.config).toEqual({
      name: 'digits',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      max_batch_size: 8,
      input: [{ name: classifier.inputName, data_type: 'TYPE_FP32', dims: [28, 28, 1] }],
      output: [{ name: classifier.outputName, data_type: 'TYPE_FP32', dims: [10] }],
    });
    expect(facts.versioned_is_same).toBe(true);
    expect(facts.request_shape).toEqual([1, 28, 28, 1]);
    // The binary tensor data extension: a JSON header of Inference-Header-Content-Length bytes, then the tensor.
    const output = { name: classifier.outputName, datatype: 'FP32', shape: [1, 10], parameters: { binary_data_size: 40 } };
    expect(facts.named.response).toEqual({ model_name: 'digits', model_version: '1', id: 'config-driven', outputs: [output] });
    expect(facts.named.header_length).toBe(JSON.stringify(facts.named.response).length);
    expectProbabilities(facts.named.probabilities);
    // No outputs named: binary_data_output gives every output as binary data.
    expect(facts.unnamed.output).toEqual(output);
    expectProbabilities(facts.unnamed.probabilities);
    expect(facts.missing.status).toBe('404');
  });

  it('system shared memory: regions the Python side made are registered, carry the input and output, and are unregistered', async () => {
    const keys = { in: claimObject('http_in'), out: claimObject('http_out') };
    const facts = await httpClientFacts('shared_memory', {
      keys,
      model: 'digits',
      input_name: classifier.inputName,
      output_name: classifier.outputName,
      input_file: imageFile,
    });
    const inRegion = { name: 'py_in', key: keys.in, offset: 0, byte_size: 28 * 28 * 4 };
    const outRegion = { name: 'py_out', key: keys.out, offset: 64, byte_size: 128 };
    expect(facts.registered).toEqual([inRegion, outRegion]);
    expect(facts.one_region).toEqual([outRegion]);
    // As in Triton, an output written to shared memory is named in the JSON reply, with no data and no binary part.
    expect(facts.header_length).toBeNull();
    expect(facts.response).toEqual({
      model_name: 'digits',
      model_version: '1',
      id: 'shm-http',
      outputs: [{ name: classifier.outputName, datatype: 'FP32', shape: [1, 10] }],
    });
    expectProbabilities(facts.probabilities);
    expect(facts.untouched).toBe(true);
    expect(facts.after_unregister_one).toEqual([outRegion]);
    expect(facts.after_unregister_all).toEqual([]);
    expect(facts.status_of_unregistered.status).toBe('404');
  });

  it('GET and POST /v2/logging read and update the settings; a bad value is refused and changes nothing', async () => {
    const facts = await httpClientFacts('log_settings');
    expect(facts.before).toEqual({
      log_file: '',
      log_info: true,
      log_warning: true,
      log_error: true,
      log_verbose_level: 0,
      log_format: 'default',
    });
    expect(facts.updated).toEqual({ ...facts.before, log_verbose_level: 1, log_format: 'ISO8601', log_info: false });
    expect(facts.bad.status).toBe('400');
    expect(facts.bad.message).toMatch(/log_verbose_level/);
    expect(facts.after_bad).toEqual(facts.updated);
    expect(facts.restored).toEqual(facts.before);
    expect((await getJson(`${server.url}/v2/logging`)).body).toEqual(facts.before);
  });

  it("JSON carries NaN, ±Infinity, 2^63−1, −2^63 and 2^64−1 exactly both ways, read by Python's json module", async () => {
    const facts = await httpClientFacts('json_extremes');
    // The constant model computes [NaN, Infinity, -Infinity, 1.5]; JSON outputs have no binary part.
    expect(facts.constant).toEqual({
      header_length: null,
      data: [
        ['float', 'nan'],
        ['float', 'inf'],
        ['float', '-inf'],
        ['float', '1.5'],
      ],
    });
    const extremes = {
      FP32: [
        ['float', 'nan'],
        ['float', 'inf'],
      ],
      FP64: [
        ['float', '-inf'],
        ['float', '0.1'],
      ],
      INT64: [
        ['int', (2n ** 63n - 1n).toString()],
        ['int', (-(2n ** 63n)).toString()],
      ],
      UINT64: [
        ['int', (2n ** 64n - 1n).toString()],
        ['int', (2n ** 53n + 1n).toString()],
      ],
    };
    expect(facts.sent).toEqual(extremes);
    expect(facts.echoed).toEqual(extremes);
  });

  it('a batch of zero rows in binary data, as set_data_from_numpy sends an empty array, comes back empty', async () => {
    const facts = await httpClientFacts('size_zero');
    expect(facts.outputs).toEqual(
      ['fp32', 'fp64', 'int64', 'uint64'].map((type) => ({
        name: `out_${type}`,
        datatype: type.toUpperCase(),
        shape: [0, 2],
        parameters: { binary_data_size: 0 },
      })),
    );
    expect(facts.binary_sizes).toEqual([0, 0, 0, 0]);
  });

  it('get_inference_statistics has every key of Triton’s schema, counts moving by the requests sent; the extensions are listed', async () => {
    const facts = await httpClientFacts('statistics', { model: 'digits', input_name: classifier.inputName, input_file: imageFile });
    expect(facts.extensions).toEqual(
      expect.arrayContaining(['binary_tensor_data', 'model_configuration', 'system_shared_memory', 'logging', 'statistics']),
    );
    expect(facts.model_stat_keys).toEqual([
      'batch_stats',
      'execution_count',
      'inference_count',
      'inference_stats',
      'last_inference',
      'memory_usage',
      'name',
      'response_stats',
      'version',
    ]);
    expect(facts.inference_stats_keys).toEqual([
      'cache_hit',
      'cache_miss',
      'compute_infer',
      'compute_input',
      'compute_output',
      'fail',
      'queue',
      'success',
    ]);
    expect(facts.duration_keys).toEqual(['count', 'ns']);
    expect(facts.batch_stat_keys).toEqual(['batch_size', 'compute_infer', 'compute_input', 'compute_output']);
    expect(facts).toMatchObject({ success_delta: 2, inference_count_delta: 2, cache_hits: 0 });
    expect(Array.isArray(facts.memory_usage)).toBe(true);
    expect(typeof facts.response_stats).toBe('object');
  });
});
