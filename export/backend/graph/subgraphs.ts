/**
 * Subgraphs seen from the graph around them. A Loop body or If branch may read any value of the
 * graphs enclosing it by name (ONNX outer-scope capture), so for the passes such a read is an
 * input of the node holding the subgraph: a value read only there is still used, and renaming a
 * value renames it inside too. Names are unique across a graph and its subgraphs (GraphBuilder
 * draws them from one pool), so a name means the same value wherever it appears.
 */
import type { GraphBuilder, GraphNode } from './graphBuilder.ts';

const NONE: readonly GraphBuilder[] = [];

/** The node's subgraphs (none for almost every node, so nothing is allocated then: the passes ask for every node). */
export function subgraphsOf(node: GraphNode): readonly GraphBuilder[] {
  let found: GraphBuilder[] | undefined;
  for (const name in node.attributes) {
    const value = node.attributes[name];
    if (value.kind === 'graph') {
      found ??= [];
      found.push(value.value);
    }
  }
  return found ?? NONE;
}

/** Names a subgraph (and the subgraphs inside it) reads but does not define. */
export function outerReads(graph: GraphBuilder): Set<string> {
  const defined = new Set([...graph.inputs.map((input) => input.name), ...graph.initializers.map((initializer) => initializer.name)]);
  for (const node of graph.nodes) for (const output of node.outputs) defined.add(output);
  const reads = new Set<string>();
  for (const node of graph.nodes) for (const name of nodeReads(node)) if (name !== '' && !defined.has(name)) reads.add(name);
  for (const output of graph.outputs) if (!defined.has(output.name)) reads.add(output.name);
  return reads;
}

/** What a node reads: its inputs, and what its subgraphs read from outside. */
export function nodeReads(node: GraphNode): string[] {
  const subgraphs = subgraphsOf(node);
  if (subgraphs.length === 0) return node.inputs;
  return [...node.inputs, ...subgraphs.flatMap((subgraph) => [...outerReads(subgraph)])];
}

/** Renames reads of `from` to `to` in the graph's nodes and in every subgraph inside them. */
export function renameReads(graph: GraphBuilder, from: string, to: string): void {
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((input) => (input === from ? to : input));
    for (const subgraph of subgraphsOf(node)) {
      renameReads(subgraph, from, to);
      for (const output of subgraph.outputs) if (output.name === from) output.name = to;
    }
  }
}

export function hasSubgraphs(graph: GraphBuilder): boolean {
  return graph.nodes.some((node) => subgraphsOf(node).length > 0);
}
