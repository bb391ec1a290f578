/** Small edits the optimization passes share. */
import type { GraphBuilder, GraphNode } from '../graph/graphBuilder.ts';

/** Makes every consumer (and graph output) of tensor `from` read tensor `to` instead. */
export function replaceUses(graph: GraphBuilder, from: string, to: string): void {
  for (const node of graph.nodes) node.inputs = node.inputs.map((input) => (input === from ? to : input));
  for (const output of graph.outputs) if (output.name === from) output.name = to;
}

export function producers(graph: GraphBuilder): Map<string, GraphNode> {
  const map = new Map<string, GraphNode>();
  for (const node of graph.nodes) for (const output of node.outputs) map.set(output, node);
  return map;
}

export function isGraphOutput(graph: GraphBuilder, name: string): boolean {
  return graph.outputs.some((output) => output.name === name);
}

export function removeNode(graph: GraphBuilder, node: GraphNode): void {
  graph.nodes.splice(graph.nodes.indexOf(node), 1);
}
