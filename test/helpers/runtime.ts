/**
 * The devices the runtime's suites run every case on, and what each must report. WebGPU runs on
 * SwiftShader here (no GPU), so importing this points Dawn at it first.
 */
import { useSoftwareWebGpu } from './webgpu.ts';

/** The devices the suites run on in Node: onnxruntime-node's CPU and WebGPU (SwiftShader here), onnxruntime-web's WebAssembly. */
export const DEVICES = ['cpu', 'wasm', 'webgpu'] as const;
useSoftwareWebGpu();

/** What each device reports as its execution provider and package. */
export const RUNS_ON = {
  cpu: { executionProvider: 'cpu', runtime: 'onnxruntime-node' },
  wasm: { executionProvider: 'wasm', runtime: 'onnxruntime-web' },
  webgpu: { executionProvider: 'webgpu', runtime: 'onnxruntime-node' },
} as const;
