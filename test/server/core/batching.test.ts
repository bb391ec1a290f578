/**
 * DynamicBatcher over a real onnxruntime session (the runtime's loadModel): merged runs hand each
 * caller exactly its own rows whatever the interleaving, only requests that agree beyond the batch
 * axis are merged, runs stay within maxBatch, a bad request fails alone, no delay means nothing
 * waits for company, and flush() runs a delayed batch at once.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Model, type TensorData } from '@tfjs-onnx/runtime';
import { DynamicBatcher, type Feeds } from '../../../server/core/batching.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { PIXELS, makeTestModel, normalize, testImage } from '../helpers/fixtures.ts';
import { writeAllTypesModel } from '../helpers/models.ts';

let digits: Model;
let types: Model;

beforeAll(async () => {
  const directory = tempDir('tfjs-onnx-batching-');
  digits = await loadModel((await makeTestModel(directory)).onnx);
  const typesPath = path.join(directory, 'types.onnx');
  writeAllTypesModel(typesPath, { datatypes: ['FP32', 'BYTES', 'INT64'] });
  types = await loadModel(typesPath);
});
afterAll(async () => {
  await digits?.dispose();
  await types?.dispose();
});

const inputName = () => digits.inputs[0]!.name;
const outputName = () => digits.outputs[0]!.name;

/** `rows` consecutive test images starting at `first`, as the model's feed. */
function imageFeeds(first: number, rows: number): Feeds {
  const values = new Float32Array(rows * PIXELS);
  for (let row = 0; row < rows; row++) values.set(normalize(testImage(first + row), { scale: 1 / 255, offset: 0 }), row * PIXELS);
  return { [inputName()]: { type: 'float32', dims: [rows, 28, 28, 1], data: values } };
}

/** Wraps run() to record the rows of every run. */
function recordingRun(model: Model, batches: number[]) {
  return (feeds: Feeds) => {
    batches.push((Object.values(feeds)[0] as TensorData).dims[0]!);
    return model.run(feeds);
  };
}

function expectClose(actual: TensorData, expected: TensorData): void {
  expect(actual.dims).toEqual(expected.dims);
  const a = actual.data as Float32Array;
  const b = expected.data as Float32Array;
  // Batched and single runs may sum in a different order; the difference stays at float rounding.
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
}

