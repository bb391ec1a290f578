/**
 * Identity removal. Identities come from graph outputs (which must carry the Keras output name)
 * and from no-op transposes. An Identity whose input is some node's private result is folded by
 * renaming that result; one reading a graph input, an initializer or another graph output must stay.
 */
import type { GraphBuilder } from '../graph/graphBuilder.ts';
import { renameReads } from '../graph/subgraphs.ts';
import { isGraphOutput, producers, removeNode, replaceUses } from './graphEdits.ts';

export function removeIdentities(graph: GraphBuilder): boolean {
  let changed = false;
  for (const node of [...graph.nodes]) {
    if (node.opType !== 'Identity') continue;
    const [input] = node.inputs;
    const [output] = node.outputs;
    if (!isGraphOutput(graph, output)) {
      replaceUses(graph, output, input);
      removeNode(graph, node);
      changed = true;
      continue;
    }
    const producer = producers(graph).get(input);
    if (!producer || isGraphOutput(graph, input)) continue;
    producer.outputs = producer.outputs.map((name) => (name === input ? output : name));
    renameReads(graph, input, output);
    removeNode(graph, node);
    changed = true;
  }
  return changed;
}
