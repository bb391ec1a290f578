/**
 * Transpose clean-up (tf2onnx's transpose optimizer in miniature): a Transpose feeding another
 * Transpose becomes one Transpose of the original tensor, and a Transpose that composes to the
 * identity disappears. The layout tracking already avoids most of these; this catches the rest,
 * e.g. a Permute undoing a stored layout.
 */
import { attr, type GraphBuilder } from '../graph/graphBuilder.ts';
import { composePermutations, isIdentityPermutation } from '../graph/layout.ts';
import { isGraphOutput, producers, removeNode, replaceUses } from './graphEdits.ts';

export function mergeConsecutiveTransposes(graph: GraphBuilder): boolean {
  let changed = false;
  const producedBy = producers(graph);
  for (const node of [...graph.nodes]) {
    if (node.opType !== 'Transpose') continue;
    const parent = producedBy.get(node.inputs[0]);
    if (parent?.opType !== 'Transpose') continue;
    const composed = composePermutations(permOf(parent.attributes.perm), permOf(node.attributes.perm));
    node.inputs = [parent.inputs[0]];
    node.attributes = { perm: attr.ints(composed) };
    changed = true;
  }
  for (const node of [...graph.nodes]) {
    if (node.opType !== 'Transpose' || !isIdentityPermutation(permOf(node.attributes.perm))) continue;
    if (isGraphOutput(graph, node.outputs[0])) {
      // The output must keep its name, so the no-op stays, as an Identity the identity pass can fold.
      node.opType = 'Identity';
      node.attributes = {};
    } else {
      replaceUses(graph, node.outputs[0], node.inputs[0]);
      removeNode(graph, node);
    }
    changed = true;
  }
  return changed;
}

function permOf(value: unknown): number[] {
  const perm = value as { kind: string; value: number[] } | undefined;
  if (perm?.kind !== 'ints') throw new Error('internal: Transpose node without a perm attribute');
  return perm.value;
}
