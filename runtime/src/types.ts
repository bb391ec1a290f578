/**
 * The public types of @tfjs-onnx/runtime. Every backend and every entry point shares them,
 * the way onnxruntime's js/common defines InferenceSession once for js/node and js/web.
 */

import type { Device, ElementType, ModelDtype, ResolvedDevice, RuntimePackage } from './constants.js';

export type { Device, ElementType, GpuDevice, ModelDtype, ResolvedDevice, RuntimePackage } from './constants.js';

/** A WebGPU adapter, as the runtime found it (Node: through the optional `webgpu` package; browsers: navigator.gpu). */
export interface GpuAdapterInfo {
  /** What the driver calls it: 'NVIDIA GeForce RTX 4090', 'SwiftShader driver 5.0.0', ... */
  name: string;
  vendor: string;
  architecture: string;
  /** A CPU implementation of the GPU API (SwiftShader, llvmpipe): correct, not fast; 'gpu' and 'auto' never pick one. */
  software: boolean;
  /** Whether shaders may compute in float16 (the `shader-f16` feature). */
  shaderF16: boolean;
}

/** Where a loaded model runs, and why there. */
export interface Placement {
  /** The device that was asked for ('auto', 'gpu', 'webgpu', ...). */
  requested: Device;
  /** The device it runs on. */
  device: ResolvedDevice;
  /** onnxruntime's execution provider it was given first ('cpu', 'webgpu', 'cuda', 'wasm', or an expert's choice). */
  executionProvider: string;
  /** The onnxruntime package running it. */
  runtime: RuntimePackage;
  /** The WebGPU adapter, on 'webgpu' when it could be named. */
  adapter?: GpuAdapterInfo;
  /**
   * One line saying why: "device 'webgpu' was asked for", or for 'gpu'/'auto' what each GPU
   * provider said, e.g. "webgpu: no adapter (install a GPU driver, or set VK_ICD_FILENAMES); fell back to cpu".
   */
  reason: string;
}

export type Layout = 'NHWC' | 'NCHW';
export type LogLevel = 'verbose' | 'info' | 'warning' | 'error' | 'fatal';

/** The array each ElementType is carried in; bool is 0/1 bytes, float16 the raw IEEE half bits. */
export interface TensorArrayMap {
  float32: Float32Array;
  float16: Uint16Array;
  float64: Float64Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
  string: string[];
}
export type TensorArray = TensorArrayMap[ElementType];

/** A model input or output as the ONNX graph declares it. */
export interface TensorSpec {
  name: string;
  type: ElementType;
  /** Declared dimensions; symbolic (e.g. batch) or unknown ones are null. */
  shape: (number | null)[];
}

/** What run() takes and returns: a plain typed array with its element type and dimensions. */
export interface TensorData {
  type: ElementType;
  dims: readonly number[];
  data: TensorArray;
}

export interface RunOptions {
  /** Names of the outputs to compute (default: all of them). */
  outputs?: readonly string[];
}

