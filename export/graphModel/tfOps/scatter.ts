/**
 * Writing into tensors by index: ScatterNd, TensorScatterUpdate, SparseToDense (all ONNX
 * ScatterND) and OneHot (ONNX OneHot). They work in TensorFlow's layout, since their indices
 * name logical axes.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { formatShape, type Dim } from '../../backend/graph/tensorValue.ts';
import {
  MAX_FOLDED_ELEMENTS,
  constantTensor,
  elementCount,
  isConstant,
  numbers,
  scalarConstant,
  stridesOf,
  type ConstantTensor,
  type TfValue,
} from './constant.ts';
import type { TfOpContext } from './context.ts';
import type { TfOpTable } from './registry.ts';

function indicesInput(ctx: TfOpContext, value: TfValue): string {
  if (value.dtype !== 'int32') throw ctx.invalid(`its indices must be int32, got ${value.dtype}`);
  return ctx.cast(ctx.logical(value), 'int64');
}

/** True when no two index tuples (the last axis of `indices`) are equal. */
function indicesAreUnique(indices: ConstantTensor): boolean {
  const depth = indices.shape[indices.shape.length - 1] ?? 1;
  const values = numbers(indices);
  const seen = new Set<string>();
  for (let i = 0; i < values.length; i += depth) seen.add(values.slice(i, i + depth).join(','));
  return seen.size * depth === values.length;
}

/**
 * ScatterNd(indices, updates, shape): updates written into zeros, duplicates summed (as
 * TensorFlow and tfjs do). ONNX ScatterND sums from opset 16 (reduction add); before that it
 * overwrites, which is the same only when no index repeats, so it is used then only for
 * constant indices known to be unique.
 */
function convertScatterNd(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const [indices, updates] = ctx.inputs;
  const shape = ctx.ints(2, 'shape');
  if (shape.some((size) => size < 0)) throw ctx.invalid(`its shape [${shape.join(', ')}] has a negative size`);
  const summing = ctx.opset >= 16;
  if (!summing && !(isConstant(indices) && indicesAreUnique(indices))) {
    throw ctx.unsupported(
      'ScatterNd sums updates at repeated indices, which ONNX ScatterND does from opset 16 on; convert with --opset 16 or later',
    );
  }
  const g = ctx.graph;
  const zeros = g.node('Expand', [ctx.onnx(scalarConstant(updates.dtype, 0), []), g.int64Constant('shape', shape)]);
  const y = g.node(
    'ScatterND',
    [zeros, indicesInput(ctx, indices), ctx.logical(updates)],
    summing ? { reduction: attr.string('add') } : {},
  );
  return ctx.result(y, shape, updates.dtype);
}

/** TensorScatterUpdate(tensor, indices, updates): a copy of tensor with the indexed slices replaced. */
function convertTensorScatterUpdate(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const [tensor, indices, updates] = ctx.inputs;
  const y = ctx.graph.node('ScatterND', [ctx.logical(tensor), indicesInput(ctx, indices), ctx.logical(updates)]);
  return ctx.result(y, tensor.shape, tensor.dtype);
}

/**
 * SparseToDense(sparse_indices, output_shape, sparse_values, default_value): default_value
 * everywhere but at the listed indices (a scalar, a vector of 1-D indices, or [N, rank] rows),
 * which get their value (one, or one each). Constant inputs, as TensorFlow's constant folding
 * leaves them in exported graphs, fold; otherwise ONNX ScatterND writes into the filled tensor.
 * TensorFlow forbids repeated indices (validate_indices); where they occur anyway the last write
 * wins, as in tfjs.
 */
function convertSparseToDense(ctx: TfOpContext): TfValue {
  ctx.requireInputs(4);
  const [indices, , values, fallback] = ctx.inputs;
  const shape = ctx.ints(1, 'output_shape');
  const rank = shape.length;
  // Like TensorFlow: [N, rank] rows, or (as a scalar or a vector) indices into a vector.
  if (indices.shape.length > 2 || (indices.shape.length === 2 ? indices.shape[1] !== rank : rank !== 1))
    throw ctx.invalid(`its sparse_indices ${formatShape(indices.shape)} do not index a rank-${rank} output`);
  if (values.dtype === 'string') throw ctx.unsupported('string values are not supported');
  if (values.shape.length > 1 || fallback.shape.length !== 0)
    throw ctx.invalid('its sparse_values must be a scalar or a vector and its default_value a scalar');
  if (shape.some((size) => size < 0)) throw ctx.invalid(`its output_shape [${shape.join(', ')}] has a negative size`);
  const size = elementCount(shape);
  if (isConstant(indices) && isConstant(values) && isConstant(fallback) && size <= MAX_FOLDED_ELEMENTS)
    return denseConstant(ctx, indices, values, fallback, shape);
  const g = ctx.graph;
  const rows = g.node('Reshape', [indicesInput(ctx, indices), g.int64Constant('shape', [-1, rank])]);
  let updates = ctx.logical(values);
  if (values.shape.length === 0)
    updates = g.node('Expand', [
      updates,
      g.node('Slice', [g.node('Shape', [rows]), g.int64Constant('starts', [0]), g.int64Constant('ends', [1])]),
    ]);
  const filled = g.node('Expand', [ctx.logical(fallback), g.int64Constant('shape', shape)]);
  return ctx.result(g.node('ScatterND', [filled, rows, updates]), shape, values.dtype);
}

