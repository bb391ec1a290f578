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

/**
 * The file each precision variant has inside a model directory, the way JavaScript model hubs
 * ship them (Transformers.js): written by export, found by the runtime, served by the server.
 */
export const VARIANT_FILES: Readonly<Record<ModelDtype, string>> = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
};

/** What each precision adds to a file name's stem (VARIANT_FILES' naming applied to any name: mnist.onnx → mnist_fp16.onnx). */
export const VARIANT_SUFFIXES: Readonly<Record<ModelDtype, string>> = { fp32: '', fp16: '_fp16', q8: '_quantized' };

/** The prefix of every ONNX metadata_props key tfjs-onnx writes. */
export const METADATA_PREFIX = 'tfjs_onnx.';
/** The class names, a JSON array of strings. */
export const METADATA_LABELS = 'tfjs_onnx.labels';
/** How 0–255 pixels become model input (JSON: layout, height, width, channels, scale, offset). */
export const METADATA_PREPROCESS = 'tfjs_onnx.preprocess';
/** The precision variant: one of DTYPES. */
export const METADATA_DTYPE = 'tfjs_onnx.dtype';
/** The sha256 of the tfjs model.json the ONNX file was converted from. */
export const METADATA_SOURCE_SHA256 = 'tfjs_onnx.source_sha256';
/** The tfjs format converted from: one of SOURCE_FORMATS. */
export const METADATA_SOURCE_FORMAT = 'tfjs_onnx.source_format';
export const SOURCE_FORMATS = ['layers-model', 'graph-model'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** How many classes a classification returns when not told (the CLI's predict, the server's /classify, the demo). */
export const DEFAULT_TOP_K = 3;

/**
 * Bounds on the pictures accepted, read from the image header before anything is decoded:
 * 50 megapixels is a high-end camera's full frame (about 200 MB once decoded to RGBA); 100:1
 * leaves room for any panorama or strip while refusing 1×49,000,000-pixel bombs, whose resize
 * weights alone would take gigabytes.
 */
export const DEFAULT_IMAGE_LIMITS = Object.freeze({ maxMegapixels: 50, maxAspectRatio: 100 });

/** The magic bytes encoded images start with: the formats the runtime and the server decode. */
export const IMAGE_MAGIC_BYTES = Object.freeze({
  png: Object.freeze([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  jpeg: Object.freeze([0xff, 0xd8, 0xff]),
});
export type ImageFormat = keyof typeof IMAGE_MAGIC_BYTES;

/** Every tensor element type onnxruntime's JavaScript API can feed and fetch. */
export const ELEMENT_TYPES = [
  'float32',
  'float16',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
  'string',
] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];

/** This package's version (checked against runtime/package.json by the tests). */
export const RUNTIME_VERSION = '0.1.0';

/**
 * How every part of the project writes a shape: `[N, 28, 28, 1]`-style lists where an unknown or
 * symbolic dimension (null, or negative as ONNX and Triton write it) prints as -1, the spelling of
 * ONNX, Triton's model configuration and the v2 protocol's metadata.
 */
export function formatShape(shape: readonly (number | null | undefined)[]): string {
  return `[${shape.map((d) => (d === null || d === undefined || d < 0 ? '-1' : String(d))).join(', ')}]`;
}
