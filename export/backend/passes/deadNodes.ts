/** Removes nodes whose results nobody reads and initializers no node uses. */
import type { GraphBuilder } from '../graph/graphBuilder.ts';
import { nodeReads } from '../graph/subgraphs.ts';

export function removeDeadNodes(graph: GraphBuilder): boolean {
  let changed = false;
  for (;;) {
    const used = new Set([...graph.nodes.flatMap(nodeReads), ...graph.outputs.map((output) => output.name)]);
    const dead = graph.nodes.filter((node) => node.outputs.every((output) => !used.has(output)));
    if (dead.length === 0) break;
    for (const node of dead) graph.nodes.splice(graph.nodes.indexOf(node), 1);
    changed = true;
  }
  const read = new Set([...graph.nodes.flatMap(nodeReads), ...graph.outputs.map((output) => output.name)]);
  const before = graph.initializers.length;
  const kept = graph.initializers.filter((initializer) => read.has(initializer.name));
  graph.initializers.splice(0, graph.initializers.length, ...kept);
  return changed || kept.length !== before;
}
