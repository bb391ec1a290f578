/**
 * The one small interface every backend implements. The classifier core only talks to this,
 * like onnxruntime-common's Backend/SessionHandler: the core never imports a backend package.
 */
import type { Backend, ExecutionDevice, LoadOptions } from '../types.js';

export interface TensorInfo {
  name: string;
  /** onnxruntime's element type name ('float32', ...), or undefined for non-tensor values. */
  type: string | undefined;
  /** Declared shape; symbolic or unknown dimensions are null. Empty when the model declares none. */
  shape: (number | null)[];
}

export interface EngineOutput {
  data: Float32Array;
  dims: readonly number[];
}

export interface InferenceEngine {
  readonly backend: Backend;
  readonly device: ExecutionDevice;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** Runs one float32 input and returns one float32 output. Callers serialize calls. */
  run(inputName: string, data: Float32Array, dims: readonly number[], outputName: string): Promise<EngineOutput>;
  release(): Promise<void>;
}

/** Creates an engine from validated ONNX bytes; `modelName` is for error messages. */
export type EngineFactory = (model: Uint8Array, options: LoadOptions, modelName: string) => Promise<InferenceEngine>;
