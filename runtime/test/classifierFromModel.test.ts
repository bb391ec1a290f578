/**
 * classifierFromModel: a classifier over a model the caller already loaded, sharing its session.
 * It agrees with loadClassifier (which builds its classifier the same way), borrows the model
 * rather than owning it, refuses what is not a Model of this package or not an image classifier,
 * and splits classify() into toFeeds → model.run → fromOutputs for callers that run models themselves.
 */
import { describe, expect, it } from 'vitest';
import {
  classifierFromModel,
  DisposedError,
  RuntimeOptionError,
  ForeignModelError,
  ImageSizeError,
  InferenceError,
  loadClassifier,
  loadModel,
  RuntimeInputError,
  UnsupportedModelError,
  type Model,
  type TensorData,
} from '../src/index.node.ts';
import { buildTwoInTwoOut } from '../../test/helpers/fixtures/graphs.ts';
import { encodePng, randomPixels } from '../../test/helpers/fixtures/images.ts';
import { buildTinyClassifier } from '../../test/helpers/fixtures/models.ts';
import { expectError } from '../../test/helpers/expectError.ts';
import { DEVICES } from '../../test/helpers/runtime.ts';
import { maxAbsDiff, randomFloats } from '../../test/helpers/tensors.ts';

const LABELS = ['a', 'b', 'c', 'd', 'e', 'f'];
const tiny = buildTinyClassifier({
  inputShape: [null, 8, 8, 1],
  classCount: 6,
  seed: 21,
  metadata: {
    'tfjs_onnx.labels': JSON.stringify(LABELS),
    'tfjs_onnx.preprocess': JSON.stringify({ layout: 'NHWC', height: 8, width: 8, channels: 1, scale: 2 / 255, offset: -1 }),
  },
});
const IMAGE = 64;

/** Loads a model, hands it to `body`, and disposes it afterwards whatever happened. */
async function withModel<T>(bytes: Uint8Array, options: Parameters<typeof loadModel>[1], body: (model: Model) => Promise<T>): Promise<T> {
  const model = await loadModel(bytes, options);
  try {
    return await body(model);
  } finally {
    await model.dispose();
  }
}

describe.each(DEVICES)('on %s', (device) => {
  it('agrees with loadClassifier: same signature, same probabilities, over the very same session', async () => {
    const loaded = await loadClassifier(tiny.bytes, { device });
    try {
      await withModel(tiny.bytes, { device }, async (model) => {
        const shared = classifierFromModel(model);
        expect(shared.model).toBe(model);
        expect(shared.model.session).toBe(model.session);
        for (const key of [
          'device',
          'placement',
          'inputName',
          'outputName',
          'inputShape',
          'imageSize',
          'classCount',
          'labels',
          'preprocess',
        ] as const) {
          expect(shared[key], key).toEqual(loaded[key]);
        }
        const pixels = randomPixels(IMAGE * 3, 5);
        const [fromShared, fromLoaded] = await Promise.all([shared.classify(pixels, { topK: 4 }), loaded.classify(pixels, { topK: 4 })]);
        expect(fromShared).toHaveLength(3);
        fromShared.forEach((result, i) => {
          expect(result.top).toEqual(fromLoaded[i]!.top);
          expect(maxAbsDiff(result.probabilities, fromLoaded[i]!.probabilities)).toBe(0);
        });
        const input = randomFloats(IMAGE * 2, 9);
        expect(maxAbsDiff(await shared.predictBatch(input, 2), tiny.reference(input, 2))).toBeLessThanOrEqual(1e-5);
      });
    } finally {
      await loaded.dispose();
    }
  });
});

