/**
 * Node entry point: onnxruntime-node (cpu, webgpu, cuda, dml, coreml) and onnxruntime-web (wasm),
 * PNG/JPEG decoding, and image files by path. The packages are imported lazily, so using one never
 * loads (or needs) the other.
 */
import { availableParallelism } from 'node:os';
import { importRuntime } from './backends/load.js';
import { NODE_DEVICE_PACKAGES } from './constants.js';
import { checkNodeDevice, nodeGpuDevices } from './devices/node.js';
import { entryPoint } from './entry.js';
import { decodeImage } from './image/decode.js';
import type { Platform } from './platform.js';
import { readImageFile, readModelNode } from './source.node.js';

const nodePlatform: Platform = {
  entry: '@tfjs-onnx/runtime (Node)',
  devicePackages: NODE_DEVICE_PACKAGES,
  cpuDevice: 'cpu',
  runtimes: {
    'onnxruntime-node': () =>
      importRuntime('onnxruntime-node', async () => {
        const { createNativeEngine, loadOnnxruntimeNode } = await import('./backends/native.js');
        await loadOnnxruntimeNode();
        return createNativeEngine;
      }),
    'onnxruntime-web': () =>
      importRuntime('onnxruntime-web', async () => {
        const { wasmEngineFactory } = await import('./backends/wasm.js');
        // Node resolves onnxruntime-web to its Node build (plain WebAssembly, loaded from the package).
        // Its own default is half the cores (a browser page keeps the rest for its main thread), which
        // is one thread on two cores; in Node a thread per core (up to 4) is 1.2–1.5× faster for
        // the MNIST models at every batch size, and is what onnxruntime-node does natively.
        const build = {
          load: () => import('onnxruntime-web'),
          webgpu: false,
          name: 'onnxruntime-web in Node',
          defaultThreads: nodeWasmThreads,
        };
        await build.load();
        return wasmEngineFactory(build);
      }),
  },
  checkDevice: checkNodeDevice,
  gpuDevices: nodeGpuDevices,
  readModel: readModelNode,
  decodeImage: (bytes, limits) => decodeImage(bytes, limits),
  readImage: readImageFile,
  imageInputs: 'PNG/JPEG bytes, or a file path or URL of a PNG/JPEG',
};

function nodeWasmThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** Sources are paths, file: or http(s) URLs, directories (with `dtype`) or bytes; the device defaults to 'cpu' (onnxruntime-node). */
export const { loadModel, loadClassifier, classifierFromModel } = entryPoint(nodePlatform);

export { decodeImage } from './image/decode.js';
export * from './exports.js';
