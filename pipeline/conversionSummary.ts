/** The printed form of a conversion: what each layer became, the I/O signature, opset and size. */
import type { ConversionSummary } from '../export/index.ts';

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

/** The printed report: each layer and the ONNX nodes it became, the I/O signature, opset and size. */
export function formatConversionSummary(onnxPath: string, summary: ConversionSummary & { fileBytes: number }): string {
  const nameWidth = Math.max(5, ...summary.layers.map((layer) => layer.name.length));
  const classWidth = Math.max(5, ...summary.layers.map((layer) => layer.className.length));
  const rows = summary.layers.map(
    (layer) => `  ${layer.name.padEnd(nameWidth)}  ${layer.className.padEnd(classWidth)}  ${layer.onnxNodes.length ? layer.onnxNodes.join(', ') : '(no nodes)'}`,
  );
  const signature = (list: ConversionSummary['inputs']) => list.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ');
  return [
    `layers → ONNX nodes:`,
    `  ${'layer'.padEnd(nameWidth)}  ${'class'.padEnd(classWidth)}  nodes`,
    ...rows,
    `inputs:  ${signature(summary.inputs)}`,
    `outputs: ${signature(summary.outputs)}`,
    `opset ${summary.opset}, ${summary.nodeCount} nodes, ${formatBytes(summary.fileBytes)} → ${onnxPath}`,
    '',
  ].join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
