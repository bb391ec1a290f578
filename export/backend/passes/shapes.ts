/**
 * Static shapes of the graph's tensors, as far as they follow from the graph inputs' declared
 * shapes and the initializers, for the passes that rewrite a node only when its shapes allow it
 * (a size-1 axis, a flattened size). It covers the layout-relevant ops the converters emit
 * (convolution, pooling, elementwise, Transpose, Flatten, Reshape, Gemm/MatMul); any other op's
 * outputs are simply absent from the map, and a pass seeing no shape leaves the node alone.
 */
import type { AttributeValue, GraphBuilder, GraphNode } from '../graph/graphBuilder.ts';

/** A size, or null where it is only known at run time (the batch). */
export type StaticDim = number | null;
export type StaticShapes = Map<string, StaticDim[]>;

const SAME_SHAPE = new Set([
  'Abs',
  'BatchNormalization',
  'Cast',
  'Ceil',
  'Clip',
  'Dropout',
  'Elu',
  'Erf',
  'Exp',
  'Floor',
  'Gelu',
  'HardSigmoid',
  'HardSwish',
  'Identity',
  'InstanceNormalization',
  'LRN',
  'LeakyRelu',
  'Log',
  'LogSoftmax',
  'Neg',
  'Not',
  'Reciprocal',
  'Relu',
  'Round',
  'Selu',
  'Sigmoid',
  'Sign',
  'Softmax',
  'Softplus',
  'Softsign',
  'Sqrt',
  'Tanh',
  'ThresholdedRelu',
  'LayerNormalization',
]);
const BROADCAST = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Sum',
  'Mean',
  'PRelu',
  'Equal',
  'Greater',
  'Less',
  'And',
  'Or',
  'Where',
]);
const WINDOWED = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool']);

export function inferStaticShapes(graph: GraphBuilder): StaticShapes {
  const shapes: StaticShapes = new Map();
  for (const input of graph.inputs)
    shapes.set(
      input.name,
      input.shape.map((d) => (typeof d === 'number' ? d : null)),
    );
  for (const initializer of graph.initializers) shapes.set(initializer.name, [...initializer.dims]);
  const constants = new Map(graph.initializers.map((i) => [i.name, i]));
  // The converters add nodes in topological order, and the passes keep it.
  for (const node of graph.nodes) {
    const output = outputShape(
      node,
      (name) => shapes.get(name),
      (name) => integerValues(constants.get(name)),
    );
    if (output) shapes.set(node.outputs[0], output);
  }
  return shapes;
}

type ShapeOf = (name: string) => StaticDim[] | undefined;
type ConstantOf = (name: string) => number[] | undefined;

function outputShape(node: GraphNode, shapeOf: ShapeOf, constantOf: ConstantOf): StaticDim[] | undefined {
  const inputs = node.inputs.map((name) => (name === '' ? undefined : shapeOf(name)));
  const x = inputs[0];
  if (!x) return undefined;
  if (SAME_SHAPE.has(node.opType)) return [...x];
  if (BROADCAST.has(node.opType)) return inputs.every((s) => s !== undefined) ? broadcast(inputs as StaticDim[][]) : undefined;
  if (WINDOWED.has(node.opType)) return windowed(node, x, inputs[1]);
  switch (node.opType) {
    case 'Transpose': {
      const perm = ints(node.attributes.perm) ?? x.map((_, i) => x.length - 1 - i);
      return perm.map((axis) => x[axis]);
    }
    case 'Flatten': {
      const axis = normalized(int(node.attributes.axis) ?? 1, x.length);
      return [product(x.slice(0, axis)), product(x.slice(axis))];
    }
    case 'Reshape':
      return reshaped(x, constantOf(node.inputs[1]), int(node.attributes.allowzero) === 1);
    case 'Gemm': {
      const b = inputs[1];
      if (!b || x.length !== 2 || b.length !== 2) return undefined;
      return [int(node.attributes.transA) ? x[1] : x[0], int(node.attributes.transB) ? b[0] : b[1]];
    }
    case 'MatMul': {
      const b = inputs[1];
      // Only the shapes the converters produce: a matrix or batch of matrices times a matrix.
      if (b?.length !== 2 || x.length < 2) return undefined;
      return [...x.slice(0, -1), b[1]];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      return [x[0], x[1], ...x.slice(2).map(() => 1)];
    default:
      return undefined;
  }
}

/** Numpy broadcasting; an unknown size against a size other than 1 must be that size. */
function broadcast(shapes: StaticDim[][]): StaticDim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    const sizes = shapes.map((s) => s[s.length - rank + i]).filter((d) => d !== undefined);
    const known = sizes.find((d): d is number => d !== null && d !== 1);
    if (known !== undefined) return known;
    return sizes.includes(null) ? null : 1;
  });
}

