/**
 * A Transpose that only reorders the features a matrix product then sums over costs a copy of the
 * tensor on every run, yet the same reordering can be done once, on the weight's rows. Keras
 * flattens in NHWC order, so a channels-first (NCHW) convolution stack ends in
 *
 *   Transpose(perm 0,2,3,1) → Flatten → Gemm/MatMul(constant W)
 *
 * which becomes Flatten → Gemm/MatMul(W'), where row c·H·W + h·W + w of W' is row
 * (h·W + w)·C + c of W: the products are the same, only the order of the terms in each sum
 * changes. onnxruntime's own transpose optimizer does not do this. Any Transpose that keeps the
 * batch axis first qualifies, of any rank, provided the chain is private (each link read only by
 * the next, none a graph output) and the sizes after the batch are known.
 */
import type { GraphBuilder, GraphNode, InitializerValues } from '../graph/graphBuilder.ts';
import { nodeReads } from '../graph/subgraphs.ts';
import { addInitializer, consumers, removeNode, soleConsumer } from './graphEdits.ts';
import { inferStaticShapes, product, type StaticShapes } from './shapes.ts';

export function foldTransposesIntoWeights(graph: GraphBuilder): boolean {
  let changed = false;
  // A rewrite changes no tensor's shape, so shapes are inferred once; readers are looked up afresh.
  const shapes = inferStaticShapes(graph);
  for (const transpose of graph.nodes.filter((node) => node.opType === 'Transpose')) {
    const chain = flattenIntoProduct(graph, transpose, shapes);
    if (!chain) continue;
    const { flatten, product: matmul, featureSizes, perm } = chain;
    const weight = graph.initializers.find((initializer) => initializer.name === matmul.inputs[1])!;
    const transposedWeight = matmul.opType === 'Gemm' && intAttribute(matmul, 'transB') === 1;
    const values = permuteFeatures(weight.values, featureSizes, perm, weight.dims[transposedWeight ? 0 : 1], transposedWeight);
    const sharedElsewhere = graph.nodes.some((node) => node !== matmul && nodeReads(node).includes(weight.name));
    if (sharedElsewhere) {
      matmul.inputs[1] = addInitializer(graph, matmul, 'kernel', { dims: [...weight.dims], dataType: weight.dataType, values });
    } else {
      weight.values = values;
    }
    flatten.inputs[0] = transpose.inputs[0];
    removeNode(graph, transpose);
    changed = true;
  }
  return changed;
}

interface FlattenChain {
  flatten: GraphNode;
  product: GraphNode;
  /** Sizes of the Transpose's input after the batch axis. */
  featureSizes: number[];
  /** The Transpose's permutation of those axes (batch removed, 0-based). */
  perm: number[];
}

/** The Transpose → Flatten/Reshape-to-[batch, K] → MatMul/Gemm(·, constant weight) chain starting at `transpose`, if it is one. */
function flattenIntoProduct(graph: GraphBuilder, transpose: GraphNode, shapes: StaticShapes): FlattenChain | undefined {
  const fullPerm = intsAttribute(transpose, 'perm');
  const input = shapes.get(transpose.inputs[0]);
  if (!fullPerm || !input || fullPerm[0] !== 0 || input.length < 2) return undefined;
  const featureSizes = input.slice(1);
  if (!featureSizes.every((size): size is number => size !== null && size > 0)) return undefined;
  const features = product(featureSizes)!;
  const readers = consumers(graph);
  const flatten = soleConsumer(graph, readers, transpose.outputs[0]);
  if (!flatten || flatten.inputs[0] !== transpose.outputs[0] || !flattensToRows(flatten, input[0], features, shapes)) return undefined;
  const matmul = soleConsumer(graph, readers, flatten.outputs[0]);
  if (!matmul || matmul.inputs[0] !== flatten.outputs[0] || !readsConstantWeight(graph, matmul, features)) return undefined;
  return { flatten, product: matmul, featureSizes, perm: fullPerm.slice(1).map((axis) => axis - 1) };
}

/** Flatten(axis 1) or a Reshape whose result is [batch, features], the batch unchanged. */
function flattensToRows(node: GraphNode, batch: number | null, features: number, shapes: StaticShapes): boolean {
  if (node.opType === 'Flatten') return (intAttribute(node, 'axis') ?? 1) === 1;
  if (node.opType !== 'Reshape') return false;
  const output = shapes.get(node.outputs[0]);
  return output !== undefined && output.length === 2 && output[0] === batch && output[1] === features;
}

/** MatMul(rows, W[K, M]) or Gemm(rows, W) without transA, W a float initializer with K = features rows (columns with transB). */
function readsConstantWeight(graph: GraphBuilder, node: GraphNode, features: number): boolean {
  if (node.opType !== 'MatMul' && node.opType !== 'Gemm') return false;
  if (node.opType === 'Gemm' && intAttribute(node, 'transA') === 1) return false;
  const weight = graph.initializers.find((initializer) => initializer.name === node.inputs[1]);
  if (weight?.dims.length !== 2 || Array.isArray(weight.values)) return false;
  const transposed = node.opType === 'Gemm' && intAttribute(node, 'transB') === 1;
  return weight.dims[transposed ? 1 : 0] === features;
}

/**
 * The weight with its feature axis reordered: entry i of the new feature axis (in the order of the
 * Transpose's input) is entry σ(i) of the old one (in the order of its output).
 */
function permuteFeatures(
  values: InitializerValues,
  featureSizes: number[],
  perm: number[],
  outputs: number,
  transposed: boolean,
): InitializerValues {
  const source = sourceFeatureIndices(featureSizes, perm);
  const typed = values as Exclude<InitializerValues, string[]>;
  const result = new (typed.constructor as new (length: number) => typeof typed)(typed.length);
  const features = source.length;
  for (let i = 0; i < features; i++) {
    const from = source[i];
    if (transposed) {
      for (let m = 0; m < outputs; m++) result[m * features + i] = typed[m * features + from];
    } else {
      result.set(typed.subarray(from * outputs, (from + 1) * outputs) as never, i * outputs);
    }
  }
  return result;
}

/** For each flat index i over `sizes` (the input), the flat index of the same element after transposing by `perm`. */
function sourceFeatureIndices(sizes: number[], perm: number[]): Int32Array {
  const transposedSizes = perm.map((axis) => sizes[axis]);
  const transposedStrides = stridesOf(transposedSizes);
  // How far the transposed flat index moves when input axis a advances by one.
  const step = sizes.map((_, axis) => transposedStrides[perm.indexOf(axis)]);
  const total = sizes.reduce((p, s) => p * s, 1);
  const result = new Int32Array(total);
  const index = sizes.map(() => 0);
  let target = 0;
  for (let i = 0; i < total; i++) {
    result[i] = target;
    // Advance the input's multi-index (row-major), keeping the transposed flat index in step.
    for (let axis = sizes.length - 1; axis >= 0; axis--) {
      index[axis]++;
      target += step[axis];
      if (index[axis] < sizes[axis]) break;
      target -= step[axis] * sizes[axis];
      index[axis] = 0;
    }
  }
  return result;
}

function stridesOf(sizes: number[]): number[] {
  const strides = sizes.map(() => 1);
  for (let i = sizes.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * sizes[i + 1];
  return strides;
}

function intAttribute(node: GraphNode, name: string): number | undefined {
  const value = node.attributes[name];
  return value?.kind === 'int' ? value.value : undefined;
}

function intsAttribute(node: GraphNode, name: string): number[] | undefined {
  const value = node.attributes[name];
  return value?.kind === 'ints' ? value.value : undefined;
}
