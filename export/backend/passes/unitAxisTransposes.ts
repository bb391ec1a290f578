/**
 * A Transpose that moves only axes of size 1 leaves every element where it was in memory: it is a
 * Reshape. A channels-last image with one channel going into an NCHW convolution is the common
 * case (MNIST's [N, 28, 28, 1] → [N, 1, 28, 28]); onnxruntime keeps such a Transpose as a copy on
 * every run, while a Reshape costs nothing. The node stays where it is (and keeps its output name,
 * which may be a graph output); only its op changes.
 */
import type { GraphBuilder, GraphNode } from '../graph/graphBuilder.ts';
import { isIdentityPermutation } from '../graph/layout.ts';
import { addInitializer, isGraphOutput, replaceUses } from './graphEdits.ts';
import { inferStaticShapes, type StaticDim } from './shapes.ts';

export function reshapeUnitAxisTransposes(graph: GraphBuilder): boolean {
  let changed = false;
  const shapes = inferStaticShapes(graph);
  for (const node of graph.nodes) {
    if (node.opType !== 'Transpose') continue;
    const perm = node.attributes.perm?.kind === 'ints' ? node.attributes.perm.value : undefined;
    const input = shapes.get(node.inputs[0]);
    if (!perm || !input || perm.length !== input.length || isIdentityPermutation(perm) || !movesOnlyUnitAxes(input, perm)) continue;
    const target = reshapeTarget(input, perm);
    if (!target) continue;
    rewriteAsReshape(graph, node, target);
    changed = true;
  }
  return changed;
}

/** True when the axes of size other than 1 (unknown sizes included) keep their relative order. */
function movesOnlyUnitAxes(input: readonly StaticDim[], perm: readonly number[]): boolean {
  const moving = perm.filter((axis) => input[axis] !== 1);
  return moving.every((axis, i) => i === 0 || moving[i - 1] < axis);
}

/**
 * Reshape's shape input for the transposed shape: known sizes as they are, an unknown size that
 * stays on its axis as 0 (copy the input's size there), and at most one other unknown size as -1. Known sizes of 0
 * would read as "copy" and are left alone.
 */
function reshapeTarget(input: readonly StaticDim[], perm: readonly number[]): number[] | undefined {
  const output = perm.map((axis) => input[axis]);
  if (output.includes(0)) return undefined;
  const unknown = output.filter((size) => size === null).length;
  const target: number[] = [];
  for (const [i, size] of output.entries()) {
    if (size !== null) target.push(size);
    else if (perm[i] === i) target.push(0);
    else if (unknown === 1) target.push(-1);
    else return undefined;
  }
  return target;
}

function rewriteAsReshape(graph: GraphBuilder, node: GraphNode, target: number[]): void {
  const shape = addInitializer(graph, node, 'shape', {
    dims: [target.length],
    dataType: 'int64',
    values: BigInt64Array.from(target, (d) => BigInt(d)),
  });
  node.opType = 'Reshape';
  node.name = graph.uniqueName(node.layerName ? `${node.layerName}/Reshape` : 'Reshape');
  node.inputs = [node.inputs[0], shape];
  node.attributes = {};
  // The result is named after the node (as the converters name results), unless it is a graph output.
  const [output] = node.outputs;
  if (!isGraphOutput(graph, output)) {
    replaceUses(graph, output, node.name);
    node.outputs = [node.name];
  }
}
