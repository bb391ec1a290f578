/** Copies of a built graph, so one conversion can yield several precisions. */
import { GraphBuilder } from '../graph/graphBuilder.ts';

/**
 * A copy that the precision passes may edit without touching the original. Initializer values
 * are shared: the passes replace initializers, they never write into their arrays. Every name in
 * use is reserved in the copy, so the nodes a pass adds get fresh names.
 */
export function copyGraph(graph: GraphBuilder): GraphBuilder {
  const copy = new GraphBuilder();
  copy.nodes.push(...graph.nodes.map((node) => ({ ...node, inputs: [...node.inputs], outputs: [...node.outputs], attributes: { ...node.attributes } })));
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