describe('DynamicBatcher', () => {
  it('returns every concurrent caller its own rows, merged into few runs within maxBatch', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(recordingRun(digits, batches), { maxBatch: 16, maxDelayMs: 5 });
    // Callers with 1, 2 or 3 rows each, so rows of different callers interleave within a run.
    const requests = Array.from({ length: 30 }, (_, i) => ({ first: i * 3, rows: (i % 3) + 1 }));
    const results = await Promise.all(requests.map(({ first, rows }) => batcher.submit(imageFeeds(first, rows), rows)));
    for (const [i, { first, rows }] of requests.entries()) {
      expectClose(results[i]!.outputs[outputName()]!, (await digits.run(imageFeeds(first, rows)))[outputName()]!);
      expect(results[i]!.timing.batchRows).toBeGreaterThanOrEqual(rows);
    }
    expect(batches.reduce((a, b) => a + b, 0)).toBe(requests.reduce((a, r) => a + r.rows, 0));
    expect(Math.max(...batches)).toBeLessThanOrEqual(16);
    expect(batches.length).toBeLessThan(requests.length / 2);
    // Each run is reported by exactly one of its requests (Triton's execution count).
    expect(results.filter((result) => result.timing.reportsExecution)).toHaveLength(batches.length);
    expect(batcher.queueDepth).toBe(0);
  });

  it('merges strings and 64-bit integers too, and keeps apart requests whose other dims differ', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(recordingRun(types, batches), { maxBatch: 64, maxDelayMs: 5 });
    const feed = (rows: number, tag: string): Feeds => ({
      in_fp32: { type: 'float32', dims: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => i) },
      in_bytes: { type: 'string', dims: [rows, 2], data: Array.from({ length: rows * 2 }, (_, i) => `${tag}${i}`) },
      in_int64: { type: 'int64', dims: [rows, 2], data: BigInt64Array.from({ length: rows * 2 }, (_, i) => BigInt(i) * 10n ** 12n) },
    });
    const [a, b] = await Promise.all([batcher.submit(feed(1, 'a'), 1), batcher.submit(feed(2, 'b'), 2)]);
    expect(batches).toEqual([3]);
    expect(a!.outputs.out_bytes!.data).toEqual(['a0', 'a1']);
    expect(b!.outputs.out_bytes!.data).toEqual(['b0', 'b1', 'b2', 'b3']);
    expect(Array.from(b!.outputs.out_int64!.data as BigInt64Array)).toEqual([0n, 2n, 4n, 6n].map((v) => v * 10n ** 12n));
    expect(Array.from(a!.outputs.out_fp32!.data as Float32Array)).toEqual([0, 2]);
  });

  it('runs a request larger than maxBatch on its own', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(recordingRun(digits, batches), { maxBatch: 4, maxDelayMs: 1 });
    const [big, small] = await Promise.all([batcher.submit(imageFeeds(0, 6), 6), batcher.submit(imageFeeds(6, 1), 1)]);
    expectClose(big!.outputs[outputName()]!, (await digits.run(imageFeeds(0, 6)))[outputName()]!);
    expectClose(small!.outputs[outputName()]!, (await digits.run(imageFeeds(6, 1)))[outputName()]!);
    expect(batches).toEqual([6, 1]);
  });

  it('with no delay, runs a lone request at once and merges what queues while a run executes', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(recordingRun(digits, batches), { maxBatch: 64, maxDelayMs: 0 });
    await batcher.submit(imageFeeds(0, 1), 1);
    expect(batches).toEqual([1]);
    // The first request starts a run; the next three arrive while it executes and go together after it.
    const first = batcher.submit(imageFeeds(1, 1), 1);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [2, 3, 4].map((i) => batcher.submit(imageFeeds(i, 1), 1));
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([1, 1, 3]);
  });

  it('fails only the caller whose rows broke a merged run', async () => {
    const batches: number[] = [];
    const batcher = new DynamicBatcher(recordingRun(digits, batches), { maxBatch: 8, maxDelayMs: 5 });
    const good1 = batcher.submit(imageFeeds(0, 1), 1);
    // NaN goes through onnxruntime; a feed with the wrong element count does not, so merged it breaks the run.
    const bad = batcher.submit({ [inputName()]: { type: 'float32', dims: [1, 28, 28, 1], data: new Float32Array(10) } }, 1);
    const good2 = batcher.submit(imageFeeds(1, 2), 2);
    await expect(bad).rejects.toThrow();
    expectClose((await good1).outputs[outputName()]!, (await digits.run(imageFeeds(0, 1)))[outputName()]!);
    expectClose((await good2).outputs[outputName()]!, (await digits.run(imageFeeds(1, 2)))[outputName()]!);
  });

  it('flush() runs a delayed batch at once', async () => {
    const batcher = new DynamicBatcher((feeds) => digits.run(feeds), { maxBatch: 64, maxDelayMs: 10_000 });
    const started = performance.now();
    const pending = batcher.submit(imageFeeds(0, 1), 1);
    batcher.flush();
    await pending;
    await batcher.idle();
    // Far less than the 10 s delay: flush does not wait for the timer.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses nonsensical settings', () => {
    const run = (feeds: Feeds) => digits.run(feeds);
    expect(() => new DynamicBatcher(run, { maxBatch: 0, maxDelayMs: 1 })).toThrow(RangeError);
    expect(() => new DynamicBatcher(run, { maxBatch: 2, maxDelayMs: -1 })).toThrow(RangeError);
    expect(() => new DynamicBatcher(run, { maxBatch: 2, maxDelayMs: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});
