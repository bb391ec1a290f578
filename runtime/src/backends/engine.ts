/**
 * The one small interface every backend implements. The model core only talks to this, like
 * onnxruntime-common's Backend/SessionHandler: the core never imports a backend package.
 */
import type { Backend, Device, ExecutionDevice, LoadOptions, TensorData, TensorSpec } from '../types.js';

export interface InferenceEngine {
  readonly backend: Backend;
  readonly device: ExecutionDevice;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** The onnxruntime InferenceSession underneath. */
  readonly session: unknown;
  /** Whether runs must not overlap (onnxruntime-web's sessions cannot run twice at once). */
  readonly serialRuns: boolean;
  /** Runs feeds already checked against `inputs`; returns the `fetches` outputs. */
  run(feeds: Record<string, TensorData>, fetches: readonly string[]): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/** Creates an engine from validated ONNX bytes on the resolved device; `modelName` is for messages. */
export type EngineFactory = (model: Uint8Array, options: LoadOptions, device: Device, modelName: string) => Promise<InferenceEngine>;
