/**
 * Typed errors of the runtime package. Messages are written for the person calling the API:
 * they say what was expected and what came, so a CLI or server can show them as they are.
 */

/**
 * Base class: everything the runtime throws on purpose, from loadModel, loadClassifier and what
 * they return, is a TfjsOnnxRuntimeError. Named after the package (@tfjs-onnx/runtime) rather than
 * plain `RuntimeError`, which is what WebAssembly traps inside onnxruntime-web throw
 * (`WebAssembly.RuntimeError`) and so would read as a crash in a log, and rather than anything
 * `Ort…`, which would pass for onnxruntime's own. Each class spells out its `name` because
 * minifiers rename classes in browser bundles, and callers log `error.name`.
 */
export class TfjsOnnxRuntimeError extends Error {
  override name = 'TfjsOnnxRuntimeError';
}

/** The model cannot be read, is not ONNX, is truncated, or onnxruntime refused it. */
export class ModelLoadError extends TfjsOnnxRuntimeError {
  override name = 'ModelLoadError';
}

/** The model loads but is not an image classifier we can drive (input/output signature, metadata). */
export class UnsupportedModelError extends ModelLoadError {
  override name = 'UnsupportedModelError';
}

/** An input given to classify() or predictBatch() has the wrong type, length, shape or values. */
export class RuntimeInputError extends TfjsOnnxRuntimeError {
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
export class InferenceError extends TfjsOnnxRuntimeError {
  override name = 'InferenceError';
}

/** An option passed to loadModel(), loadClassifier(), classify() or predictBatch() has a value we cannot use. */
export class RuntimeOptionError extends TfjsOnnxRuntimeError {
  override name = 'RuntimeOptionError';
}

/** The requested device cannot run here: its onnxruntime package is missing or does not load, it does not exist in this environment, or it has no usable adapter. */
export class BackendUnavailableError extends TfjsOnnxRuntimeError {
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
export class ForeignModelError extends TfjsOnnxRuntimeError {
  override name = 'ForeignModelError';
}

/** The model or classifier was disposed; load a new one. */
export class DisposedError extends TfjsOnnxRuntimeError {
  override name = 'DisposedError';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: describeError turns them into spaces so a message stays one printable line
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/**
 * Short, user-facing text for an unknown thrown value (the cause of a wrapped error), on one line,
 * since messages are printed as one `error:` line: onnxruntime's span lines (a node's description,
 * a stack of contexts), which become '; '-separated clauses; other control characters (JSON.parse
 * quotes the bad input's) become spaces. The project's one describeError: common/errors.ts
 * re-exports it through this package's `errors` entry.
 */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .trim()
    .replace(/\s*\n\s*/g, '; ')
    .replace(CONTROL_CHARACTERS, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}
