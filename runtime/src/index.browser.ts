/**
 * Browser entry point: the wasm backend only (onnxruntime-web, WebGPU when available). It must not
 * import onnxruntime-node, pngjs or any Node built-in; a test bundles it with Vite to check.
 */
import { loadClassifierOn, type Platform } from './classifier.js';
import { fetchModel, fromMemory, invalidSource } from './source.js';
import type { Classifier, LoadOptions, ModelSource } from './types.js';

const browserPlatform: Platform = {
  defaultBackend: 'wasm',
  backends: {
    wasm: async () => (await import('./backends/wasm.js')).createWasmEngine,
  },
  async readModel(source: ModelSource) {
    if (source instanceof Uint8Array || source instanceof ArrayBuffer) return fromMemory(source);
    if (source instanceof URL) return fetchModel(source.href);
    // fetch resolves relative URLs against the page, as users expect from a model path in a web app.
    if (typeof source === 'string') return fetchModel(source);
    throw invalidSource(source);
  },
};

/** Loads an exported ONNX image classifier from a URL or bytes, on WebGPU when available, else WebAssembly. */
export function loadClassifier(source: ModelSource, options?: LoadOptions): Promise<Classifier> {
  return loadClassifierOn(browserPlatform, source, options);
}

export * from './exports.js';