function denseConstant(
  ctx: TfOpContext,
  indices: ConstantTensor,
  values: ConstantTensor,
  fallback: ConstantTensor,
  shape: number[],
): ConstantTensor {
  const dense = new Array<number>(elementCount(shape)).fill(numbers(fallback)[0]);
  const strides = stridesOf(shape);
  const flat = numbers(indices);
  const written = numbers(values);
  for (let row = 0; row * shape.length < flat.length; row++) {
    const index = flat.slice(row * shape.length, (row + 1) * shape.length);
    if (index.some((i, axis) => i < 0 || i >= shape[axis]))
      throw ctx.invalid(`its sparse index [${index.join(', ')}] is outside the output shape [${shape.join(', ')}]`);
    dense[index.reduce((offset, i, axis) => offset + i * strides[axis], 0)] = written.length === 1 ? written[0] : written[row];
  }
  return constantTensor(values.dtype, shape, dense);
}

/** A scalar input as a one-element ONNX tensor of the element type OneHot's values use. */
function oneHotValue(ctx: TfOpContext, index: number, type: 'float32' | 'int64'): string {
  const value = ctx.input(index);
  if (value.shape.length !== 0) throw ctx.invalid(`its input ${index} must be a scalar, got ${formatShape(value.shape)}`);
  if (isConstant(value))
    return type === 'int64' ? ctx.graph.int64Constant('value', numbers(value)) : ctx.graph.floatConstant('value', [1], numbers(value));
  return ctx.graph.node('Reshape', [ctx.cast(ctx.logical(value), type), ctx.graph.int64Constant('shape', [1])]);
}

/**
 * OneHot(indices, depth, on_value, off_value) with TensorFlow's axis. An index outside
 * [0, depth) gives a row of off values in TensorFlow; ONNX OneHot counts negative indices from
 * the end, so they are first moved out of range. int32 results are computed in int64 (the types
 * onnxruntime's OneHot takes) and cast.
 */
function convertOneHot(ctx: TfOpContext): TfValue {
  ctx.requireInputs(4);
  const [indices, depthValue] = ctx.inputs;
  const dtype = ctx.attrs.dtype('T', ctx.input(2).dtype);
  if (dtype !== 'float32' && dtype !== 'int32')
    throw ctx.unsupported(`a one-hot tensor of ${dtype} is not supported (float32 and int32 are)`);
  const rank = indices.shape.length;
  const axis = ctx.attrs.int('axis', -1);
  if (axis < -1 || axis > rank) throw ctx.invalid(`axis ${axis} is out of range for rank-${rank} indices`);
  const g = ctx.graph;
  const depth: Dim = isConstant(depthValue) ? ctx.int(1, 'depth') : null;
  if (depth !== null && depth < 0) throw ctx.invalid(`its depth ${depth} is negative`);
  const depth64 =
    depth !== null
      ? g.initializer('depth', [], 'int64', BigInt64Array.of(BigInt(depth)))
      : g.node('Reshape', [ctx.cast(ctx.logical(depthValue), 'int64'), g.int64Constant('scalar', [])]);
  const index64 = indicesInput(ctx, indices);
  const zero = g.initializer('zero', [], 'int64', BigInt64Array.of(0n));
  const inRange = g.node('Where', [g.node('Less', [index64, zero]), depth64, index64]);
  const valueType = dtype === 'int32' ? 'int64' : 'float32';
  const values = g.node('Concat', [oneHotValue(ctx, 3, valueType), oneHotValue(ctx, 2, valueType)], { axis: attr.int(0) });
  let y = g.node('OneHot', [inRange, depth64, values], { axis: attr.int(axis) });
  if (dtype === 'int32') y = ctx.cast(y, 'int32');
  const at = axis === -1 ? rank : axis;
  return ctx.result(y, [...indices.shape.slice(0, at), depth, ...indices.shape.slice(at)], dtype);
}

export const scatterOps: TfOpTable = {
  ScatterNd: convertScatterNd,
  TensorScatterUpdate: convertTensorScatterUpdate,
  OneHot: convertOneHot,
  SparseToDense: convertSparseToDense,
};
