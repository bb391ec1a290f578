/**
 * The WebAssembly backend: onnxruntime-web. In Node its package entry ('node' condition) loads the
 * .wasm from the installed package; in browsers the bundled entry references the .wasm through
 * `new URL(..., import.meta.url)`, which bundlers such as Vite emit as an asset. Nothing is ever
 * fetched from a CDN. In browsers with `navigator.gpu`, the WebGPU execution provider is preferred.
 */
import * as ort from 'onnxruntime-web';
import { ClassifierOptionError, describeError, ModelLoadError } from '../errors.js';
import type { LoadOptions } from '../types.js';
import type { EngineFactory, InferenceEngine } from './engine.js';
import { commonSessionOptions, sessionEngine } from './session.js';

export const createWasmEngine: EngineFactory = async (model, options, modelName) => {
  const device = options.device ?? 'auto';
  if (device === 'cuda') {
    throw new ClassifierOptionError("device 'cuda' needs the native backend; the wasm backend runs on 'cpu' (WebAssembly) or 'auto' (WebGPU when available)");
  }
  if (device !== 'cpu' && device !== 'auto') {
    throw new ClassifierOptionError(`device must be 'cpu' or 'auto' for the wasm backend, got '${String(device)}'`);
  }
  configureThreads(options.intraOpThreads);
  if (device === 'auto' && hasWebGpu()) {
    try {
      return await createSession(model, options, 'webgpu', modelName);
    } catch (error) {
      console.warn(`@tfjs-onnx/runtime: WebGPU is not usable, running on WebAssembly (${describeError(error)})`);
    }
  }
  return createSession(model, options, 'wasm', modelName);
};

function hasWebGpu(): boolean {
  return typeof navigator !== 'undefined' && 'gpu' in navigator && Boolean((navigator as { gpu?: unknown }).gpu);
}

/**
 * onnxruntime-web takes its thread count from the global `env.wasm.numThreads`, read once when the
 * WebAssembly module is first initialized, so only the first classifier's setting can apply.
 */
function configureThreads(intraOpThreads: number | undefined): void {
  if (intraOpThreads === undefined) return;
  ort.env.wasm.numThreads = intraOpThreads;
}

async function createSession(model: Uint8Array, options: LoadOptions, device: 'wasm' | 'webgpu', modelName: string): Promise<InferenceEngine> {
  try {
    const session = await ort.InferenceSession.create(model, { ...commonSessionOptions(options), executionProviders: [device] });
    return sessionEngine(session, ort.Tensor, 'wasm', device);
  } catch (error) {
    throw new ModelLoadError(`onnxruntime-web could not load ${modelName}: ${describeError(error)}`, { cause: error });
  }
}
