import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DisposedError,
  RuntimeOptionError,
  InferenceError,
  loadClassifier,
  RuntimeInputError,
  type Classifier,
} from '../src/index.node.ts';
import { buildTinyClassifier } from '../../test/helpers/fixtures/models.ts';
import { expectError } from '../../test/helpers/expectError.ts';
import { DEVICES, RUNS_ON } from '../../test/helpers/runtime.ts';
import { argmaxRows, maxAbsDiff, randomFloats } from '../../test/helpers/tensors.ts';

const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const model = buildTinyClassifier({
  inputShape: [null, 12, 12, 1],
  seed: 7,
  metadata: {
    'tfjs_onnx.labels': JSON.stringify(LABELS),
    'tfjs_onnx.preprocess': JSON.stringify({ layout: 'NHWC', height: 12, width: 12, channels: 1, scale: 2 / 255, offset: -1 }),
    'tfjs_onnx.source_sha256': 'abc',
  },
});
const IMAGE = 144;

describe('native and wasm agree', () => {
  it('gives the same probabilities (max |Δp| ≤ 1e-5) and top-1 on a random batch, matching a float64 reference', async () => {
    const count = 64;
    const input = Float32Array.from(randomFloats(count * IMAGE, 3), (v) => v * 2 - 1);
    const native = await loadClassifier(model.bytes, { device: 'cpu' });
    const wasm = await loadClassifier(model.bytes, { device: 'wasm' });
    try {
      const [a, b] = await Promise.all([native.predictBatch(input, count), wasm.predictBatch(input, count)]);
      expect(a.length).toBe(count * 10);
      expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-5);
      expect(argmaxRows(a, 10)).toEqual(argmaxRows(b, 10));
      const reference = model.reference(input, count);
      expect(maxAbsDiff(a, reference)).toBeLessThanOrEqual(1e-5);
      expect(argmaxRows(a, 10)).toEqual(argmaxRows(reference, 10));
    } finally {
      await native.dispose();
      await wasm.dispose();
    }
  });
});

