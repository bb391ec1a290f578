import { describe, expect, it } from 'vitest';
import { missingCudaProvider } from '../../src/backends/native.ts';
import { executionProvidersFor } from '../../src/devices/providers.ts';
import { CudaUnavailableError, loadClassifier } from '../../src/index.node.ts';
import { buildTinyClassifier } from '../../../test/helpers/fixtures/models.ts';
import { expectError } from '../../../test/helpers/expectError.ts';
import { useSoftwareWebGpu } from '../../../test/helpers/webgpu.ts';

// WebGPU runs on SwiftShader here: point Dawn at it before the first session.
useSoftwareWebGpu();

const model = buildTinyClassifier({ inputShape: [null, 4, 4, 1], classCount: 3 });
// This machine and CI have no CUDA provider (onnxruntime-node's install script is not run), so these
// run there; where the provider is installed they do not apply, and the describe below says so.
const cudaMissing = missingCudaProvider() !== undefined;

describe('the provider list each device gives onnxruntime', () => {
  it('maps devices and their provider options, one provider each', () => {
    expect(executionProvidersFor('cpu', {})).toEqual(['cpu']);
    expect(executionProvidersFor('wasm', {})).toEqual(['wasm']);
    expect(executionProvidersFor('cuda', {})).toEqual([{ name: 'cuda' }]);
    expect(executionProvidersFor('cuda', { cuda: { deviceId: 1 } })).toEqual([{ name: 'cuda', deviceId: 1 }]);
    expect(executionProvidersFor('webgpu', {})).toEqual([{ name: 'webgpu' }]);
    expect(executionProvidersFor('webgpu', { webgpu: { preferredLayout: 'NHWC' } })).toEqual([{ name: 'webgpu', preferredLayout: 'NHWC' }]);
    expect(executionProvidersFor('dml', {})).toEqual(['dml']);
    expect(executionProvidersFor('coreml', {})).toEqual(['coreml']);
  });
});

describe.runIf(cudaMissing)('CUDA on a machine without it', () => {
  it("device 'cuda' fails with CudaUnavailableError saying how to install the provider", async () => {
    const error = await expectError(
      () => loadClassifier(model.bytes, { device: 'cuda' }),
      CudaUnavailableError,
      /^device 'cuda' cannot run here: onnxruntime-node's CUDA provider is not installed/,
    );
    expect(error.message).toContain('libonnxruntime_providers_cuda');
    expect(error.message).toContain('node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12');
    expect(error.message).toContain('device: "cpu"');
  });

  it("device 'auto' falls back to the CPU and says why CUDA was passed over", async () => {
    const classifier = await loadClassifier(model.bytes, { device: 'auto' });
    expect(classifier.device).toBe('cpu');
    expect(classifier.placement.reason).toMatch(
      /^auto: cuda: onnxruntime-node's CUDA provider is not installed \(no libonnxruntime_providers_cuda\.so in [^)]+\); .*fell back to cpu$/,
    );
    expect(await classifier.classify(new Uint8Array(16))).toHaveLength(1);
    await classifier.dispose();
  });
});
