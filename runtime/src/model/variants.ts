/**
 * Precision variants side by side, the way JavaScript model hubs ship them (Transformers.js):
 * model.onnx (fp32), model_fp16.onnx, model_quantized.onnx. Given a directory, `dtype` picks the
 * file inside it; given a file or a base path, the file of that name with the variant's suffix.
 */
import { METADATA_DTYPE, VARIANT_FILES, VARIANT_SUFFIXES } from '../constants.js';
import { ModelLoadError } from '../errors.js';
import type { ModelDtype } from '../types.js';

/** 'mnist.onnx', 'mnist' or 'mnist_fp16.onnx' with dtype 'q8' → 'mnist_quantized.onnx'. */
export function variantFileName(fileName: string, dtype: ModelDtype): string {
  let base = fileName.toLowerCase().endsWith('.onnx') ? fileName.slice(0, -'.onnx'.length) : fileName;
  const suffix = Object.values(VARIANT_SUFFIXES).find((s) => s !== '' && base.endsWith(s));
  if (suffix) base = base.slice(0, -suffix.length);
  return `${base}${VARIANT_SUFFIXES[dtype]}.onnx`;
}

/**
 * The URL of the variant for a model URL: a URL ending in '/' is a directory. Query and fragment stay.
 * Relative URL strings stay relative (fetch resolves them against the page).
 */
export function variantUrl(url: string, dtype: ModelDtype | undefined): string {
  const cut = url.search(/[?#]/);
  const path = cut < 0 ? url : url.slice(0, cut);
  const rest = cut < 0 ? '' : url.slice(cut);
  if (path.endsWith('/')) return `${path}${VARIANT_FILES[dtype ?? 'fp32']}${rest}`;
  if (dtype === undefined) return url;
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}${variantFileName(path.slice(slash + 1), dtype)}${rest}`;
}

/**
 * The model's precision: its `tfjs_onnx.dtype` metadata, which must agree with a requested dtype;
 * without metadata (models from other exporters) the requested one, else fp32.
 */
export function modelDtype(metadata: ReadonlyMap<string, string>, requested: ModelDtype | undefined, modelName: string): ModelDtype {
  const declared = metadata.get(METADATA_DTYPE);
  if (declared === undefined) return requested ?? 'fp32';
  if (!(declared in VARIANT_SUFFIXES)) {
    throw new ModelLoadError(
      `${modelName}: metadata ${METADATA_DTYPE} is '${declared}'; this runtime knows ${Object.keys(VARIANT_SUFFIXES).join(', ')}`,
    );
  }
  if (requested !== undefined && requested !== declared) {
    throw new ModelLoadError(
      `${modelName} is the ${declared} variant (metadata ${METADATA_DTYPE}), but dtype '${requested}' was asked for`,
    );
  }
  return declared as ModelDtype;
}