describe('ownership', () => {
  it('disposing a borrowing classifier retires it and leaves the model loaded', async () => {
    await withModel(tiny.bytes, {}, async (model) => {
      const classifier = classifierFromModel(model);
      const pending = classifier.predictBatch(randomFloats(IMAGE, 1), 1);
      await classifier.dispose();
      expect((await pending).length).toBe(6);
      await expectError(
        () => classifier.classify(randomPixels(IMAGE, 2)),
        DisposedError,
        /this classifier was disposed.*its model is still loaded/,
      );
      await expectError(() => classifier.toFeeds(randomPixels(IMAGE, 2)), DisposedError, /classifier was disposed/);
      const outputs = await model.run({ image: { type: 'float32', dims: [1, 8, 8, 1], data: randomFloats(IMAGE, 3) } });
      expect(outputs.probabilities!.dims).toEqual([1, 6]);
      // The model can carry other classifiers after one is retired.
      const [again] = await classifierFromModel(model).classify(randomPixels(IMAGE, 4));
      expect(again!.top).toHaveLength(3);
    });
  });

  it('disposing the model ends the classifiers that borrow it, and a disposed model cannot get one', async () => {
    const model = await loadModel(tiny.bytes);
    const classifier = classifierFromModel(model);
    await model.dispose();
    await expectError(() => classifier.classify(randomPixels(IMAGE, 2)), DisposedError, /this classifier's model was disposed/);
    expect(() => classifierFromModel(model)).toThrow(DisposedError);
    expect(() => classifierFromModel(model)).toThrow(/model given to classifierFromModel was disposed/);
    await classifier.dispose(); // retiring it afterwards is harmless
  });

  it("loadClassifier's classifier owns its model: disposing it releases the session", async () => {
    const classifier = await loadClassifier(tiny.bytes);
    await classifier.dispose();
    await expectError(
      () => classifier.model.run({ image: { type: 'float32', dims: [1, 8, 8, 1], data: randomFloats(IMAGE, 3) } }),
      DisposedError,
      /model was disposed/,
    );
    await expectError(() => classifier.classify(randomPixels(IMAGE, 2)), DisposedError, /this classifier was disposed/);
  });
});

describe('refusals', () => {
  it('refuses anything that is not a Model loaded by this copy of the package with a ForeignModelError', async () => {
    for (const [value, description] of [
      [{}, /got a plain object/],
      [undefined, /got undefined/],
      ['model.onnx', /got 'model.onnx'/],
      [new Uint8Array(tiny.bytes), /got a Uint8Array/],
    ] as const) {
      expect(() => classifierFromModel(value as unknown as Model)).toThrow(ForeignModelError);
      expect(() => classifierFromModel(value as unknown as Model)).toThrow(description);
    }
    await withModel(tiny.bytes, {}, async (model) => {
      // Something with every Model property is still not one: the classifier drives the model's internals.
      const lookalike: Model = {
        ...model,
        run: model.run.bind(model),
        dispose: model.dispose.bind(model),
        [Symbol.asyncDispose]: model.dispose.bind(model),
      };
      expect(() => classifierFromModel(lookalike)).toThrow(
        /classifierFromModel needs a Model returned by loadModel of this copy of @tfjs-onnx\/runtime, got a plain object/,
      );
      // A second copy of the package (here its compiled build beside these sources) has its own Model class.
      const otherCopy = (await import('../dist/index.node.js')) as typeof import('../src/index.node.ts');
      const foreign = await otherCopy.loadModel(tiny.bytes);
      try {
        expect(() => classifierFromModel(foreign)).toThrow(
          /got an instance of EngineModel.*two installed copies of the package cannot share models/,
        );
      } finally {
        await foreign.dispose();
      }
    });
  });

  it('refuses a model that is not an image classifier with an UnsupportedModelError, leaving the model usable', async () => {
    await withModel(buildTwoInTwoOut(), {}, async (model) => {
      expect(() => classifierFromModel(model)).toThrow(UnsupportedModelError);
      expect(() => classifierFromModel(model)).toThrow(/has 2 inputs \(x, k\); an image classifier has exactly one/);
      const { scaled } = await model.run({
        x: { type: 'float32', dims: [1, 3], data: Float32Array.from([1, 2, 3]) },
        k: { type: 'int64', dims: [1, 1], data: BigInt64Array.from([2n]) },
      });
      expect(Array.from(scaled!.data as Float32Array)).toEqual([2, 4, 6]);
    });
  });

  it('checks its options, and applies the image limits it is given', async () => {
    await withModel(tiny.bytes, {}, async (model) => {
      expect(() => classifierFromModel(model, 'strict' as never)).toThrow(RuntimeOptionError);
      expect(() => classifierFromModel(model, { imageLimits: { maxMegapixels: -1 } })).toThrow(
        /imageLimits.maxMegapixels must be a finite number > 0, got -1/,
      );
      const strict = classifierFromModel(model, { imageLimits: { maxMegapixels: 0.0001 } });
      const png = encodePng(randomPixels(20 * 20, 6), 20, 20, 1);
      await expectError(() => strict.classify(png), ImageSizeError, /20×20 pixels.*more than the limit of 0\.0001/);
      const [lenient] = await classifierFromModel(model).classify(png);
      expect(lenient!.top).toHaveLength(3);
    });
  });
});

describe('toFeeds and fromOutputs', () => {
  it('are classify() in two halves, around a run the caller makes (and may merge with others)', async () => {
    await withModel(tiny.bytes, {}, async (model) => {
      const classifier = classifierFromModel(model);
      const png = encodePng(randomPixels(16 * 16, 8), 16, 16, 1);
      const pixels = randomPixels(IMAGE, 12);
      const [fromPng, fromPixels] = await Promise.all([classifier.toFeeds(png), classifier.toFeeds(pixels)]);
      expect(fromPng.count).toBe(1);
      expect(fromPng.feeds.image).toMatchObject({ type: 'float32', dims: [1, 8, 8, 1] });
      const [expectedPng] = await classifier.classify(png, { topK: 2 });
      const [viaRun] = classifier.fromOutputs(await model.run(fromPng.feeds), { topK: 2 });
      expect(viaRun!.top).toEqual(expectedPng!.top);
      expect(maxAbsDiff(viaRun!.probabilities, expectedPng!.probabilities)).toBe(0);
      // Two requests' feeds stacked along the batch axis, as a batching server runs them.
      const stacked = new Float32Array(IMAGE * 2);
      stacked.set(fromPng.feeds.image!.data as Float32Array);
      stacked.set(fromPixels.feeds.image!.data as Float32Array, IMAGE);
      const rows = classifier.fromOutputs(await model.run({ image: { type: 'float32', dims: [2, 8, 8, 1], data: stacked } }));
      const [expectedPixels] = await classifier.classify(pixels);
      expect(rows.map((row) => row.top)).toEqual([(await classifier.classify(png))[0]!.top, expectedPixels!.top]);
    });
  });

  it('refuse outputs that are not the probabilities, and non-finite probabilities', async () => {
    await withModel(tiny.bytes, {}, async (model) => {
      const classifier = classifierFromModel(model);
      const probabilities = (data: Float32Array, dims: number[]): Record<string, TensorData> => ({
        probabilities: { type: 'float32', dims, data },
      });
      expect(() => classifier.fromOutputs({})).toThrow(RuntimeInputError);
      expect(() => classifier.fromOutputs({})).toThrow(/outputs has no 'probabilities'/);
      expect(() => classifier.fromOutputs(probabilities(new Float32Array(5), [1, 5]))).toThrow(
        /is float32 \[1, 5\]; expected float32 probabilities of shape \[N, 6\]/,
      );
      const bad = Float32Array.from([0.1, 0.2, NaN, 0.3, 0.2, 0.2]);
      expect(() => classifier.fromOutputs(probabilities(bad, [1, 6]))).toThrow(InferenceError);
      expect(() => classifier.fromOutputs(probabilities(bad, [1, 6]))).toThrow(/the model output NaN for image 0 \(class c\)/);
      expect(() => classifier.fromOutputs(probabilities(new Float32Array(6), [1, 6]), { topK: 0 })).toThrow(RuntimeOptionError);
      await expectError(
        () => classifier.toFeeds(Float32Array.from({ length: IMAGE }, () => Infinity)),
        RuntimeInputError,
        /contains Infinity at index 0/,
      );
    });
  });

  it('toFeeds gives a fixed-batch model exactly its batch, and says so otherwise', async () => {
    const fixed = buildTinyClassifier({ inputShape: [2, 8, 8, 1], classCount: 5, seed: 8 });
    await withModel(fixed.bytes, {}, async (model) => {
      const classifier = classifierFromModel(model);
      await expectError(
        () => classifier.toFeeds(randomPixels(IMAGE, 1)),
        RuntimeInputError,
        /holds 1 images, but the model takes exactly 2 per run/,
      );
      const input = randomFloats(IMAGE * 2, 4);
      const { feeds } = await classifier.toFeeds(input);
      const rows = classifier.fromOutputs(await model.run(feeds));
      expect(
        maxAbsDiff(Float32Array.from(rows.flatMap((row) => Array.from(row.probabilities))), fixed.reference(input, 2)),
      ).toBeLessThanOrEqual(1e-5);
    });
  });
});

describe('entry points', () => {
  it('the browser entries build classifiers over models too (a model from the same package copy)', async () => {
    const entries = [await import('../src/index.browser.ts'), await import('../src/index.wasm.browser.ts')];
    await withModel(tiny.bytes, { device: 'wasm' }, async (model) => {
      const pixels = randomPixels(IMAGE, 13);
      const [expected] = await classifierFromModel(model).classify(pixels);
      for (const entry of entries) {
        const [result] = await entry.classifierFromModel(model).classify(pixels);
        expect(result!.top).toEqual(expected!.top);
      }
    });
  });
});
