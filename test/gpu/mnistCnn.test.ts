/**
 * The CNN on WebGPU in Node (onnxruntime-node's WebGPU provider on SwiftShader, a software adapter:
 * this machine has no GPU) against the CPU on all 10,000 MNIST test digits. Its own file, so it
 * runs beside the rest of the suite: SwiftShader computes its convolutions on the CPU, about 30 ms
 * of CPU time per digit. It runs with the provider's NHWC layout (`webgpu.preferredLayout`), which
 * SwiftShader computes about 1.4× faster than the default NCHW; both agree with the CPU.
 */
import { loadModel } from '@tfjs-onnx/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tempDir.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';
import { compareProbabilities, predictAll, trainedMnistModel, type MnistFixture } from './mnist.ts';

useSoftwareWebGpu();
let cnn: MnistFixture;

beforeAll(async () => {
  cnn = await trainedMnistModel('cnn', tempDir('tfjs-onnx-gpu-cnn-'));
}, 300_000);

describe('the MNIST CNN on WebGPU in Node, against the CPU, on all 10,000 test digits', () => {
  it('gives the same top-1 on every digit, max |Δp| ≤ 1e-4', async () => {
    const gpu = await loadModel(cnn.onnxPath, { device: 'webgpu', webgpu: { preferredLayout: 'NHWC' } });
    const cpu = await loadModel(cnn.onnxPath, { device: 'cpu' });
    try {
      expect(gpu.placement).toMatchObject({ device: 'webgpu', executionProvider: 'webgpu', runtime: 'onnxruntime-node', adapter: { name: 'SwiftShader driver 5.0.0', software: true } });
      const { top1Agreement, maxAbsDiff } = compareProbabilities(await predictAll(gpu, cnn), await predictAll(cpu, cnn));
      expect(top1Agreement).toBe(1);
      expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
    } finally {
      await Promise.all([gpu.dispose(), cpu.dispose()]);
    }
  }, 1_800_000);
});
