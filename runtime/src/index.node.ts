/**
 * Node entry point: both backends (native = onnxruntime-node, wasm = onnxruntime-web) and PNG/JPEG
 * decoding. Backend packages are imported lazily, so using one never loads the other.
 */
import { loadClassifierOn, type Platform } from './classifier.js';
import { BackendUnavailableError, describeError } from './errors.js';
import { decodeImage } from './image/decode.js';
import { readModelNode } from './source.node.js';
import type { Classifier, LoadOptions, ModelSource } from './types.js';
import type { EngineFactory } from './backends/engine.js';

async function importBackend(load: () => Promise<EngineFactory>, pkg: string): Promise<EngineFactory> {
  try {
    return await load();
  } catch (error) {
    throw new BackendUnavailableError(`${pkg} cannot be loaded here (${describeError(error)}); reinstall it or choose the other backend`, { cause: error });
  }
}

const nodePlatform: Platform = {
  defaultBackend: 'native',
  backends: {
    native: () => importBackend(async () => (await import('./backends/native.js')).createNativeEngine, 'onnxruntime-node'),
    wasm: () => importBackend(async () => (await import('./backends/wasm.js')).createWasmEngine, 'onnxruntime-web'),
  },
  readModel: readModelNode,
  decodeImage,
};

/** Loads an exported ONNX image classifier from a path, URL or bytes. The backend defaults to 'native'. */
export function loadClassifier(source: ModelSource, options?: LoadOptions): Promise<Classifier> {
  return loadClassifierOn(nodePlatform, source, options);
}

export * from './exports.js';
