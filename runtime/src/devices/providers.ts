/**
 * The execution provider list onnxruntime gets for a device, with the provider options the load
 * options carry. One provider per device, listed alone: onnxruntime still places what that provider
 * cannot run on its CPU provider by itself, and a provider that cannot start fails loudly instead of
 * running silently on the CPU. A pure function, so the mapping is tested where the GPU is not.
 */
import type { ResolvedDevice } from '../constants.js';
import type { ExecutionProviderConfig, LoadOptions } from '../types.js';

export function executionProvidersFor(device: ResolvedDevice, options: LoadOptions): ExecutionProviderConfig[] {
  switch (device) {
    case 'cuda':
      return [{ name: 'cuda', ...(options.cuda?.deviceId !== undefined ? { deviceId: options.cuda.deviceId } : {}) }];
    case 'webgpu':
      return [
        { name: 'webgpu', ...(options.webgpu?.preferredLayout !== undefined ? { preferredLayout: options.webgpu.preferredLayout } : {}) },
      ];
    case 'cpu':
    case 'wasm':
    case 'dml':
    case 'coreml':
      return [device];
  }
}

/** The name of a provider config: 'cpu', or { name: 'webgpu', ... } → 'webgpu'. */
export function providerName(config: ExecutionProviderConfig): string {
  return typeof config === 'string' ? config : config.name;
}