describe.each(DEVICES)('classifier on %s', (device) => {
  let classifier: Classifier;
  beforeAll(async () => {
    classifier = await loadClassifier(model.bytes, { device });
  });
  afterAll(() => classifier.dispose());

  it('reports its device, placement and signature', () => {
    expect(classifier.device).toBe(device);
    expect(classifier.placement).toMatchObject({ device, ...RUNS_ON[device] });
    expect(classifier.inputName).toBe('image');
    expect(classifier.outputName).toBe('probabilities');
    expect(classifier.inputShape).toEqual([null, 12, 12, 1]);
    expect(classifier.imageSize).toEqual({ height: 12, width: 12, channels: 1, layout: 'NHWC' });
    expect(classifier.classCount).toBe(10);
  });

  it('takes labels and preprocess from the metadata', () => {
    expect(classifier.labels).toEqual(LABELS);
    expect(classifier.preprocess).toEqual({ layout: 'NHWC', height: 12, width: 12, channels: 1, scale: 2 / 255, offset: -1 });
  });

  it('normalizes Uint8 pixels with the metadata preprocess, like Float32 input normalized by hand', async () => {
    const pixels = Uint8Array.from({ length: IMAGE }, (_, i) => (i * 37) % 256);
    const normalized = Float32Array.from(pixels, (p) => (p * 2) / 255 - 1);
    const [fromPixels] = await classifier.classify(pixels);
    const [fromFloats] = await classifier.classify(normalized);
    expect(maxAbsDiff(fromPixels!.probabilities, fromFloats!.probabilities)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(fromFloats!.probabilities, model.reference(normalized, 1))).toBeLessThanOrEqual(1e-5);
  });

  it('returns the top-k sorted by probability with labels, plus the full vector', async () => {
    const input = randomFloats(IMAGE, 11);
    const [result] = await classifier.classify(input, { topK: 4 });
    const probabilities = result!.probabilities;
    expect(probabilities.length).toBe(10);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const expectedOrder = Array.from(probabilities.keys()).sort((a, b) => probabilities[b]! - probabilities[a]!);
    expect(result!.top.map((p) => p.index)).toEqual(expectedOrder.slice(0, 4));
    for (const p of result!.top) {
      expect(p.label).toBe(LABELS[p.index]);
      expect(p.probability).toBe(probabilities[p.index]);
    }
    const [defaultK] = await classifier.classify(input);
    expect(defaultK!.top).toHaveLength(3);
    const [all] = await classifier.classify(input, { topK: 99 });
    expect(all!.top).toHaveLength(10);
  });

  it('treats a flat array of several images as a batch, and an array of inputs as one batch', async () => {
    const images = [randomFloats(IMAGE, 21), randomFloats(IMAGE, 22), randomFloats(IMAGE, 23)];
    const flat = new Float32Array(3 * IMAGE);
    images.forEach((image, i) => {
      flat.set(image, i * IMAGE);
    });
    const batch = await classifier.classify(flat);
    expect(batch).toHaveLength(3);
    const pixels = Uint8Array.from({ length: IMAGE * 2 }, (_, i) => i % 256);
    const mixed = await classifier.classify([images[0]!, pixels, images[2]!]);
    expect(mixed).toHaveLength(4);
    for (const [i, image] of images.entries()) {
      const [single] = await classifier.classify(image);
      expect(maxAbsDiff(batch[i]!.probabilities, single!.probabilities)).toBeLessThanOrEqual(1e-6);
    }
    expect(maxAbsDiff(mixed[0]!.probabilities, batch[0]!.probabilities)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(mixed[3]!.probabilities, batch[2]!.probabilities)).toBeLessThanOrEqual(1e-6);
    const predicted = await classifier.predictBatch(flat, 3);
    expect(maxAbsDiff(predicted, model.reference(flat, 3))).toBeLessThanOrEqual(1e-5);
  });

  it('rejects bad input with a RuntimeInputError that says what was expected, and keeps working', async () => {
    const nan = randomFloats(IMAGE, 5);
    nan[17] = Number.NaN;
    const infinite = randomFloats(IMAGE * 2, 6);
    infinite[IMAGE + 3] = Number.POSITIVE_INFINITY;
    const cases: [unknown, RegExp][] = [
      [new Float32Array(IMAGE + 1), /145 values, not a whole number of images: one image is 144 values \(12×12×1, NHWC\)/],
      [new Uint8Array(100), /100 bytes, which is neither raw pixels \(a multiple of 144 = 12×12×1\) nor PNG or JPEG bytes/],
      [nan, /contains NaN at index 17 \(image 0\)/],
      [infinite, /contains Infinity at index 147 \(image 1\)/],
      [new Float32Array(0), /empty: expected at least one image of 144 values/],
      [new Uint8Array(0), /empty: expected at least one image/],
      [[], /empty batch/],
      [new Int32Array(IMAGE), /is a Int32Array of length 144; expected a Uint8Array/],
      [Array.from({ length: IMAGE }, () => 0), /is an Array of 144 numbers; wrap pixel values in a Uint8Array/],
      ['no-such-image.png', /input: cannot read the image file no-such-image.png: no such file/],
      [null, /is null/],
      [[randomFloats(IMAGE, 1), new Float64Array(IMAGE)], /input 1 is a Float64Array/],
    ];
    for (const [input, message] of cases) {
      await expectError(() => classifier.classify(input as never), RuntimeInputError, message);
    }
    await expectError(
      () => classifier.predictBatch(randomFloats(IMAGE * 2, 1), 3),
      RuntimeInputError,
      /288 values; 3 images of 144 values .* need 432/,
    );
    await expectError(() => classifier.predictBatch(randomFloats(IMAGE, 1), 0), RuntimeOptionError, /count must be a positive integer/);
    await expectError(() => classifier.predictBatch(new Uint8Array(IMAGE) as never, 1), RuntimeInputError, /expected a Float32Array/);
    await expectError(
      () => classifier.classify(randomFloats(IMAGE, 1), { topK: 0 }),
      RuntimeOptionError,
      /topK must be a positive integer/,
    );

    const input = randomFloats(IMAGE, 9);
    const [after] = await classifier.classify(input);
    expect(maxAbsDiff(after!.probabilities, model.reference(input, 1))).toBeLessThanOrEqual(1e-5);
  });

  it('reads typed-array views at their offset (subarray of a larger buffer)', async () => {
    const whole = randomFloats(IMAGE * 5, 41);
    const view = whole.subarray(IMAGE, IMAGE * 3);
    const probabilities = await classifier.predictBatch(view, 2);
    expect(maxAbsDiff(probabilities, model.reference(Float32Array.from(view), 2))).toBeLessThanOrEqual(1e-5);
    const pixels = Uint8Array.from({ length: IMAGE * 3 }, (_, i) => (i * 13) % 256);
    const [fromView] = await classifier.classify(pixels.subarray(IMAGE, IMAGE * 2));
    const [fromCopy] = await classifier.classify(pixels.slice(IMAGE, IMAGE * 2));
    expect(maxAbsDiff(fromView!.probabilities, fromCopy!.probabilities)).toBe(0);
  });

  it('serves many concurrent calls, each with its own result', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => randomFloats(IMAGE * (1 + (i % 3)), 100 + i));
    const results = await Promise.all(
      inputs.map((input, i) => (i % 2 === 0 ? classifier.classify(input) : classifier.predictBatch(input, input.length / IMAGE))),
    );
    results.forEach((result, i) => {
      const input = inputs[i]!;
      const count = input.length / IMAGE;
      const probabilities = Array.isArray(result) ? flatten(result.map((r) => r.probabilities)) : result;
      expect(maxAbsDiff(probabilities, model.reference(input, count))).toBeLessThanOrEqual(1e-5);
    });
  });
});

function flatten(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let offset = 0;
  for (const row of rows) {
    out.set(row, offset);
    offset += row.length;
  }
  return out;
}

