/**
 * Browser entry point: the wasm backend only, with onnxruntime-web's full build (WebAssembly and
 * WebGPU). It must not import onnxruntime-node, pngjs or any Node built-in; a test bundles it with
 * Vite to check. `@tfjs-onnx/runtime/wasm` is the same without WebGPU, for smaller bundles.
 * Sources are URLs (relative to the page) or bytes.
 */
import { browserPlatform } from './browser.js';
import { entryPoint } from './entry.js';

export const { loadModel, loadClassifier, classifierFromModel } = entryPoint(
  browserPlatform({ load: () => import('onnxruntime-web'), webgpu: true, name: '@tfjs-onnx/runtime' }),
);

export * from './exports.js';
