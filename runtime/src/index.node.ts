/**
 * Node entry point: both backends (native = onnxruntime-node, wasm = onnxruntime-web), PNG/JPEG
 * decoding, and image files by path. Backend packages are imported lazily, so using one never
 * loads (or needs) the other.
 */
import { importBackend } from './backends/load.js';
import { loadClassifierOn, type LoadClassifierOptions } from './classifier.js';
import { decodeImage } from './image/decode.js';
import { loadModelOn } from './model.js';
import type { Platform } from './platform.js';
import { readImageFile, readModelNode } from './source.node.js';
import type { Classifier, LoadOptions, Model, ModelSource } from './types.js';

const nodePlatform: Platform = {
  entry: '@tfjs-onnx/runtime (Node)',
  defaultBackend: 'native',
  backends: {
    native: () => importBackend('native', async () => (await import('./backends/native.js')).createNativeEngine),
    wasm: () =>
      importBackend('wasm', async () => {
        const { wasmEngineFactory } = await import('./backends/wasm.js');
        // Node resolves onnxruntime-web to its Node build (plain WebAssembly, loaded from the package).
        return wasmEngineFactory({ load: () => import('onnxruntime-web'), webgpu: false, name: 'onnxruntime-web in Node' });
      }),
  },
  readModel: readModelNode,
  decodeImage: (bytes, limits) => decodeImage(bytes, limits),
  readImage: readImageFile,
  imageInputs: 'PNG/JPEG bytes, or a file path or URL of a PNG/JPEG',
};

/** Loads any ONNX model from a path, URL, directory (with `dtype`) or bytes; the backend defaults to 'native'. */
export function loadModel(source: ModelSource, options?: LoadOptions): Promise<Model> {
  return loadModelOn(nodePlatform, source, options);
}

/** Loads an exported ONNX image classifier from a path, URL or bytes. The backend defaults to 'native'. */
export function loadClassifier(source: ModelSource, options?: LoadClassifierOptions): Promise<Classifier> {
  return loadClassifierOn(nodePlatform, source, options);
}

export { decodeImage } from './image/decode.js';
export * from './exports.js';
