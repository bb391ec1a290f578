import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeOptionError, loadClassifier, ModelLoadError, UnsupportedModelError } from '../../src/index.node.ts';
import { encodePng } from '../../../test/helpers/fixtures/images.ts';
import { buildTinyClassifier } from '../../../test/helpers/fixtures/models.ts';
import { expectError } from '../../../test/helpers/expectError.ts';
import { DEVICES } from '../../../test/helpers/runtime.ts';

let dir: string;
const good = buildTinyClassifier({ inputShape: [null, 6, 6, 1], classCount: 3, seed: 5 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tfjs-onnx-runtime-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('model sources', () => {
  it('loads from a path, a file URL, a Uint8Array and an ArrayBuffer', async () => {
    const path = join(dir, 'model.onnx');
    await writeFile(path, good.bytes);
    // A real copy: protobufjs hands out Node Buffers, whose slice() is a view into a shared pool.
    const copy = Uint8Array.from(good.bytes);
    for (const source of [path, pathToFileURL(path), pathToFileURL(path).href, good.bytes, copy.buffer]) {
      const classifier = await loadClassifier(source);
      expect(classifier.classCount).toBe(3);
      await classifier.dispose();
    }
  });

  it('names a missing file', async () => {
    await expectError(
      () => loadClassifier(join(dir, 'missing.onnx')),
      ModelLoadError,
      /cannot read the model file .*missing\.onnx: no such file/,
    );
  });

  it('rejects a source that is neither path, URL nor bytes', async () => {
    await expectError(() => loadClassifier(42 as never), ModelLoadError, /the model source is number; expected a file path, a URL/);
  });
});

describe.each(DEVICES)('invalid models on %s', (device) => {
  it('rejects bytes that are not ONNX', async () => {
    const png = encodePng(new Uint8Array(16), 4, 4, 1);
    await expectError(() => loadClassifier(png, { device }), ModelLoadError, /not a valid ONNX model|is not an ONNX model/);
    await expectError(() => loadClassifier(new TextEncoder().encode('{"modelTopology": {}}'), { device }), ModelLoadError, /ONNX model/);
    await expectError(() => loadClassifier(new Uint8Array(0), { device }), ModelLoadError, /is empty; expected an ONNX model/);
  });

  it('rejects a truncated model', async () => {
    for (const length of [10, 200, Math.floor(good.bytes.length / 2), good.bytes.length - 30]) {
      await expectError(
        () => loadClassifier(good.bytes.subarray(0, length), { device }),
        ModelLoadError,
        /truncated|not an ONNX model|could not load/,
      );
    }
  });

  it('rejects a model whose output is not [N, classes]', async () => {
    const bad = buildTinyClassifier({ inputShape: [null, 4, 4, 1], classCount: 6, outputReshape: [-1, 2, 3] });
    await expectError(
      () => loadClassifier(bad.bytes, { device }),
      UnsupportedModelError,
      /output 'probabilities' has shape \[-1, 2, 3\]; expected \[N, classes\] with a fixed number of classes/,
    );
  });
});

describe('metadata validation', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['too few labels', { 'tfjs_onnx.labels': '["a","b"]' }, /has 2 labels but the model outputs 3 classes/],
    ['labels not JSON', { 'tfjs_onnx.labels': 'a,b,c' }, /tfjs_onnx.labels is not JSON/],
    ['labels not an array', { 'tfjs_onnx.labels': '{"a":1}' }, /must be a JSON array of strings/],
    [
      'preprocess size disagrees with the input',
      { 'tfjs_onnx.preprocess': '{"height": 28}' },
      /says height 28 but the input shape \[-1, 6, 6, 1\] \(NHWC\) has 6/,
    ],
    ['preprocess with a bad layout', { 'tfjs_onnx.preprocess': '{"layout": "HWC"}' }, /must have layout 'NHWC' or 'NCHW'/],
    ['preprocess with a non-numeric scale', { 'tfjs_onnx.preprocess': '{"scale": "1/255"}' }, /must have a finite number scale/],
  ];
  it.each(cases)('rejects %s', async (_name, metadata, message) => {
    const model = buildTinyClassifier({ inputShape: [null, 6, 6, 1], classCount: 3, metadata });
    await expectError(() => loadClassifier(model.bytes), UnsupportedModelError, message);
  });

  it('fills preprocess fields the metadata leaves out from the input shape', async () => {
    const model = buildTinyClassifier({
      inputShape: [null, 6, 6, 1],
      classCount: 3,
      metadata: { 'tfjs_onnx.preprocess': '{"scale": 0.5}' },
    });
    const classifier = await loadClassifier(model.bytes);
    expect(classifier.preprocess).toEqual({ layout: 'NHWC', height: 6, width: 6, channels: 1, scale: 0.5, offset: 0 });
    await classifier.dispose();
  });

  it('uses metadata for the image size of a flat [N, features] input', async () => {
    const flat = buildTinyClassifier({
      inputShape: [null, 36],
      classCount: 3,
      metadata: { 'tfjs_onnx.preprocess': '{"height": 6, "width": 6, "channels": 1}' },
    });
    const classifier = await loadClassifier(flat.bytes);
    expect(classifier.imageSize).toEqual({ height: 6, width: 6, channels: 1, layout: 'NHWC' });
    expect(await classifier.classify(new Uint8Array(72))).toHaveLength(2);
    await classifier.dispose();
    const unknown = buildTinyClassifier({ inputShape: [null, 36], classCount: 3 });
    await expectError(
      () => loadClassifier(unknown.bytes),
      UnsupportedModelError,
      /does not fix the image height; add it to the tfjs_onnx.preprocess metadata/,
    );
  });
});

describe('load options', () => {
  const cases: [object, RegExp][] = [
    [
      { backend: 'wasm' },
      /the backend option is gone: device picks the package \(device 'cpu' runs onnxruntime-node, 'wasm' onnxruntime-web\), got backend 'wasm'/,
    ],
    [{ device: 'tpu' }, /device must be 'cpu', 'wasm', 'webgpu', 'cuda', 'dml', 'coreml', 'gpu' or 'auto', got 'tpu'/],
    [{ webgpu: { preferredLayout: 'NWHC' } }, /webgpu.preferredLayout must be 'NCHW' or 'NHWC', got 'NWHC'/],
    [{ webgpu: 'fast' }, /webgpu must be an object of webgpu provider options, got 'fast'/],
    [{ cuda: { deviceId: -1 } }, /cuda.deviceId must be a GPU ordinal from 0 to 255, got -1/],
    [{ intraOpThreads: -1 }, /intraOpThreads must be an integer from 0 to 256 \(0 lets onnxruntime choose\), got -1/],
    [{ interOpThreads: 1.5 }, /interOpThreads must be an integer from 0 to 256/],
    [{ graphOptimizationLevel: 'max' }, /graphOptimizationLevel must be 'disabled', 'basic', 'extended' or 'all', got 'max'/],
    [{ device: 'auto', executionProviders: ['cpu'] }, /executionProviders replaces the provider device 'auto' would choose/],
  ];
  it.each(cases)('rejects %j', async (options, message) => {
    await expectError(() => loadClassifier(good.bytes, options as never), RuntimeOptionError, message);
  });

  it('passes thread and optimization options to onnxruntime', async () => {
    for (const device of DEVICES) {
      const classifier = await loadClassifier(good.bytes, {
        device,
        intraOpThreads: 1,
        interOpThreads: 1,
        graphOptimizationLevel: 'disabled',
      });
      expect(await classifier.classify(new Uint8Array(36))).toHaveLength(1);
      await classifier.dispose();
    }
  });
});
