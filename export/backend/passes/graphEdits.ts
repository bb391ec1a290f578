/** Small edits the optimization passes share. */
import type { GraphBuilder, GraphNode, Initializer } from '../graph/graphBuilder.ts';
import { nodeReads, renameReads } from '../graph/subgraphs.ts';

/** Makes every consumer (and graph output) of tensor `from` read tensor `to` instead, inside subgraphs too. */
export function replaceUses(graph: GraphBuilder, from: string, to: string): void {
  renameReads(graph, from, to);
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

/** Nodes reading each tensor (a node whose subgraph reads it counts). */
export function consumers(graph: GraphBuilder): Map<string, GraphNode[]> {
  const map = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) for (const input of nodeReads(node)) map.set(input, [...(map.get(input) ?? []), node]);
  return map;
}

/** The one node reading `tensor`, when exactly one does and the tensor is not also a graph output. */
export function soleConsumer(graph: GraphBuilder, readers: Map<string, GraphNode[]>, tensor: string): GraphNode | undefined {
  const nodes = readers.get(tensor);
  if (nodes?.length !== 1 || isGraphOutput(graph, tensor)) return undefined;
  // A node reading the tensor twice (x·x) is still one consumer, but not a chain link a rewrite may reroute.
  return nodes[0].inputs.filter((input) => input === tensor).length === 1 ? nodes[0] : undefined;
}

/** Adds an initializer named after the layer of the node it serves (`hidden/kernel_1`). */
export function addInitializer(graph: GraphBuilder, forNode: GraphNode, baseName: string, initializer: Omit<Initializer, 'name'>): string {
  const name = graph.uniqueName(forNode.layerName ? `${forNode.layerName}/${baseName}` : baseName);
  graph.initializers.push({ name, ...initializer });
  return name;
}
