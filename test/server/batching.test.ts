/**
 * DynamicBatcher on its own, with the real classifier: merged runs must hand each caller exactly
 * its own rows, whatever the interleaving, and batch only up to maxBatch rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { DynamicBatcher } from '../../server/batching.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { CLASS_COUNT, makeTestModel, normalize, testImage } from './fixtures.ts';

let classifier: Classifier;

beforeAll(async () => {
  const { onnx } = await makeTestModel(tempDir('tfjs-onnx-batching-'));
  classifier = await loadClassifier(onnx, { backend: 'native' });
});
afterAll(async () => classifier?.dispose());

/** `rows` consecutive test images starting at `first`, normalized and laid out back to back. */
function inputRows(first: number, rows: number): Float32Array {
  const values = new Float32Array(rows * 784);
  for (let row = 0; row < rows; row++) values.set(normalize(testImage(first + row), classifier.preprocess), row * 784);
  return values;
}

describe('DynamicBatcher', () => {
  it('returns every concurrent caller its own rows, merged into few runs', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(classifier, { maxBatch: 16, maxDelayMs: 5, onBatch: (rows) => batches.push(rows) });
    // Callers with 1, 2 or 3 rows each, so rows of different callers interleave within a run.
    const requests = Array.from({ length: 30 }, (_, i) => ({ first: i * 3, rows: (i % 3) + 1 }));
    const results = await Promise.all(requests.map(({ first, rows }) => batcher.predict(inputRows(first, rows), rows)));
    for (const [i, { first, rows }] of requests.entries()) {
      const direct = await classifier.predictBatch(inputRows(first, rows), rows);
      expect(results[i].length).toBe(rows * CLASS_COUNT);
      expectClose(results[i], direct);
    }
    expect(batches.reduce((a, b) => a + b, 0)).toBe(requests.reduce((a, r) => a + r.rows, 0));
    expect(Math.max(...batches)).toBeLessThanOrEqual(16);
    expect(batches.length).toBeLessThan(requests.length / 2);
    expect(batcher.queueDepth).toBe(0);
  });

  it('runs a request larger than maxBatch on its own', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(classifier, { maxBatch: 4, maxDelayMs: 1, onBatch: (rows) => batches.push(rows) });
    const [big, small] = await Promise.all([batcher.predict(inputRows(0, 6), 6), batcher.predict(inputRows(6, 1), 1)]);
    expectClose(big, await classifier.predictBatch(inputRows(0, 6), 6));
    expectClose(small, await classifier.predictBatch(inputRows(6, 1), 1));
    expect(batches).toEqual([6, 1]);
  });

  it('runs what queued during a run right after it, without a second delay', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(classifier, { maxBatch: 2, maxDelayMs: 5_000, onBatch: (rows) => batches.push(rows) });
    const started = performance.now();
    // Two rows fill a batch at once; the third waits only for that run, not for the 5 s delay.
    await Promise.all([0, 1, 2].map((i) => batcher.predict(inputRows(i, 1), 1)));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(batches).toEqual([2, 1]);
  });

  it('with no delay still merges requests made in the same event-loop turn', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(classifier, { maxBatch: 64, maxDelayMs: 0, onBatch: (rows) => batches.push(rows) });
    const results = await Promise.all([0, 1, 2, 3].map((i) => batcher.predict(inputRows(i, 1), 1)));
    for (const i of [0, 1, 2, 3]) expectClose(results[i], await classifier.predictBatch(inputRows(i, 1), 1));
    expect(batches).toEqual([4]);
  });

  it('with maxBatch 1 runs each request by itself', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(classifier, { maxBatch: 1, maxDelayMs: 2, onBatch: (rows) => batches.push(rows) });
    const results = await Promise.all([0, 1, 2].map((i) => batcher.predict(inputRows(i, 1), 1)));
    for (const i of [0, 1, 2]) expectClose(results[i], await classifier.predictBatch(inputRows(i, 1), 1));
    expect(batches).toEqual([1, 1, 1]);
  });

  it('fails only the caller whose rows broke a merged run', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(classifier, { maxBatch: 8, maxDelayMs: 5, onBatch: (rows) => batches.push(rows) });
    // A row of the wrong length makes the merged input invalid for the classifier.
    const good1 = batcher.predict(inputRows(0, 1), 1);
    const bad = batcher.predict(new Float32Array(10), 1);
    const good2 = batcher.predict(inputRows(1, 2), 2);
    await expect(bad).rejects.toThrow();
    expectClose(await good1, await classifier.predictBatch(inputRows(0, 1), 1));
    expectClose(await good2, await classifier.predictBatch(inputRows(1, 2), 2));
    expect(batches).toEqual([4]);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new DynamicBatcher(classifier, { maxBatch: 0, maxDelayMs: 1 })).toThrow(RangeError);
    expect(() => new DynamicBatcher(classifier, { maxBatch: 2, maxDelayMs: -1 })).toThrow(RangeError);
  });
});

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  // Batched and single runs may sum in a different order; the difference stays at float rounding.
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(1e-5);
}
