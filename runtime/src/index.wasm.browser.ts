/**
 * `@tfjs-onnx/runtime/wasm` in browsers: like the main browser entry, but with onnxruntime-web's
 * plain WebAssembly build (`onnxruntime-web/wasm`), whose .wasm is about half the size of the
 * WebGPU build's. device 'webgpu' is refused with a message naming the main entry.
 */
import { browserPlatform } from './browser.js';
import { loadClassifierOn, type LoadClassifierOptions } from './classifier.js';
import { loadModelOn } from './model.js';
import type { Classifier, LoadOptions, Model, ModelSource } from './types.js';

const platform = browserPlatform({ load: () => import('onnxruntime-web/wasm'), webgpu: false, name: '@tfjs-onnx/runtime/wasm' });

/** Loads any ONNX model from a URL (relative to the page) or bytes, on WebAssembly. */
export function loadModel(source: ModelSource, options?: LoadOptions): Promise<Model> {
  return loadModelOn(platform, source, options);
}

/** Loads an exported ONNX image classifier from a URL (relative to the page) or bytes, on WebAssembly. */
export function loadClassifier(source: ModelSource, options?: LoadClassifierOptions): Promise<Classifier> {
  return loadClassifierOn(platform, source, options);
}

export * from './exports.js';
