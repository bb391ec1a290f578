/**
 * The one small interface every onnxruntime package is driven through. The model core only talks to
 * this, like onnxruntime-common's Backend/SessionHandler: the core never imports a package.
 */
import type { EngineRequest } from '../devices/requests.js';
import type { ResolvedDevice, RuntimePackage, TensorData, TensorSpec } from '../types.js';

export interface InferenceEngine {
  readonly runtime: RuntimePackage;
  readonly device: ResolvedDevice;
  /** The execution provider the session was given first. */
  readonly executionProvider: string;
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

/** Creates an engine from validated ONNX bytes on a device its platform checked. */
export type EngineFactory = (request: EngineRequest) => Promise<InferenceEngine>;
