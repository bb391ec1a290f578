/**
 * The runtime's backend-free facts: the device vocabulary, which onnxruntime package runs each
 * device, the precisions, the defaults. This module imports nothing (no onnxruntime, no Node
 * built-ins), so a CLI's --help, a server's option parser or a web page can read it without
 * loading a backend; it is the package's `@tfjs-onnx/runtime/constants` entry.
 *
 * One word, `device`, decides where a model runs, and the device implies the package
 * (Transformers.js' convention):
 * - in Node, 'cpu', 'webgpu', 'cuda', 'dml' and 'coreml' run on onnxruntime-node, 'wasm' on onnxruntime-web;
 * - in browsers, 'webgpu' and 'wasm' run on onnxruntime-web ('cpu' there means WebAssembly);
 * - 'gpu' is the first GPU provider that works here; 'auto' is 'gpu' if one works, else the CPU.
 */

/** Every device a caller may ask for. */
export const DEVICES = ['cpu', 'wasm', 'webgpu', 'cuda', 'dml', 'coreml', 'gpu', 'auto'] as const;
export type Device = (typeof DEVICES)[number];

/** The devices a model can actually run on (what 'gpu' and 'auto' resolve to). */
export type ResolvedDevice = Exclude<Device, 'gpu' | 'auto'>;

/** The GPU devices, in the order 'gpu' and 'auto' try them: CUDA where its libraries load, then WebGPU, then DirectML / CoreML. */
export const GPU_DEVICES = ['cuda', 'webgpu', 'dml', 'coreml'] as const satisfies readonly ResolvedDevice[];
export type GpuDevice = (typeof GPU_DEVICES)[number];

/** The onnxruntime package that runs a device. */
export type RuntimePackage = 'onnxruntime-node' | 'onnxruntime-web';

/** Devices each environment runs, and the package each uses there. */
export const NODE_DEVICE_PACKAGES: Readonly<Record<ResolvedDevice, RuntimePackage>> = {
  cpu: 'onnxruntime-node',
  wasm: 'onnxruntime-web',
  webgpu: 'onnxruntime-node',
  cuda: 'onnxruntime-node',
  dml: 'onnxruntime-node',
  coreml: 'onnxruntime-node',
};
export const BROWSER_DEVICE_PACKAGES: Readonly<Partial<Record<ResolvedDevice, RuntimePackage>>> = {
  wasm: 'onnxruntime-web',
  webgpu: 'onnxruntime-web',
};

/** One line per device, for --help texts and documentation tables. */
export const DEVICE_DESCRIPTIONS: Readonly<Record<Device, string>> = {
  cpu: "the CPU: onnxruntime-node's CPU provider (in browsers: WebAssembly)",
  wasm: "WebAssembly: onnxruntime-web's wasm provider, in Node and in browsers",
  webgpu: "WebGPU: onnxruntime-node's WebGPU provider in Node (Dawn over Vulkan, D3D12 or Metal), onnxruntime-web's in browsers",
  cuda: "NVIDIA CUDA: onnxruntime-node's CUDA provider (Linux x64 and Windows; its libraries are an opt-in install)",
  dml: "DirectML: onnxruntime-node's DirectML provider (Windows)",
  coreml: "CoreML: onnxruntime-node's CoreML provider (macOS)",
  gpu: 'the first GPU provider that works here: cuda, then webgpu, then dml or coreml; never a software adapter',
  auto: "'gpu' where one works, else the CPU; never fails where the CPU works",
};

export const DEFAULT_DEVICE: Device = 'cpu';

/** The precision variants of an exported model (metadata `tfjs_onnx.dtype`). */
export const DTYPES = ['fp32', 'fp16', 'q8'] as const;
export type ModelDtype = (typeof DTYPES)[number];

/** WebGPU provider options the runtime passes on (`webgpu` load option). */
export const WEBGPU_LAYOUTS = ['NCHW', 'NHWC'] as const;
export const WEBGPU_POWER_PREFERENCES = ['high-performance', 'low-power'] as const;
