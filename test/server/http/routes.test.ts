/**
 * The server's startup lines, and its health and metadata routes over real HTTP on a free loopback
 * port: server metadata with the extensions it implements, liveness, readiness, each model's
 * signature, and 404s with the protocol's error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { expectError, getJson, postJson } from '../helpers/client.ts';
import { CLASS_COUNT, DIGIT_LABELS, IMAGE_SIZE, inferBody, makeTestModel, testImage } from '../helpers/fixtures.ts';

let classifier: Classifier;
let server: RunningServer;
const startupLines: string[] = [];

beforeAll(async () => {
  const onnxPath = (await makeTestModel(tempDir('tfjs-onnx-routes-'), { name: 'digits', labels: DIGIT_LABELS })).onnx;
  classifier = await loadClassifier(onnxPath, { device: 'cpu' });
  server = await startServer({ modelPaths: [onnxPath], port: 0, grpcPort: false, log: (line) => startupLines.push(line) });
});
afterAll(async () => {
  await server?.close();
  await classifier?.dispose();
});

const inferUrl = (route = '/v2/models/digits/infer') => `${server.url}${route}`;

describe('startup', () => {
  it('prints the URL it listens on and each model route', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(startupLines).toContain(`listening on ${server.url}`);
    expect(startupLines.join('\n')).toContain(`${server.url}/v2/models/digits/infer`);
    expect(server.models).toEqual(['digits']);
  });
});

describe('health and metadata', () => {
  it('answers server metadata with the extensions it implements, liveness and readiness', async () => {
    expect(await getJson(`${server.url}/v2`)).toEqual({
      status: 200,
      body: {
        name: 'tfjs-onnx',
        version: expect.any(String),
        extensions: [
          'binary_tensor_data',
          'classification',
          'logging',
          'model_configuration',
          'model_repository',
          'parameters',
          'schedule_policy',
          'statistics',
          'classify',
        ],
      },
    });
    expect(await getJson(`${server.url}/v2/health/live`)).toEqual({ status: 200, body: { live: true } });
    expect(await getJson(`${server.url}/v2/health/ready`)).toEqual({ status: 200, body: { ready: true } });
    expect(await getJson(`${server.url}/v2/models/digits/ready`)).toEqual({ status: 200, body: { name: 'digits', ready: true } });
    expect(await getJson(`${server.url}/v2/models/digits/versions/1/ready`)).toEqual({
      status: 200,
      body: { name: 'digits', ready: true },
    });
  });

  it('describes the model with the ONNX input and output', async () => {
    const expected = {
      name: 'digits',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: classifier.inputName, datatype: 'FP32', shape: [-1, IMAGE_SIZE, IMAGE_SIZE, 1] }],
      outputs: [{ name: classifier.outputName, datatype: 'FP32', shape: [-1, CLASS_COUNT] }],
      // Where it runs: this server's addition to the metadata.
      parameters: { device: 'cpu', execution_provider: 'cpu', runtime: 'onnxruntime-node', placement: "device 'cpu' was asked for" },
    };
    expect(await getJson(`${server.url}/v2/models/digits`)).toEqual({ status: 200, body: expected });
    expect(await getJson(`${server.url}/v2/models/digits/versions/1`)).toEqual({ status: 200, body: expected });
  });

  it('answers 404 with an error body for unknown models, versions and routes', async () => {
    expectError(await getJson(`${server.url}/v2/models/nope`), 404, /model 'nope' is not served/);
    expectError(await getJson(`${server.url}/v2/models/digits/versions/2`), 404, /no version '2'/);
    expectError(await getJson(`${server.url}/v2/models/nope/ready`), 404, /nope/);
    expectError(await getJson(`${server.url}/v3/anything`), 404, /no route GET \/v3\/anything/);
    expectError(await postJson(inferUrl('/v2/models/nope/infer'), inferBody(classifier, [testImage(0)])), 404, /nope/);
  });
});
