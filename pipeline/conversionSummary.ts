/** The printed form of a conversion: what each layer (or TF name scope) became, the I/O signature, opset and size. */
import { formatBytes } from '../common/format.ts';
import type { ConversionSummary } from '../export/index.ts';
import { describePrecision } from '../export/backend/precision/describe.ts';

/**
 * "3 layers became 5 ONNX nodes": the layers the model defines (not the InputLayer that a
 * Sequential model declares implicitly, which computes nothing) and the nodes made from them; any
 * node no layer accounts for is counted apart, so both numbers count what the sentence says.
 */
export function describeConversion(summary: Pick<ConversionSummary, 'layers' | 'nodeCount'>): string {
  const layers = summary.layers.filter((layer) => layer.className !== 'InputLayer' || layer.onnxNodes.length > 0);
  const fromLayers = layers.reduce((sum, layer) => sum + layer.onnxNodes.length, 0);
  const outside = summary.nodeCount - fromLayers;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${plural(layers.length, 'layer')} became ${plural(fromLayers, 'ONNX node')}${outside > 0 ? `, plus ${outside} outside any layer` : ''}`;
}

/** Tensors as `name [sizes]`, symbolic sizes by their name: `input [batch, 28, 28, 1]`. */
export function describeSignature(tensors: ConversionSummary['inputs']): string {
  return tensors.map((tensor) => `${tensor.name} [${tensor.shape.join(', ')}]`).join(', ');
}

/** The printed report: each layer and the ONNX nodes it became, the I/O signature, opset and size. */
export function formatConversionSummary(onnxPath: string, summary: ConversionSummary & { fileBytes: number }): string {
  // A GraphModel's units are TF name scopes and the ops in each; a Layers model's are its layers.
  const [unit, kind] = summary.sourceFormat === 'graph-model' ? ['scope', 'TF ops'] : ['layer', 'class'];
  const nameWidth = Math.max(unit.length, ...summary.layers.map((layer) => layer.name.length));
  const classWidth = Math.max(kind.length, ...summary.layers.map((layer) => layer.className.length));
  const rows = summary.layers.map(
    (layer) =>
      `  ${layer.name.padEnd(nameWidth)}  ${layer.className.padEnd(classWidth)}  ${layer.onnxNodes.length ? layer.onnxNodes.join(', ') : '(no nodes)'}`,
  );
  return [
    summary.sourceFormat === 'graph-model' ? 'GraphModel: TF nodes by name scope → ONNX nodes:' : 'layers → ONNX nodes:',
    `  ${unit.padEnd(nameWidth)}  ${kind.padEnd(classWidth)}  nodes`,
    ...rows,
    `inputs:  ${describeSignature(summary.inputs)}`,
    `outputs: ${describeSignature(summary.outputs)}`,
    ...describePrecision(summary.precision),
    `opset ${summary.opset}, ${summary.nodeCount} nodes, ${formatBytes(summary.fileBytes)} → ${onnxPath}`,
    '',
  ].join('\n');
}
