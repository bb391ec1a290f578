/**
 * Typed errors of the runtime package. Messages are written for the person calling the API:
 * they say what was expected and what came, so a CLI or server can show them as they are.
 */

/**
 * Base class: everything the runtime throws on purpose is a ClassifierError (loadModel's errors
 * too; the name predates loadModel). Each class spells out
 * its `name` because minifiers rename classes in browser bundles, and callers log `error.name`.
 */
export class ClassifierError extends Error {
  override name = 'ClassifierError';
}

/** The model cannot be read, is not ONNX, is truncated, or onnxruntime refused it. */
export class ModelLoadError extends ClassifierError {
  override name = 'ModelLoadError';
}

/** The model loads but is not an image classifier we can drive (input/output signature, metadata). */
export class UnsupportedModelError extends ModelLoadError {
  override name = 'UnsupportedModelError';
}

/** An input given to classify() or predictBatch() has the wrong type, length, shape or values. */
export class RuntimeInputError extends ClassifierError {
  override name = 'RuntimeInputError';
}

/** Image bytes that look like PNG or JPEG but cannot be decoded. */
export class ImageDecodeError extends RuntimeInputError {
  override name = 'ImageDecodeError';
}

/**
 * A picture larger (in pixels) or more elongated than the limits: refused from its header, before
 * any decoding, so a tiny hostile file cannot make the process allocate for a huge one.
 */
export class ImageSizeError extends RuntimeInputError {
  override name = 'ImageSizeError';
}

/** onnxruntime failed while running the model on valid input (a backend or model fault, not the caller's). */
export class InferenceError extends ClassifierError {
  override name = 'InferenceError';
}

/** An option passed to loadClassifier() or classify() has a value we cannot use. */
export class ClassifierOptionError extends ClassifierError {
  override name = 'ClassifierOptionError';
}

/** The requested backend does not exist in this environment (e.g. 'native' in a browser). */
export class BackendUnavailableError extends ClassifierError {
  override name = 'BackendUnavailableError';
}

/** CUDA was asked for, but onnxruntime-node's CUDA provider libraries (or a GPU) are missing. */
export class CudaUnavailableError extends BackendUnavailableError {
  override name = 'CudaUnavailableError';
}

/**
 * classifierFromModel was given something that is not a Model loaded by this copy of the package:
 * a plain object, another library's session, or a Model from a second installed copy.
 */
export class ForeignModelError extends ClassifierError {
  override name = 'ForeignModelError';
}

/** The classifier was disposed; load a new one. */
export class ClassifierDisposedError extends ClassifierError {
  override name = 'ClassifierDisposedError';
}

/**
 * Short text for an unknown thrown value, used when wrapping onnxruntime's errors. onnxruntime's
 * messages can span lines (a node's description, a stack of contexts): folded into one, since
 * ours are printed as one `error:` line.
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().replace(/\s*\n\s*/g, '; ');
}
