import { attr, type GraphBuilder } from './graphBuilder.ts';
import { transposeBetween, type Permutation } from './layout.ts';
import type { TensorValue } from './tensorValue.ts';

/**
 * The ONNX name of `tensor` stored as `transpose(logical, perm)`: adds one Transpose the first
 * time a layout is asked for and reuses it for every later consumer.
 */
export function materialize(graph: GraphBuilder, tensor: TensorValue, perm: Permutation): string {
  const key = perm.join(',');
  const existing = tensor.views.get(key);
  if (existing) return existing;
  const transposed = graph.node('Transpose', [tensor.onnxName], { perm: attr.ints(transposeBetween(tensor.perm, perm)) });
  tensor.views.set(key, transposed);
  return transposed;
}
