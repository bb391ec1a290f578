/**
 * Typed errors of the runtime package. Messages are written for the person calling the API:
 * they say what was expected and what came, so a CLI or server can show them as they are.
 */

/** Base class: everything the runtime throws on purpose is a ClassifierError. */
export class ClassifierError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The model cannot be read, is not ONNX, is truncated, or onnxruntime refused it. */
export class ModelLoadError extends ClassifierError {}

/** The model loads but is not an image classifier we can drive (input/output signature, metadata). */
export class UnsupportedModelError extends ModelLoadError {}

/** An input given to classify() or predictBatch() has the wrong type, length, shape or values. */
export class RuntimeInputError extends ClassifierError {}

/** Image bytes that look like PNG or JPEG but cannot be decoded. */
export class ImageDecodeError extends RuntimeInputError {}

/** onnxruntime failed while running the model on valid input (a backend or model fault, not the caller's). */
export class InferenceError extends ClassifierError {}

/** An option passed to loadClassifier() or classify() has a value we cannot use. */
export class ClassifierOptionError extends ClassifierError {}

/** The requested backend does not exist in this environment (e.g. 'native' in a browser). */
export class BackendUnavailableError extends ClassifierError {}

/** CUDA was asked for, but onnxruntime-node's CUDA provider libraries (or a GPU) are missing. */
export class CudaUnavailableError extends BackendUnavailableError {}

/** The classifier was disposed; load a new one. */
export class ClassifierDisposedError extends ClassifierError {}

/** Short text for an unknown thrown value, used when wrapping onnxruntime's errors. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
