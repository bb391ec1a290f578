/**
 * The precision vocabulary shared by the converter, the CLI, the pipeline and (by the same names)
 * the runtime: Transformers.js's `dtype` names and its file naming for several precisions of one
 * model side by side (model.onnx, model_fp16.onnx, model_quantized.onnx).
 */
import { DTYPES, VARIANT_SUFFIXES, type ModelDtype } from '@tfjs-onnx/runtime/constants';
import { InvalidOptionError } from '../../../common/errors.ts';

export { DTYPES };
/** A precision: the runtime's ModelDtype, by the name the converter's options use. */
export type Dtype = ModelDtype;

export const DEFAULT_DTYPE: Dtype = 'fp32';

/** What each precision stores and computes, for help texts and the README. */
export const DTYPE_DESCRIPTIONS: Record<Dtype, string> = {
  fp32: 'float32 weights and compute (the exact conversion)',
  fp16: 'float16 weights; compute in float16 where onnxruntime has the kernel, float32 elsewhere',
  q8: 'int8 weights; MatMul/Gemm as dynamically quantized integer matmuls',
};

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/** A single precision, validated (the library option `dtype`). */
export function validateDtype(value: unknown, where = 'option dtype'): Dtype {
  if (value === undefined) return DEFAULT_DTYPE;
  if (!isDtype(value)) throw new InvalidOptionError(`${where} must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A comma-separated list such as `fp32,fp16,q8` (the CLI's `--dtype`): each name once, in the
 * canonical order fp32, fp16, q8 whatever order they were given in.
 */
export function parseDtypeList(text: string, where = '--dtype'): Dtype[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === ''))
    throw new InvalidOptionError(`${where} takes a comma-separated list of ${DTYPES.join(', ')}, got "${text}"`);
  const unknown = names.filter((name) => !isDtype(name));
  if (unknown.length > 0)
    throw new InvalidOptionError(`${where} takes ${DTYPES.join(', ')} (comma-separated); "${unknown[0]}" is not one of them`);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) throw new InvalidOptionError(`${where} names ${repeated} twice`);
  return DTYPES.filter((dtype) => names.includes(dtype));
}

/**
 * Where a precision's file goes when several are written together: the fp32 model keeps the given
 * path, the others sit beside it with the model hubs' suffixes (model.onnx → model_fp16.onnx,
 * model_quantized.onnx).
 */
export function variantPath(fp32Path: string, dtype: Dtype): string {
  if (dtype === 'fp32') return fp32Path;
  const stem = fp32Path.toLowerCase().endsWith('.onnx') ? fp32Path.slice(0, -'.onnx'.length) : fp32Path;
  return `${stem}${VARIANT_SUFFIXES[dtype]}.onnx`;
}
