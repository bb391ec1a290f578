/**
 * The element type of every tensor in a built graph. The builder records types only for graph
 * inputs, outputs and initializers; the precision passes also need them for intermediate tensors
 * (which float32 tensors to turn into float16, which inputs of a MatMul are float weights), so
 * they are inferred here from each op's type rule, in node order (the builder emits nodes in
 * dependency order and the passes keep it).
 */
import type { ElementType, GraphBuilder, GraphNode } from '../graph/graphBuilder.ts';
import { elementTypeOfCode } from '../onnx/dataTypes.ts';

export type ElementTypes = Map<string, ElementType>;

/** Output types of the ops whose outputs do not simply take their first input's type. */
const outputTypeRules: Record<string, (node: GraphNode, input: (index: number) => ElementType | undefined) => (ElementType | undefined)[]> =
  {
    Cast: (node) => [castTarget(node)],
    Shape: () => ['int64'],
    Size: () => ['int64'],
    ArgMax: () => ['int64'],
    ArgMin: () => ['int64'],
    NonZero: () => ['int64'],
    TopK: (_, input) => [input(0), 'int64'],
    MaxPool: (_, input) => [input(0), 'int64'],
    Where: (_, input) => [input(1)],
    DynamicQuantizeLinear: () => ['uint8', 'float32', 'uint8'],
    MatMulInteger: () => ['int32'],
    ConvInteger: () => ['int32'],
    QuantizeLinear: (_, input) => [input(2) ?? 'uint8'],
    DequantizeLinear: (_, input) => [input(1)],
    ConstantOfShape: () => ['float32'],
    // A Loop gives its body's outputs after the condition; an If its branches' (sequences have no element type here).
    Loop: (node) => subgraphOutputTypes(node, 'body').slice(1),
    If: (node) => subgraphOutputTypes(node, 'then_branch'),
    ...Object.fromEntries(
      ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf'].map((op) => [
        op,
        () => ['bool' as const],
      ]),
    ),
  };

export function inferElementTypes(graph: GraphBuilder): ElementTypes {
  const types: ElementTypes = new Map();
  for (const input of graph.inputs) types.set(input.name, input.elementType);
  for (const initializer of graph.initializers) types.set(initializer.name, initializer.dataType);
  for (const node of graph.nodes) {
    const input = (index: number) => (node.inputs[index] ? types.get(node.inputs[index]) : undefined);
    const rule = outputTypeRules[node.opType];
    const outputTypes = rule ? rule(node, input) : node.outputs.map(() => input(0));
    node.outputs.forEach((output, i) => {
      const type = i < outputTypes.length ? outputTypes[i] : outputTypes[0];
      if (output && type) types.set(output, type);
    });
  }
  return types;
}

function subgraphOutputTypes(node: GraphNode, attribute: string): (ElementType | undefined)[] {
  const graph = node.attributes[attribute];
  if (graph?.kind !== 'graph') return [];
  return graph.value.outputs.map((output) => (output.sequence ? undefined : output.elementType));
}

function castTarget(node: GraphNode): ElementType | undefined {
  const to = node.attributes.to;
  return to?.kind === 'int' ? elementTypeOfCode(to.value) : undefined;
}
