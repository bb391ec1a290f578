/**
 * The CNN on WebGPU in Node (onnxruntime-node's WebGPU provider on SwiftShader, a software adapter:
 * this machine has no GPU) against the CPU on all 10,000 MNIST test digits. Its own file, so it
 * runs beside the rest of the suite: SwiftShader computes its convolutions on the CPU, about 30 ms
 * of CPU time per digit. It runs with the provider's NHWC layout (`webgpu.preferredLayout`), which
 * SwiftShader computes about 1.4× faster than the default NCHW; both agree with the CPU.
 */
import { beforeAll, describe, it } from 'vitest';
import { tempDir } from '../helpers/tempDir.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';
import { expectWebGpuMatchesCpu, trainedMnistModel, type MnistFixture } from './mnist.ts';

useSoftwareWebGpu();
let cnn: MnistFixture;

beforeAll(async () => {
  cnn = await trainedMnistModel('cnn', tempDir('tfjs-onnx-gpu-cnn-'));
}, 300_000);

describe('the MNIST CNN on WebGPU in Node, against the CPU, on all 10,000 test digits', () => {
  it('gives the same top-1 on every digit, max |Δp| ≤ 1e-4', async () => {
    await expectWebGpuMatchesCpu(cnn, { webgpu: { preferredLayout: 'NHWC' } });
  }, 1_800_000);
});
