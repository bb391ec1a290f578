/**
 * What the MNIST WebGPU tests share: a briefly trained model of the lecture's architectures,
 * exported with our converter, and all 10,000 test digits through one session in batches of 1000.
 * The parity of two runtimes does not need a good model, only a trained one.
 */
import path from 'node:path';
import { loadModel, type LoadOptions, type Model } from '@tfjs-onnx/runtime';
import { expect } from 'vitest';
import { convertLayersModelToFile } from '../../export/index.ts';
import { normalizeImages } from '../../pipeline/parity.ts';
import { loadDataset, type ImageSplit } from '../../training/data/datasets.ts';
import { train } from '../../training/train.ts';

const BATCH = 1000;

export interface MnistFixture {
  onnxPath: string;
  test: ImageSplit;
  /** The test digits as model input (pixel / 255), 784 values each. */
  input: Float32Array;
}

/** Trains `model` for one epoch on 2,000 images and converts it; loads the test split. */
export async function trainedMnistModel(model: 'mlp' | 'cnn', work: string): Promise<MnistFixture> {
  const { modelJsonPath } = await train({ model, limit: 2000, epochs: 1, backend: 'wasm', quiet: true, out: path.join(work, model) });
  const onnxPath = path.join(work, `${model}.onnx`);
  await convertLayersModelToFile(modelJsonPath, onnxPath);
  const { test } = await loadDataset({ dataset: 'mnist' });
  return { onnxPath, test, input: normalizeImages(test, 1 / 255, 0) };
}

/** Probabilities of all test digits, BATCH at a time, on one session. */
export async function predictAll(model: Model, { test, input }: MnistFixture): Promise<Float32Array> {
  const [inputSpec] = model.inputs;
  const out = new Float32Array(test.count * 10);
  for (let start = 0; start < test.count; start += BATCH) {
    const count = Math.min(BATCH, test.count - start);
    const data = input.subarray(start * 784, (start + count) * 784);
    const result = await model.run({ [inputSpec!.name]: { type: 'float32', dims: [count, 28, 28, 1], data } });
    out.set(Object.values(result)[0]!.data as Float32Array, start * 10);
  }
  return out;
}

/** Top-1 agreement and the largest |Δp| of two probability sets of 10 classes per row. */
export function compareProbabilities(a: Float32Array, b: Float32Array): { top1Agreement: number; maxAbsDiff: number } {
  let agree = 0;
  let maxAbsDiff = 0;
  for (let row = 0; row < a.length / 10; row++) {
    let bestA = 0;
    let bestB = 0;
    for (let k = 0; k < 10; k++) {
      const i = row * 10 + k;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i]! - b[i]!));
      if (a[i]! > a[row * 10 + bestA]!) bestA = k;
      if (b[i]! > b[row * 10 + bestB]!) bestB = k;
    }
    if (bestA === bestB) agree++;
  }
  return { top1Agreement: agree / (a.length / 10), maxAbsDiff };
}

/** The model on WebGPU (SwiftShader) and on the CPU, over all test digits: the same top-1 everywhere, max |Δp| ≤ 1e-4. */
export async function expectWebGpuMatchesCpu(fixture: MnistFixture, webgpuOptions: LoadOptions = {}): Promise<void> {
  const gpu = await loadModel(fixture.onnxPath, { device: 'webgpu', ...webgpuOptions });
  const cpu = await loadModel(fixture.onnxPath, { device: 'cpu' });
  try {
    expect(gpu.placement).toMatchObject({
      device: 'webgpu',
      executionProvider: 'webgpu',
      runtime: 'onnxruntime-node',
      adapter: { name: 'SwiftShader driver 5.0.0', software: true },
    });
    const { top1Agreement, maxAbsDiff } = compareProbabilities(await predictAll(gpu, fixture), await predictAll(cpu, fixture));
    expect(top1Agreement).toBe(1);
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
  } finally {
    await Promise.all([gpu.dispose(), cpu.dispose()]);
  }
}