describe('models without metadata', () => {
  it('defaults labels to the class indices and preprocess to 1/255 at the input shape', async () => {
    const plain = buildTinyClassifier({ inputShape: [null, 8, 8, 1], classCount: 4, seed: 2 });
    const classifier = await loadClassifier(plain.bytes);
    try {
      expect(classifier.labels).toEqual(['0', '1', '2', '3']);
      expect(classifier.preprocess).toEqual({ layout: 'NHWC', height: 8, width: 8, channels: 1, scale: 1 / 255, offset: 0 });
      const pixels = Uint8Array.from({ length: 64 }, (_, i) => i * 4);
      const [result] = await classifier.classify(pixels);
      expect(
        maxAbsDiff(
          result!.probabilities,
          plain.reference(
            Float32Array.from(pixels, (p) => p / 255),
            1,
          ),
        ),
      ).toBeLessThanOrEqual(1e-5);
    } finally {
      await classifier.dispose();
    }
  });

  it('infers NCHW from a channel-first input and transposes interleaved pixels into it', async () => {
    const nchw = buildTinyClassifier({ inputShape: [null, 3, 4, 5], classCount: 6, seed: 4 });
    const classifier = await loadClassifier(nchw.bytes, { device: 'wasm' });
    try {
      expect(classifier.imageSize).toEqual({ height: 4, width: 5, channels: 3, layout: 'NCHW' });
      const pixels = Uint8Array.from({ length: 60 }, (_, i) => (i * 53) % 256); // H×W×C interleaved
      const planar = new Float32Array(60);
      for (let p = 0; p < 20; p += 1) for (let c = 0; c < 3; c += 1) planar[c * 20 + p] = pixels[p * 3 + c]! / 255;
      const [result] = await classifier.classify(pixels);
      expect(maxAbsDiff(result!.probabilities, nchw.reference(planar, 1))).toBeLessThanOrEqual(1e-5);
    } finally {
      await classifier.dispose();
    }
  });

  it('runs a model with a fixed batch size in chunks, padding the last one', async () => {
    const fixed = buildTinyClassifier({ inputShape: [2, 8, 8, 1], classCount: 5, seed: 8 });
    const classifier = await loadClassifier(fixed.bytes);
    try {
      expect(classifier.inputShape).toEqual([2, 8, 8, 1]);
      const input = randomFloats(64 * 5, 31);
      const probabilities = await classifier.predictBatch(input, 5);
      expect(maxAbsDiff(probabilities, fixed.reference(input, 5))).toBeLessThanOrEqual(1e-5);
    } finally {
      await classifier.dispose();
    }
  });
});

describe('concurrency across classifiers', () => {
  it('keeps results apart for two wasm classifiers sharing one onnxruntime-web instance', async () => {
    const other = buildTinyClassifier({ inputShape: [null, 12, 12, 1], seed: 99 });
    const [a, b] = await Promise.all([loadClassifier(model.bytes, { device: 'wasm' }), loadClassifier(other.bytes, { device: 'wasm' })]);
    try {
      const inputs = Array.from({ length: 30 }, (_, i) => randomFloats(IMAGE * 4, 500 + i));
      const results = await Promise.all(inputs.map((input, i) => (i % 2 ? a : b).predictBatch(input, 4)));
      results.forEach((result, i) => {
        expect(maxAbsDiff(result, (i % 2 ? model : other).reference(inputs[i]!, 4))).toBeLessThanOrEqual(1e-5);
      });
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});

describe('failures inside onnxruntime', () => {
  it.each(DEVICES)('surface as InferenceError on %s and leave the classifier usable', async (device) => {
    // The graph ends in a Reshape to a fixed [3, 10]: only batches of exactly 3 images can run.
    const picky = buildTinyClassifier({ inputShape: [null, 4, 4, 1], classCount: 10, outputReshape: [3, 10] });
    const classifier = await loadClassifier(picky.bytes, { device });
    try {
      await expectError(
        () => classifier.predictBatch(randomFloats(16 * 2, 1), 2),
        InferenceError,
        new RegExp(
          `${RUNS_ON[device].runtime} \\(${RUNS_ON[device].executionProvider}\\) failed to run the model on input \\[2, 4, 4, 1\\]`,
        ),
      );
      const input = randomFloats(16 * 3, 2);
      expect(maxAbsDiff(await classifier.predictBatch(input, 3), picky.reference(input, 3))).toBeLessThanOrEqual(1e-5);
    } finally {
      await classifier.dispose();
    }
  });
});

describe('dispose', () => {
  it('finishes queued calls, then refuses new ones', async () => {
    const classifier = await loadClassifier(model.bytes, { device: 'wasm' });
    const pending = classifier.predictBatch(randomFloats(IMAGE * 4, 1), 4);
    await classifier.dispose();
    expect((await pending).length).toBe(40);
    await expectError(() => classifier.classify(randomFloats(IMAGE, 1)), DisposedError, /disposed/);
    await classifier.dispose(); // idempotent
  });
});
