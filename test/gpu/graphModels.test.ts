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
import { loadModel } from '@tfjs-onnx/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { maxScaledDifference } from '../../bench/gpuCheck/measure.ts';
import { seededFeeds } from '../../bench/gpuCheck/models.ts';
import { NPM_GRAPH_MODELS, npmGraphModelPath } from '../../bench/models/npmGraphModels.ts';
import { convertModelToFile } from '../../export/index.ts';
import { removeTemporaryDirectories, temporaryDirectory } from '../export/harness.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';

useSoftwareWebGpu();
afterAll(removeTemporaryDirectories);

const ON_WEBGPU = ['blazeface', 'emotion', 'movenet-lightning', 'facemesh', 'iris', 'handlandmark-lite', 'antispoof', 'faceres'];
const TOLERANCE = 1e-3;

async function onBothDevices(onnxPath: string, range: [number, number], seed: number): Promise<number> {
  const gpu = await loadModel(onnxPath, { device: 'webgpu' });
  const cpu = await loadModel(onnxPath, { device: 'cpu' });
  try {
    expect(gpu.placement).toMatchObject({ device: 'webgpu', executionProvider: 'webgpu', adapter: { software: true, shaderF16: false } });
    const feeds = seededFeeds(cpu, 1, seed, range);
    return maxScaledDifference(await cpu.run(feeds), await gpu.run(feeds));
  } finally {
    await Promise.all([gpu.dispose(), cpu.dispose()]);
  }
}

describe(`real GraphModels from npm on WebGPU against the CPU (${ON_WEBGPU.length} models)`, () => {
  it.each(ON_WEBGPU)(
    '%s agrees within 1e-3 × max(1, max |expected|)',
    async (name) => {
      const model = NPM_GRAPH_MODELS.find((candidate) => candidate.name === name)!;
      const onnxPath = path.join(await temporaryDirectory(), `${name}.onnx`);
      await convertModelToFile(npmGraphModelPath(name), onnxPath);
      expect(await onBothDevices(onnxPath, model.inputRange, 40)).toBeLessThanOrEqual(TOLERANCE);
    },
    180_000,
  );

  it('the fp16 variant of a real model (iris) runs on the adapter without shader-f16 and agrees', async () => {
    const onnxPath = path.join(await temporaryDirectory(), 'iris_fp16.onnx');
    await convertModelToFile(npmGraphModelPath('iris'), onnxPath, { dtype: 'fp16' });
    expect(await onBothDevices(onnxPath, [0, 1], 41)).toBeLessThanOrEqual(TOLERANCE);
  }, 180_000);
});
