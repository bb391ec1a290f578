/**
 * Real GraphModels from npm (@vladmandic/human's models/, a devDependency) on WebGPU in Node:
 * converted with our converter, then run on onnxruntime-node's WebGPU provider (SwiftShader here)
 * and on its CPU provider with the same seeded inputs; every output agrees within
 * 1e-3 × max(1, max |cpu|). Eight architectures: SSD-style detection, separable convolutions,
 * keypoint decoding with int32 input and GatherNd, PReLU regressors, inverted residuals, a small
 * CNN and depthwise-separable networks. centernet converts too, but takes SwiftShader about half a
 * minute per run: it is left to `npm run gpu-check`. The fp16 variant of a real model runs on an
 * adapter without shader-f16, since it computes in float32 (the documented fallback), and agrees.
 */
import path from 'node:path';
import { loadModel, type Model, type TensorData } from '@tfjs-onnx/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { NPM_GRAPH_MODELS, npmGraphModelPath } from '../../bench/models/npmGraphModels.ts';
import { convertModelToFile } from '../../export/index.ts';
import { createRandom } from '../../training/random.ts';
import { removeTemporaryDirectories, temporaryDirectory } from '../export/harness.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';

useSoftwareWebGpu();
afterAll(removeTemporaryDirectories);

const ON_WEBGPU = ['blazeface', 'emotion', 'movenet-lightning', 'facemesh', 'iris', 'handlandmark-lite', 'antispoof', 'faceres'];
const TOLERANCE = 1e-3;

/** Seeded inputs of the model's declared shapes (batch 1), in the range the model expects. */
function seededFeeds(model: Model, range: [number, number], seed: number): Record<string, TensorData> {
  const random = createRandom(seed);
  const [low, high] = range;
  return Object.fromEntries(
    model.inputs.map((input) => {
      const dims = input.shape.map((size) => size ?? 1);
      const length = dims.reduce((a, b) => a * b, 1);
      const values = Array.from({ length }, () => low + (high - low) * random());
      const data = input.type === 'int32' ? Int32Array.from(values, Math.floor) : Float32Array.from(values);
      return [input.name, { type: input.type, dims, data } as TensorData];
    }),
  );
}

/** Largest |webgpu − cpu| over every output, each scaled by max(1, max |cpu|). */
function scaledDifference(gpu: Record<string, TensorData>, cpu: Record<string, TensorData>): number {
  let worst = 0;
  for (const [name, expected] of Object.entries(cpu)) {
    const a = expected.data as ArrayLike<number>;
    const b = gpu[name]!.data as ArrayLike<number>;
    expect(b.length, name).toBe(a.length);
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

async function onBothDevices(onnxPath: string, range: [number, number], seed: number): Promise<number> {
  const gpu = await loadModel(onnxPath, { device: 'webgpu' });
  const cpu = await loadModel(onnxPath, { device: 'cpu' });
  try {
    expect(gpu.placement).toMatchObject({ device: 'webgpu', executionProvider: 'webgpu', adapter: { software: true, shaderF16: false } });
    const feeds = seededFeeds(cpu, range, seed);
    return scaledDifference(await gpu.run(feeds), await cpu.run(feeds));
  } finally {
    await Promise.all([gpu.dispose(), cpu.dispose()]);
  }
}

describe(`real GraphModels from npm on WebGPU against the CPU (${ON_WEBGPU.length} models)`, () => {
  it.each(ON_WEBGPU)('%s agrees within 1e-3 × max(1, max |expected|)', async (name) => {
    const model = NPM_GRAPH_MODELS.find((candidate) => candidate.name === name)!;
    const onnxPath = path.join(await temporaryDirectory(), `${name}.onnx`);
    await convertModelToFile(npmGraphModelPath(name), onnxPath);
    expect(await onBothDevices(onnxPath, model.inputRange, 40)).toBeLessThanOrEqual(TOLERANCE);
  }, 180_000);

  it('the fp16 variant of a real model (iris) runs on the adapter without shader-f16 and agrees', async () => {
    const onnxPath = path.join(await temporaryDirectory(), 'iris_fp16.onnx');
    await convertModelToFile(npmGraphModelPath('iris'), onnxPath, { dtype: 'fp16' });
    expect(await onBothDevices(onnxPath, [0, 1], 41)).toBeLessThanOrEqual(TOLERANCE);
  }, 180_000);
});
