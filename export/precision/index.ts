/**
 * The precision back end: runs after the optimization passes on the built graph, whatever front
 * end built it (Layers models, GraphModels), and turns the float32 graph into the requested
 * precision. fp32 leaves the graph as it is.
 */
import type { GraphBuilder } from '../graph/graphBuilder.ts';
import type { Dtype } from './dtype.ts';
import { convertToFloat16, type Float16Summary } from './float16.ts';
import { copyGraph } from './graphCopy.ts';
import { quantizeToInt8, type QuantizeSummary } from './quantize.ts';

export { DEFAULT_DTYPE, DTYPES, DTYPE_DESCRIPTIONS, isDtype, parseDtypeList, validateDtype, variantPath, type Dtype } from './dtype.ts';
export type { Float16Summary } from './float16.ts';
export type { QuantizeSummary } from './quantize.ts';

export type PrecisionSummary = { dtype: 'fp32' } | { dtype: 'fp16'; float16: Float16Summary } | { dtype: 'q8'; quantization: QuantizeSummary };

/** The graph in the given precision: a converted copy, so the float32 graph can yield every variant. */
export function withPrecision(graph: GraphBuilder, dtype: Dtype): { graph: GraphBuilder; summary: PrecisionSummary } {
  if (dtype === 'fp32') return { graph, summary: { dtype } };
  const copy = copyGraph(graph);
  if (dtype === 'fp16') return { graph: copy, summary: { dtype, float16: convertToFloat16(copy) } };
  return { graph: copy, summary: { dtype, quantization: quantizeToInt8(copy) } };
}
