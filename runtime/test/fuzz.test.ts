/**
 * Property-based fuzzing of the runtime's loaders with fast-check: ONNX model bytes (loadModel and
 * loadClassifier on every device) and encoded images (PNG/JPEG through decodeImage and classify).
 * Any input gives a result or one typed TfjsOnnxRuntimeError — never another exception, a crash of the
 * process (onnxruntime is native code) or a hang (the test timeout) — and a decoded picture is
 * never larger than the limits. `npm test` runs a few dozen cases per loader; `npm run fuzz` runs
 * thousands (FUZZ_RUNS).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TfjsOnnxRuntimeError,
  decodeImage,
  DEFAULT_IMAGE_LIMITS,
  loadClassifier,
  loadModel,
  RuntimeInputError,
} from '../src/index.node.ts';
import { encodeJpeg, encodePng, randomPixels } from '../../test/helpers/fixtures/images.ts';
import { buildTwoInTwoOut } from '../../test/helpers/fixtures/graphs.ts';
import { buildTinyClassifier } from '../../test/helpers/fixtures/models.ts';
import { DEVICES } from '../../test/helpers/runtime.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const TIMEOUT = Math.max(60_000, RUNS * 1_000);

/** Mutations of a valid file: truncation, overwritten bytes, inserted bytes, a duplicated slice, or random bytes. */
function mutated(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const position = fc.nat({ max: valid.length });
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 32 });
  return fc.oneof(
    position.map((at) => valid.subarray(0, at)),
    fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const copy = Uint8Array.from(valid);
      for (const [at, value] of edits) if (at < copy.length) copy[at] = value;
      return copy;
    }),
    fc.tuple(position, bytes).map(([at, insert]) => Uint8Array.from([...valid.subarray(0, at), ...insert, ...valid.subarray(at)])),
    fc
      .tuple(position, position)
      .map(([a, b]) => Uint8Array.from([...valid.subarray(0, Math.max(a, b)), ...valid.subarray(Math.min(a, b))])),
    fc.uint8Array({ maxLength: 256 }),
  );
}

/** Runs `call`; it must resolve or reject with a TfjsOnnxRuntimeError. Returns the result, if any. */
async function resultOrTypedError<T>(call: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof TfjsOnnxRuntimeError))
      throw new Error(`not a TfjsOnnxRuntimeError: ${(error as Error)?.stack ?? String(error)}`);
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.message).not.toContain('\n');
    return undefined;
  }
}

describe.each(DEVICES)('ONNX model bytes on %s', (device) => {
  const models = [
    buildTwoInTwoOut(),
    buildTinyClassifier({ inputShape: [null, 4, 4, 1], classCount: 3, metadata: { 'tfjs_onnx.labels': '["a","b","c"]' } }).bytes,
  ];
  it(
    'load as a model or a classifier, or fail with a TfjsOnnxRuntimeError',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...models).chain(mutated), fc.boolean(), async (bytes, asClassifier) => {
          const loaded = await resultOrTypedError<{ dispose(): Promise<void> }>(() =>
            asClassifier ? loadClassifier(bytes, { device }) : loadModel(bytes, { device }),
          );
          await loaded?.dispose();
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe('encoded images', () => {
  const images = [
    encodePng(randomPixels(12 * 9 * 3, 1), 12, 9, 3),
    encodePng(randomPixels(7 * 7, 2), 7, 7, 1),
    encodeJpeg(randomPixels(10 * 14 * 3, 3), 10, 14, 3, 80),
    encodeJpeg(randomPixels(5 * 5 * 3, 4), 5, 5, 3, 100),
  ];

  it(
    'decode within the limits or fail with a RuntimeInputError',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...images).chain(mutated), async (bytes) => {
          const image = await resultOrTypedError(() => decodeImage(bytes));
          if (image) {
            expect(image.width * image.height).toBeLessThanOrEqual(DEFAULT_IMAGE_LIMITS.maxMegapixels * 1e6);
            expect(image.data.length).toBe(image.width * image.height * image.channels);
          }
        }),
        { numRuns: RUNS * 4 },
      );
    },
    TIMEOUT,
  );

  it(
    'classify, or fail with a RuntimeInputError, and leave the classifier working',
    async () => {
      const classifier = await loadClassifier(buildTinyClassifier({ inputShape: [null, 6, 6, 1], classCount: 3 }).bytes);
      try {
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...images).chain(mutated), async (bytes) => {
            try {
              const [result] = await classifier.classify(bytes);
              expect(result!.probabilities.every(Number.isFinite)).toBe(true);
            } catch (error) {
              if (!(error instanceof RuntimeInputError)) throw error;
            }
          }),
          { numRuns: RUNS * 2 },
        );
        expect(await classifier.classify(images[0]!)).toHaveLength(1);
      } finally {
        await classifier.dispose();
      }
    },
    TIMEOUT,
  );
});
