/** One model on one provider: its first run, its agreement with the CPU and its images/s per batch size. */
import { loadModel, type Model, type TensorData } from '@tfjs-onnx/runtime';
import type { ResolvedDevice } from '@tfjs-onnx/runtime/constants';
import type { CheckModel } from './models.ts';

/** Samples compared with the CPU: MNIST test digits for the classifiers, seeded inputs for the (larger) GraphModels. */
export const AGREEMENT_SAMPLES = { classifier: 64, graphModel: 4 };

export interface GpuCheckRow {
  device: ResolvedDevice;
  runtime: string;
  /** The WebGPU adapter ('SwiftShader driver 5.0.0 (software)'), where there is one. */
  adapter?: string;
  model: string;
  /** Largest |Δ| against the CPU over every output, each scaled by max(1, max |cpu|). */
  maxScaledDiff: number;
  /** Top-1 agreement with the CPU, for the classifiers. */
  top1Agreement?: number;
  imagesPerSecond: Record<number, number | string>;
  firstRunMs: number;
}

export async function checkModel(
  check: CheckModel,
  device: ResolvedDevice,
  batches: number[],
  maxCallSeconds: number,
): Promise<GpuCheckRow> {
  const started = performance.now();
  const model = await loadModel(check.path, { device });
  try {
    const fixedBatch = model.inputs[0]!.shape[0];
    const samples = fixedBatch ?? (check.classifier ? AGREEMENT_SAMPLES.classifier : AGREEMENT_SAMPLES.graphModel);
    await model.run(check.feeds(model, fixedBatch ?? 1, 1));
    const firstRunMs = performance.now() - started;
    const agreement = await agreementWithCpu(check, model, samples);
    const imagesPerSecond: Record<number, number | string> = {};
    let tooSlow = false;
    for (const batch of batches) {
      if (fixedBatch !== null && fixedBatch !== batch) imagesPerSecond[batch] = `batch fixed at ${fixedBatch}`;
      else if (tooSlow) imagesPerSecond[batch] = '— (too slow)';
      else ({ rate: imagesPerSecond[batch], tooSlow } = await measure(model, check.feeds(model, batch, 2), batch, maxCallSeconds));
    }
    const { runtime, adapter } = model.placement;
    return {
      device,
      runtime,
      ...(adapter ? { adapter: `${adapter.name}${adapter.software ? ' (software)' : ''}` } : {}),
      model: check.name,
      ...agreement,
      imagesPerSecond,
      firstRunMs,
    };
  } finally {
    await model.dispose();
  }
}

async function agreementWithCpu(
  check: CheckModel,
  model: Model,
  samples: number,
): Promise<{ maxScaledDiff: number; top1Agreement?: number }> {
  const cpu = await loadModel(check.path, { device: 'cpu' });
  try {
    const feeds = check.feeds(model, samples, 3);
    const [expected, actual] = [await cpu.run(feeds), await model.run(feeds)];
    const maxScaledDiff = maxScaledDifference(expected, actual);
    if (!check.classifier) return { maxScaledDiff };
    const [a, b] = [Object.values(expected)[0]!.data as Float32Array, Object.values(actual)[0]!.data as Float32Array];
    const classes = a.length / samples;
    let agree = 0;
    for (let row = 0; row < samples; row++) if (argmax(a, row * classes, classes) === argmax(b, row * classes, classes)) agree++;
    return { maxScaledDiff, top1Agreement: agree / samples };
  } finally {
    await cpu.dispose();
  }
}

/** Largest |actual − expected| over every output, each scaled by max(1, max |expected|); Infinity when an output's length differs. */
export function maxScaledDifference(expected: Record<string, TensorData>, actual: Record<string, TensorData>): number {
  let worst = 0;
  for (const [name, tensor] of Object.entries(expected)) {
    const a = tensor.data as ArrayLike<number>;
    const b = actual[name]?.data as ArrayLike<number> | undefined;
    if (!b || b.length !== a.length) return Infinity;
    let scale = 1;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(Number(a[i])));
      diff = Math.max(diff, Math.abs(Number(a[i]) - Number(b[i])));
    }
    worst = Math.max(worst, diff / scale);
  }
  return worst;
}

function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (values[offset + k]! > values[offset + best]!) best = k;
  return best;
}

/** One warm-up call, then calls until at least 3 and 0.3 s; one call over the limit ends it. */
async function measure(
  model: Model,
  feeds: Record<string, TensorData>,
  batch: number,
  maxCallSeconds: number,
): Promise<{ rate: number; tooSlow: boolean }> {
  const warm = performance.now();
  await model.run(feeds);
  if ((performance.now() - warm) / 1000 > maxCallSeconds) return { rate: (batch * 1000) / (performance.now() - warm), tooSlow: true };
  let calls = 0;
  const started = performance.now();
  while (calls < 3 || performance.now() - started < 300) {
    await model.run(feeds);
    calls++;
  }
  return { rate: (batch * calls * 1000) / (performance.now() - started), tooSlow: false };
}
