/**
 * The public types of @tfjs-onnx/runtime. Every backend and every entry point shares them,
 * the way onnxruntime's js/common defines InferenceSession once for js/node and js/web.
 */

export type Backend = 'native' | 'wasm';
export type Device = 'cpu' | 'cuda' | 'auto';
/** The execution provider a classifier actually runs on. */
export type ExecutionDevice = 'cpu' | 'cuda' | 'wasm' | 'webgpu';
export type Layout = 'NHWC' | 'NCHW';

/** How 0–255 pixels become model input: `pixel * scale + offset`, in the given layout and size. */
export interface PreprocessSpec {
  layout: Layout;
  height: number;
  width: number;
  channels: number;
  scale: number;
  offset: number;
}

export interface LoadOptions {
  /** 'native' (onnxruntime-node, Node only; the default there) or 'wasm' (onnxruntime-web; the only one in browsers). */
  backend?: Backend;
  /**
   * native: 'cpu' (default), 'cuda' (fails with CudaUnavailableError without the CUDA provider),
   * 'auto' (CUDA when available, else CPU with a warning).
   * wasm: 'auto' (default: WebGPU when `navigator.gpu` exists, else wasm) or 'cpu' (always wasm).
   */
  device?: Device;
  intraOpThreads?: number;
  interOpThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
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
 */
export type ClassifierInput = Uint8Array | Uint8ClampedArray | Float32Array | ImageDataLike;

export interface ClassifyOptions {
  /** How many classes to return per image, most probable first (default 3, at most classCount). */
  topK?: number;
}

export interface Classifier {
  readonly backend: Backend;
  readonly device: ExecutionDevice;
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
  classify(input: ClassifierInput | ClassifierInput[], options?: ClassifyOptions): Promise<Classification[]>;
  /**
   * Raw fast path: `input` is already-normalized model input for `count` images in the model's
   * layout; returns count × classCount probabilities, row by row.
   */
  predictBatch(input: Float32Array, count: number): Promise<Float32Array>;
  /** Waits for queued calls, then releases the session. Later calls fail with ClassifierDisposedError. */
  dispose(): Promise<void>;
}

export type ModelSource = string | URL | Uint8Array | ArrayBuffer;
