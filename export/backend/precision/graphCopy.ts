/** Copies of a built graph, so one conversion can yield several precisions. */
import { GraphBuilder, type AttributeValue } from '../graph/graphBuilder.ts';

/**
 * A copy that the precision passes may edit without touching the original. Initializer values
 * are shared: the passes replace initializers, they never write into their arrays. Subgraphs are
 * copied too (a pass may rename what they read). Every name in use is reserved in the copy, so
 * the nodes a pass adds get fresh names.
 */
export function copyGraph(graph: GraphBuilder, parent?: GraphBuilder): GraphBuilder {
  const copy = parent ? parent.subgraph() : new GraphBuilder();
  copy.currentLayer = '';
  const copyAttribute = (value: AttributeValue): AttributeValue =>
    value.kind === 'graph' ? { kind: 'graph', value: copyGraph(value.value, copy) } : value;
  copy.nodes.push(
    ...graph.nodes.map((node) => ({
      ...node,
      inputs: [...node.inputs],
      outputs: [...node.outputs],
      attributes: Object.fromEntries(Object.entries(node.attributes).map(([name, value]) => [name, copyAttribute(value)])),
    })),
  );
  copy.initializers.push(...graph.initializers.map((initializer) => ({ ...initializer, dims: [...initializer.dims] })));
  copy.inputs.push(...graph.inputs.map((input) => ({ ...input, shape: [...input.shape] })));
  copy.outputs.push(...graph.outputs.map((output) => ({ ...output, shape: [...output.shape] })));
  const names = [
    ...copy.nodes.flatMap((node) => [node.name, ...node.outputs]),
    ...copy.initializers.map((initializer) => initializer.name),
    ...copy.inputs.map((input) => input.name),
    ...copy.outputs.map((output) => output.name),
  ];
  for (const name of names) copy.reserveExactName(name);
  return copy;
}
