/**
 * The precision back end: runs after the optimization passes on the built graph, whatever front
 * end built it (Layers models, GraphModels), and turns the float32 graph into the requested
 * precision. fp32 leaves the graph as it is.
 */
import { InvalidOptionError } from '../../../common/errors.ts';
import type { GraphBuilder } from '../graph/graphBuilder.ts';
import type { Dtype } from './dtype.ts';
import { convertToFloat16, type Float16Summary } from './float16.ts';
import { copyGraph } from './graphCopy.ts';
import { DEFAULT_QUANTIZE_FORMS, quantizeToInt8, type QuantizeForms, type QuantizeSummary } from './quantize.ts';

export { DEFAULT_DTYPE, DTYPES, DTYPE_DESCRIPTIONS, isDtype, parseDtypeList, validateDtype, variantPath, type Dtype } from './dtype.ts';
export type { Float16Summary } from './float16.ts';
export { DEFAULT_QUANTIZE_FORMS, type QuantizeForms, type QuantizedForm, type QuantizeSummary } from './quantize.ts';

export type PrecisionSummary =
  | { dtype: 'fp32' }
  | { dtype: 'fp16'; float16: Float16Summary }
  | { dtype: 'q8'; quantization: QuantizeSummary };

/** The graph in the given precision: a converted copy, so the float32 graph can yield every variant. */
export function withPrecision(
  graph: GraphBuilder,
  dtype: Dtype,
  quantization: Partial<QuantizeForms> = {},
): { graph: GraphBuilder; summary: PrecisionSummary } {
  const forms = validateQuantizeForms(quantization);
  if (dtype === 'fp32') return { graph, summary: { dtype } };
  const copy = copyGraph(graph);
  if (dtype === 'fp16') return { graph: copy, summary: { dtype, float16: convertToFloat16(copy) } };
  return { graph: copy, summary: { dtype, quantization: quantizeToInt8(copy, forms) } };
}

const FORMS = ['integer', 'qdq', 'int8-weights'];

function validateQuantizeForms(partial: Partial<QuantizeForms>): QuantizeForms {
  const forms = { ...DEFAULT_QUANTIZE_FORMS, ...partial };
  for (const key of ['matMul', 'conv'] as const) {
    if (!FORMS.includes(forms[key]))
      throw new InvalidOptionError(`option quantization.${key} must be one of ${FORMS.join(', ')}, got ${JSON.stringify(forms[key])}`);
  }
  if (typeof forms.perChannel !== 'boolean')
    throw new InvalidOptionError(`option quantization.perChannel must be true or false, got ${JSON.stringify(forms.perChannel)}`);
  return forms;
}
