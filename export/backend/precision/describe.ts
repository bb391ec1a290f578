/** One-line accounts of what a precision pass did, for the CLI's conversion report. */
import type { PrecisionSummary } from './index.ts';

export function describePrecision(summary: PrecisionSummary): string[] {
  if (summary.dtype === 'fp16') {
    const { float16Nodes, float32Ops, float16Initializers, float32Initializers } = summary.float16;
    // Grouped by the first (deciding) reason; the full list of reasons is in the summary.
    const groups = new Map<string, string[]>();
    for (const { opType, count, reasons } of float32Ops)
      groups.set(reasons[0], [...(groups.get(reasons[0]) ?? []), count > 1 ? `${opType} ×${count}` : opType]);
    const kept = [...groups].map(([reason, ops]) => `  ${ops.join(', ')}: ${reason}`);
    return [
      `fp16: ${float16Initializers} weights stored as float16${float32Initializers ? ` (${float32Initializers} kept float32)` : ''}, ${float16Nodes} nodes compute in float16${kept.length ? '; float32 compute kept for:' : ''}`,
      ...kept,
    ];
  }
  if (summary.dtype === 'q8') {
    const { quantizedMatMuls, quantizedWeightNodes, unchanged } = summary.quantization;
    return [
      `q8: ${quantizedMatMuls} MatMul/Gemm as dynamically quantized int8 matmuls, ${quantizedWeightNodes} Conv/Gather with int8 weights`,
      ...unchanged.map(({ opType, name, reason }) => `  ${opType} ${name} left float32: ${reason}`),
    ];
  }
  return [];
}
