/**
 * `@tfjs-onnx/runtime/wasm` in browsers: like the main browser entry, but with onnxruntime-web's
 * plain WebAssembly build (`onnxruntime-web/wasm`), whose .wasm is about half the size of the
 * WebGPU build's. device 'webgpu' is refused with a message naming the main entry.
 */
import { browserPlatform } from './browser.js';
import { entryPoint } from './entry.js';

export const { loadModel, loadClassifier, classifierFromModel } = entryPoint(
  browserPlatform({ load: () => import('onnxruntime-web/wasm'), webgpu: false, name: '@tfjs-onnx/runtime/wasm' }),
);

export * from './exports.js';