/** A loaded ONNX model, any inputs and outputs: a thin, typed layer over an onnxruntime InferenceSession. */
export interface Model {
  /** Where it actually runs (placement.device). */
  readonly device: ResolvedDevice;
  /** The device, execution provider, package and adapter it got, and why. */
  readonly placement: Placement;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** The ONNX model's metadata_props. */
  readonly metadata: ReadonlyMap<string, string>;
  /** From metadata `tfjs_onnx.dtype`; else the `dtype` that was asked for; else 'fp32'. */
  readonly dtype: ModelDtype;
  /** The onnxruntime InferenceSession (onnxruntime-node's or onnxruntime-web's), for experts. */
  readonly session: unknown;
  /**
   * Runs the model. Feeds are checked (names, types, dimensions, data length) before anything
   * reaches onnxruntime; values are not scanned (NaN goes through, as in onnxruntime).
   */
  run(feeds: Record<string, TensorData>, options?: RunOptions): Promise<Record<string, TensorData>>;
  /** Waits for queued runs, then releases the session. Later calls fail with DisposedError. */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** How 0–255 pixels become model input: `pixel * scale + offset`, in the given layout and size. */
export interface PreprocessSpec {
  layout: Layout;
  height: number;
  width: number;
  channels: number;
  scale: number;
  offset: number;
}

/** onnxruntime's own ExecutionProviderConfig: a provider name, or `{ name, ...providerOptions }`. */
export type ExecutionProviderConfig = string | { readonly name: string; readonly [option: string]: unknown };

/** Options of onnxruntime's WebGPU provider that the runtime passes on. */
export interface WebGpuOptions {
  /** Layout the provider runs layout-sensitive ops (Conv, pooling) in: onnxruntime's default is NCHW. */
  preferredLayout?: 'NCHW' | 'NHWC';
  /**
   * Browsers: which adapter navigator.gpu.requestAdapter picks (and onnxruntime-web then uses).
   * Node refuses it: onnxruntime-node chooses its adapter itself and takes no preference.
   */
  powerPreference?: 'high-performance' | 'low-power';
}

/** Options of onnxruntime-node's CUDA provider. */
export interface CudaOptions {
  /** Which GPU (CUDA device ordinal; default 0). */
  deviceId?: number;
}

export interface LoadOptions {
  /**
   * Where to run (default 'cpu'); the device implies the package. Node: 'cpu', 'webgpu', 'cuda',
   * 'dml', 'coreml' (onnxruntime-node), 'wasm' (onnxruntime-web). Browsers: 'webgpu', 'wasm' ('cpu'
   * is WebAssembly there). 'gpu': the first GPU provider that works; 'auto': 'gpu', else the CPU.
   */
  device?: Device;
  /** device 'webgpu' (and 'gpu'/'auto' when they land on it): the WebGPU provider's options. */
  webgpu?: WebGpuOptions;
  /** device 'cuda' (and 'gpu'/'auto' when they land on it): the CUDA provider's options. */
  cuda?: CudaOptions;
  /**
   * Which precision variant to load when `source` is a directory or a path: 'fp32' → model.onnx,
   * 'fp16' → model_fp16.onnx, 'q8' → model_quantized.onnx (beside the given file, or inside the
   * given directory). With bytes it is checked against the model's `tfjs_onnx.dtype` metadata.
   */
  dtype?: ModelDtype;
  /** onnxruntime's intra-op threads (0 lets onnxruntime choose); for wasm, the default of numThreads. */
  intraOpThreads?: number;
  interOpThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * wasm: WebAssembly threads (onnxruntime-web's `env.wasm.numThreads`; 1 = single-threaded). More
   * than 1 needs SharedArrayBuffer: always there in Node, in browsers only on cross-origin-isolated
   * pages. onnxruntime-web reads it once per process, when its first session starts.
   */
  numThreads?: number;
  /** wasm: where onnxruntime-web loads its .wasm/.mjs files from (`env.wasm.wasmPaths`): a URL prefix or a map. */
  wasmPaths?: string | Readonly<Record<string, string>>;
  /** onnxruntime's log level for this session (default 'error': its warnings are not the caller's). */
  logLevel?: LogLevel;
  /**
   * Experts: the execution providers, in priority order, instead of the one `device` picks;
   * `device` (not 'gpu' or 'auto') still picks the package.
   */
  executionProviders?: readonly ExecutionProviderConfig[];
  /** Experts: onnxruntime SessionOptions, applied last (over the options above). */
  sessionOptions?: Readonly<Record<string, unknown>>;
}

export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

export interface Classification {
  /** The top-k classes, most probable first. */
  top: Prediction[];
  /** The full probability vector (classCount values). */
  probabilities: Float32Array;
}

/** The structural part of a browser ImageData, so Node code can pass one too without DOM types. */
export interface ImageDataLike {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

/**
 * One input of classify():
 * - Uint8Array / Uint8ClampedArray: raw 0–255 pixels at the model's size, channels interleaved
 *   (height × width × channels, as images store them), one image or a batch; in Node, PNG or JPEG
 *   file bytes are recognized by their magic bytes and decoded, converted and resized.
 * - Float32Array: already-normalized model input in the model's own layout, one image or a batch.
 * - ImageDataLike (e.g. a canvas ImageData): RGBA at any size, converted and resized.
 * - a URL (string or URL) of a PNG/JPEG: fetched (in Node also a file path or file: URL, read);
 * - browsers also: Blob/File, HTMLImageElement, HTMLCanvasElement, ImageBitmap, OffscreenCanvas.
 */
export type ClassifierInput = Uint8Array | Uint8ClampedArray | Float32Array | ImageDataLike | BrowserImageSource;

/** The instance type of a global class when this program's lib declares it (DOM), else never. */
type GlobalInstance<Name extends string> = typeof globalThis extends { [K in Name]: { prototype: infer T } } ? T : never;

/**
 * Image sources classify() takes in browsers; in Node a string or URL names an image file (path,
 * file: or http(s) URL). Declared through globalThis so the types need no DOM lib in Node programs.
 */
export type BrowserImageSource =
  | GlobalInstance<'Blob'>
  | GlobalInstance<'HTMLImageElement'>
  | GlobalInstance<'HTMLCanvasElement'>
  | GlobalInstance<'ImageBitmap'>
  | GlobalInstance<'OffscreenCanvas'>
  | URL
  | string;

export interface ClassifyOptions {
  /** How many classes to return per image, most probable first (default 3, at most classCount). */
  topK?: number;
}

export interface Classifier {
  readonly device: ResolvedDevice;
  readonly placement: Placement;
  readonly inputName: string;
  readonly outputName: string;
  /** The model's input shape; symbolic (batch) dimensions are null. */
  readonly inputShape: (number | null)[];
  readonly imageSize: { height: number; width: number; channels: number; layout: Layout };
  readonly classCount: number;
  /** From the model's `tfjs_onnx.labels` metadata, else '0'..'N-1'. */
  readonly labels: string[];
  /** From the model's `tfjs_onnx.preprocess` metadata, else scale 1/255, offset 0. */
  readonly preprocess: PreprocessSpec;
  /** The general model underneath (inputs, outputs, metadata, dtype, session). */
  readonly model: Model;
  classify(input: ClassifierInput | ClassifierInput[], options?: ClassifyOptions): Promise<Classification[]>;
  /**
   * Raw fast path: `input` is already-normalized model input for `count` images in the model's
   * layout; returns count × classCount probabilities, row by row.
   */
  predictBatch(input: Float32Array, count: number): Promise<Float32Array>;
  /**
   * classify()'s first half, for callers that run the model themselves (a server's batching
   * queue, a worker): the input decoded, converted, resized and normalized exactly as classify()
   * does, as the feeds `model.run` takes. A model with a fixed batch size takes exactly that many images.
   */
  toFeeds(input: ClassifierInput | ClassifierInput[]): Promise<ClassifierFeeds>;
  /**
   * classify()'s second half: what `model.run` returned for toFeeds()' feeds (or for a batch of
   * them merged along the first axis) → one Classification per row. Non-finite probabilities fail
   * with an InferenceError, as in classify().
   */
  fromOutputs(outputs: Record<string, TensorData>, options?: ClassifyOptions): Classification[];
  /**
   * loadClassifier's classifier owns its model: this waits for queued calls, then releases the
   * session. classifierFromModel's borrows it: this retires the classifier and leaves the model
   * loaded (its owner disposes it). Either way later calls fail with DisposedError.
   */
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What toFeeds() returns: the model's one input, float32 [count, ...image dims], and the number of images. */
export interface ClassifierFeeds {
  feeds: Record<string, TensorData>;
  count: number;
}

export type ModelSource = string | URL | Uint8Array | ArrayBuffer;
