/**
 * Merges initializers with identical type, shape and bytes into one. A layer shared by several
 * inputs (or a nested model called twice) converts once per call, each call adding its weights;
 * after this pass the ONNX file stores them once, as the Keras model does. Small constants the
 * layer converters repeat (0.5, 1, axes lists) are merged along the way.
 */
import { createHash } from 'node:crypto';
import type { GraphBuilder, Initializer } from '../graph/graphBuilder.ts';
import { renameReads } from '../graph/subgraphs.ts';

function fingerprint(initializer: Initializer): string {
  const { values } = initializer;
  const hash = createHash('sha256');
  if (Array.isArray(values)) hash.update(JSON.stringify(values));
  else hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return `${initializer.dataType}|${initializer.dims.join('x')}|${hash.digest('hex')}`;
}

export function mergeDuplicateInitializers(graph: GraphBuilder): boolean {
  const kept = new Map<string, string>();
  const renamed = new Map<string, string>();
  for (const initializer of graph.initializers) {
    const key = fingerprint(initializer);
    const first = kept.get(key);
    if (first === undefined) kept.set(key, initializer.name);
    else renamed.set(initializer.name, first);
  }
  if (renamed.size === 0) return false;
  for (const [from, to] of renamed) renameReads(graph, from, to);
  graph.initializers.splice(0, graph.initializers.length, ...graph.initializers.filter((initializer) => !renamed.has(initializer.name)));
  return true;
}
