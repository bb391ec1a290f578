/**
 * Browser entry point: the wasm backend only, with onnxruntime-web's full build (WebAssembly and
 * WebGPU). It must not import onnxruntime-node, pngjs or any Node built-in; a test bundles it with
 * Vite to check. `@tfjs-onnx/runtime/wasm` is the same without WebGPU, for smaller bundles.
 */
import { browserPlatform } from './browser.js';
import { loadClassifierOn, type LoadClassifierOptions } from './classifier.js';
import { loadModelOn } from './model.js';
import type { Classifier, LoadOptions, Model, ModelSource } from './types.js';

const platform = browserPlatform({ load: () => import('onnxruntime-web'), webgpu: true, name: '@tfjs-onnx/runtime' });

/** Loads any ONNX model from a URL (relative to the page) or bytes, on WebAssembly (or WebGPU with device 'webgpu'/'auto'). */
export function loadModel(source: ModelSource, options?: LoadOptions): Promise<Model> {
  return loadModelOn(platform, source, options);
}

/** Loads an exported ONNX image classifier from a URL (relative to the page) or bytes. */
export function loadClassifier(source: ModelSource, options?: LoadClassifierOptions): Promise<Classifier> {
  return loadClassifierOn(platform, source, options);
}

export * from './exports.js';
