/** The pipeline's `--variants` list: which reduced precisions to write and check beside fp32. */
import { VARIANT_FILES } from '@tfjs-onnx/runtime/constants';
import { InvalidOptionError } from '../../common/errors.ts';
import { DTYPES, parseDtypeList, type Dtype } from '../../export/backend/precision/dtype.ts';

export type VariantDtype = Exclude<Dtype, 'fp32'>;

const VARIANT_DTYPES = DTYPES.filter((dtype): dtype is VariantDtype => dtype !== 'fp32');

/** `fp16,q8`, `q8`, or `none`. */
export function parseVariantList(text: string): VariantDtype[] {
  if (text.trim() === 'none') return [];
  return validateVariants(parseDtypeList(text, '--variants'));
}

/** The list as the pipeline API takes it, checked: reduced precisions only, each once. */
export function validateVariants(variants: readonly unknown[]): VariantDtype[] {
  for (const variant of variants) {
    if (variant === 'fp32')
      throw new InvalidOptionError(
        `--variants lists the reduced precisions written beside ${VARIANT_FILES.fp32}; fp32 (${VARIANT_FILES.fp32}) is always written`,
      );
    if (!(VARIANT_DTYPES as readonly unknown[]).includes(variant)) {
      throw new InvalidOptionError(
        `--variants takes ${VARIANT_DTYPES.join(', ')} (comma-separated) or none; got ${JSON.stringify(variant)}`,
      );
    }
  }
  if (new Set(variants).size !== variants.length) throw new InvalidOptionError('--variants names a precision twice');
  return VARIANT_DTYPES.filter((dtype) => variants.includes(dtype));
}