/** Conv and pooling output sizes (explicit pads, SAME_* or VALID auto_pad, ceil_mode). */
function windowed(node: GraphNode, x: StaticDim[], weight: StaticDim[] | undefined): StaticDim[] | undefined {
  const spatialRank = x.length - 2;
  const kernel = ints(node.attributes.kernel_shape) ?? weight?.slice(2);
  if (!kernel || kernel.length !== spatialRank || kernel.some((k) => k === null)) return undefined;
  const strides = ints(node.attributes.strides) ?? kernel.map(() => 1);
  const dilations = ints(node.attributes.dilations) ?? kernel.map(() => 1);
  const pads = ints(node.attributes.pads) ?? kernel.map(() => 0).concat(kernel.map(() => 0));
  const autoPad = string(node.attributes.auto_pad) ?? 'NOTSET';
  const ceil = int(node.attributes.ceil_mode) === 1;
  const channels = node.opType === 'Conv' ? (weight?.[0] ?? null) : x[1];
  const spatial = x.slice(2).map((size, i) => {
    if (size === null) return null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(size / strides[i]);
    const extent = dilations[i] * ((kernel[i] as number) - 1) + 1;
    const padded = size + (autoPad === 'VALID' ? 0 : pads[i] + pads[i + spatialRank]);
    const steps = (padded - extent) / strides[i];
    return (ceil ? Math.ceil(steps) : Math.floor(steps)) + 1;
  });
  return [x[0], channels, ...spatial];
}

function reshaped(x: StaticDim[], target: number[] | undefined, allowZero: boolean): StaticDim[] | undefined {
  if (!target) return undefined;
  const copied = (i: number) => target[i] === 0 && !allowZero;
  const sizes: StaticDim[] = target.map((d, i) => (copied(i) ? (x[i] ?? null) : d));
  const inferred = sizes.indexOf(-1);
  if (inferred < 0) return sizes;
  // Sizes copied with 0 appear on both sides and cancel, so [0, -1] of [N, 2, 3] is [N, 6].
  const total = product(x.filter((_, i) => !copied(i)));
  const rest = product(sizes.filter((_, i) => i !== inferred && !copied(i)));
  sizes[inferred] = total === null || rest === null || rest === 0 ? null : total / rest;
  return sizes;
}

/** An int64/int32 initializer's values as numbers (shape constants are small). */
function integerValues(initializer: GraphBuilder['initializers'][number] | undefined): number[] | undefined {
  if (!initializer) return undefined;
  const { values } = initializer;
  if (values instanceof BigInt64Array) return Array.from(values, Number);
  if (values instanceof Int32Array) return Array.from(values);
  return undefined;
}

export function product(sizes: readonly StaticDim[]): StaticDim {
  let result = 1;
  for (const size of sizes) {
    if (size === null) return null;
    result *= size;
  }
  return result;
}

function normalized(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function int(value: AttributeValue | undefined): number | undefined {
  return value?.kind === 'int' ? value.value : undefined;
}

function ints(value: AttributeValue | undefined): number[] | undefined {
  return value?.kind === 'ints' ? value.value : undefined;
}

function string(value: AttributeValue | undefined): string | undefined {
  return value?.kind === 'string' ? value.value : undefined;
}
