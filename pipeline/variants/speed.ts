/**
 * Images/s of several precisions of one model on onnxruntime-node and onnxruntime-web, measured
 * side by side: every repetition times each variant in turn at each batch size, so a ratio to
 * fp32 compares blocks taken moments apart and load that drifts during the run cancels out.
 */
import { loadClassifier, type Backend, type Classifier } from '@tfjs-onnx/runtime';
import { pairedRatio, spread } from '../../bench/stats.ts';
import type { VariantSpeed } from './types.ts';

export interface SpeedOptions {
  backends: Backend[];
  batchSizes: number[];
  repetitions: number;
  /** Untimed calls per variant and batch size before the first repetition. */
  warmupCalls: number;
  /** A timed block runs calls until at least this long (and at least minCalls). */
  blockMs: number;
  minCalls: number;
}

export const PIPELINE_SPEED: SpeedOptions = { backends: ['native', 'wasm'], batchSizes: [1, 256], repetitions: 5, warmupCalls: 3, blockMs: 150, minCalls: 3 };

export const SPEED_METHOD = (options: SpeedOptions) =>
  `runtime predictBatch on real test images; per repetition each variant in turn, calls until ≥ ${options.blockMs} ms; median of ${options.repetitions} repetitions, ratio to fp32 paired per repetition`;

export type SpeedTable = Record<Backend, VariantSpeed[]>;

/**
 * `images` holds at least max(batchSizes) normalized images of `perImage` values each; the first
 * model is the reference (fp32) that the ratios are to. Results are keyed by each model's label.
 */
export async function measureVariantSpeed(
  models: readonly { label: string; bytes: Uint8Array }[],
  images: Float32Array,
  perImage: number,
  options: SpeedOptions,
): Promise<Map<string, SpeedTable>> {
  const reference = 0;
  const result = new Map<string, SpeedTable>(models.map((model) => [model.label, { native: [], wasm: [] }]));
  for (const backend of options.backends) {
    const classifiers: Classifier[] = [];
    try {
      for (const model of models) classifiers.push(await loadClassifier(model.bytes, { backend, device: 'cpu' }));
      for (const batch of options.batchSizes) {
        const input = images.subarray(0, batch * perImage);
        for (const classifier of classifiers) for (let i = 0; i < options.warmupCalls; i++) await classifier.predictBatch(input, batch);
        const samples = classifiers.map(() => [] as number[]);
        for (let repetition = 0; repetition < options.repetitions; repetition++) {
          // Alternate the starting variant so none always runs first after the previous block.
          for (let k = 0; k < classifiers.length; k++) {
            const index = (k + repetition) % classifiers.length;
            samples[index].push(await imagesPerSecond(classifiers[index], input, batch, options));
          }
        }
        models.forEach((model, i) => {
          result.get(model.label)![backend].push({
            batch,
            imagesPerSecond: spread(samples[i]),
            ratioToFp32: pairedRatio(samples[i], samples[reference]).median,
          });
        });
      }
    } finally {
      await Promise.all(classifiers.map((classifier) => classifier.dispose()));
    }
  }
  return result;
}

async function imagesPerSecond(classifier: Classifier, input: Float32Array, batch: number, options: SpeedOptions): Promise<number> {
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (calls < options.minCalls || elapsed < options.blockMs) {
    await classifier.predictBatch(input, batch);
    calls++;
    elapsed = performance.now() - started;
  }
  return (calls * batch * 1000) / elapsed;
}
