/**
 * Images/s of several precisions of one model on devices cpu (onnxruntime-node) and wasm (onnxruntime-web), measured
 * side by side: within every repetition the variants' calls alternate one by one, so a ratio to
 * fp32 compares calls taken moments apart and load from other processes hits all variants alike.
 */
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { pairedRatio, spread } from '../../common/stats.ts';
import type { SpeedOptions, VariantDevice, VariantSpeed } from './types.ts';

export const SPEED_METHOD = (options: SpeedOptions) =>
  `runtime predictBatch on real test images, the variants' calls interleaved one by one for ≥ ${options.blockMs} ms each per repetition; median of ${options.repetitions} repetitions, ratio to fp32 paired per repetition`;

export type SpeedTable = Record<VariantDevice, VariantSpeed[]>;

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
  const result = new Map<string, SpeedTable>(models.map((model) => [model.label, { cpu: [], wasm: [] }]));
  for (const device of options.devices) {
    const classifiers: Classifier[] = [];
    try {
      for (const model of models) classifiers.push(await loadClassifier(model.bytes, { device }));
      for (const batch of options.batchSizes) {
        const input = images.subarray(0, batch * perImage);
        for (const classifier of classifiers) for (let i = 0; i < options.warmupCalls; i++) await classifier.predictBatch(input, batch);
        const samples = classifiers.map(() => [] as number[]);
        for (let repetition = 0; repetition < options.repetitions; repetition++) {
          const rates = await interleavedRates(classifiers, input, batch, options);
          rates.forEach((rate, i) => {
            samples[i].push(rate);
          });
        }
        models.forEach((model, i) => {
          result.get(model.label)![device].push({
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

/**
 * One repetition: the variants take turns call by call (A, B, C, A, B, C, ...), each call timed on
 * its own, until every variant has run at least minCalls and the round has lasted blockMs per
 * variant; returns each variant's images/s. Interleaving call by call spreads a burst of load from
 * other processes over all variants alike, where timing one variant's block after another's does not.
 */
async function interleavedRates(classifiers: Classifier[], input: Float32Array, batch: number, options: SpeedOptions): Promise<number[]> {
  const busy = classifiers.map(() => 0);
  let calls = 0;
  const started = performance.now();
  while (calls < options.minCalls || performance.now() - started < options.blockMs * classifiers.length) {
    for (let i = 0; i < classifiers.length; i++) {
      const before = performance.now();
      await classifiers[i].predictBatch(input, batch);
      busy[i] += performance.now() - before;
    }
    calls++;
  }
  return busy.map((ms) => (calls * batch * 1000) / ms);
}
