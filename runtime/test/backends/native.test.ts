import { afterEach, describe, expect, it, vi } from 'vitest';
import { missingCudaProvider } from '../../src/backends/native.ts';
import { CudaUnavailableError, loadClassifier } from '../../src/index.node.ts';
import { buildTinyClassifier } from '../fixtures/models.ts';
import { expectError } from '../helpers.ts';

const model = buildTinyClassifier({ inputShape: [null, 4, 4, 1], classCount: 3 });
// This machine has no CUDA provider (onnxruntime-node's install script is not run); skip where it is installed.
const cudaMissing = missingCudaProvider() !== undefined;

afterEach(() => {
  vi.restoreAllMocks();
});

describe.runIf(cudaMissing)('CUDA on a machine without it', () => {
  it("device 'cuda' fails with CudaUnavailableError saying how to install the provider", async () => {
    const error = await expectError(() => loadClassifier(model.bytes, { device: 'cuda' }), CudaUnavailableError, /CUDA was requested/);
    expect(error.message).toContain('libonnxruntime_providers_cuda');
    expect(error.message).toContain('node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12');
    expect(error.message).toContain('device: "cpu"');
  });

  it("device 'auto' falls back to CPU with a one-line warning", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const classifier = await loadClassifier(model.bytes, { device: 'auto' });
    expect(classifier.device).toBe('cpu');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^@tfjs-onnx\/runtime: CUDA is not available, running on CPU \([^\n]+\)$/);
    expect(await classifier.classify(new Uint8Array(16))).toHaveLength(1);
    await classifier.dispose();
  });
});
