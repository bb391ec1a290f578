/**
 * Graph plumbing and shapes: Identity and friends, Cast, Shape/ShapeN/Size/Rank, BroadcastArgs,
 * Fill, Range, LinSpace, ZerosLike/OnesLike, BroadcastTo, Reshape, Squeeze, ExpandDims, Transpose, Tile, and
 * the pads of padding.ts. Shapes fold to constants wherever the input's sizes are static, and stay
 * partly known (partialValues.ts) where only the batch is symbolic. Transpose costs nothing: it
 * only changes the recorded layout, so a Transpose into NCHW before a convolution cancels against
 * the one the convolution would need.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { identityPermutation, isIdentityPermutation, permutationAfterRemovingAxes, physicalAxis } from '../../backend/graph/layout.ts';
import { unsqueeze } from '../../backend/graph/ops.ts';
import { formatShape, tensorValue, type Dim, type TfjsElementType, type TensorValue } from '../../backend/graph/tensorValue.ts';
import {
  constantTensor,
  elementCount,
  isConstant,
  numbers,
  range,
  reshapeConstant,
  scalarConstant,
  transposeConstant,
  type ConstantTensor,
  type TfValue,
} from './constant.ts';
import type { TfOpContext } from './context.ts';
import { broadcastDims } from './elementwise.ts';
import { paddingOps } from './padding.ts';
import { knownValues, partialResult, setKnownValues } from './partialValues.ts';
import type { TfOpTable } from './registry.ts';

/** Constants up to this many elements are folded; larger ones are computed by ONNX rather than stored. */
export const MAX_FOLDED_ELEMENTS = 4096;

function passThrough(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1, true);
  return ctx.input(0);
}

function convertIdentityN(ctx: TfOpContext): TfValue[] {
  return [...ctx.inputs];
}

function castConstant(value: ConstantTensor, dtype: TfjsElementType): ConstantTensor {
  if (value.dtype === 'string' || dtype === 'string') throw new Error('internal: string casts are rejected earlier');
  const values = numbers(value);
  if (dtype === 'bool') return constantTensor('bool', value.shape, values.map((v) => (v !== 0 ? 1 : 0)));
  if (dtype === 'int32') return constantTensor('int32', value.shape, values.map(Math.trunc));
  return constantTensor('float32', value.shape, values);
}

function convertCast(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  const dtype = ctx.attrs.dtype('DstT');
  if (dtype === x.dtype) return x;
  if (dtype === 'string' || x.dtype === 'string') throw ctx.unsupported('casts from or to string are not supported');
  if (isConstant(x)) return castConstant(x, dtype);
  const result = tensorValue(ctx.cast(x.onnxName, dtype), x.shape, x.perm, dtype);
  return dtype === 'int32' ? partialResult(result, knownValues(x)) : result;
}

/** Shape: a constant when every size is static, else ONNX Shape (in TF's axis order) tagged with the known sizes. */
function shapeOf(ctx: TfOpContext, x: TfValue): TfValue {
  const rank = x.shape.length;
  if (x.shape.every((size) => size !== null)) return constantTensor('int32', [rank], x.shape as number[]);
  const value = x as TensorValue;
  let shape = ctx.graph.node('Shape', [value.onnxName]);
  if (!isIdentityPermutation(value.perm)) {
    const order = identityPermutation(rank).map((axis) => physicalAxis(value.perm, axis));
    shape = ctx.graph.node('Gather', [shape, ctx.graph.int64Constant('logical_order', order)], { axis: attr.int(0) });
  }
  return setKnownValues(ctx.result(ctx.toInt32(shape), [rank], 'int32'), [...x.shape]);
}

function convertShape(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1);
  return shapeOf(ctx, ctx.input(0));
}

/** ShapeN: the shapes of all its inputs. */
function convertShapeN(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(1, true);
  return ctx.inputs.map((input) => shapeOf(ctx, input));
}

function convertSize(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  if (x.shape.every((size) => size !== null)) return scalarConstant('int32', elementCount(x.shape as number[]));
  return ctx.result(ctx.toInt32(ctx.graph.node('Size', [(x as TensorValue).onnxName])), [], 'int32');
}

function convertRank(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1);
  return scalarConstant('int32', ctx.input(0).shape.length);
}

/** A shape input's sizes as far as they are known: the output sizes of Fill, Reshape, BroadcastTo. */
function shapeInput(ctx: TfOpContext, index: number, what: string): { dims: (number | null)[]; onnxName: () => string } {
  const value = ctx.input(index);
  if (value.dtype !== 'int32' || value.shape.length !== 1) throw ctx.invalid(`its ${what} must be a 1-D int32 tensor, got ${value.dtype} ${formatShape(value.shape)}`);
  const length = value.shape[0];
  const dims = knownValues(value) ?? (length === null ? undefined : new Array<number | null>(length).fill(null));
  if (dims === undefined) throw ctx.unsupported(`its ${what} has an unknown length, so the result's rank is unknown`);
  const onnxName = () => (isConstant(value) ? ctx.graph.int64Constant('shape', numbers(value)) : ctx.cast(ctx.logical(value), 'int64'));
  return { dims, onnxName };
}

function convertFill(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const { dims, onnxName } = shapeInput(ctx, 0, 'dims');
  const value = ctx.input(1);
  if (isConstant(value) && dims.every((d) => d !== null) && elementCount(dims as number[]) <= MAX_FOLDED_ELEMENTS) {
    return constantTensor(value.dtype, dims as number[], new Array(elementCount(dims as number[])).fill((value.values as ArrayLike<number>)[0]));
  }
  return ctx.result(ctx.graph.node('Expand', [ctx.logical(value), onnxName()]), dims, value.dtype);
}

function convertRange(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const dtype = ctx.attrs.dtype('Tidx', ctx.input(0).dtype);
  if (ctx.inputs.every(isConstant)) {
    const [start, limit, delta] = ctx.inputs.map((input) => numbers(input as ConstantTensor)[0]);
    if (delta === 0) throw ctx.invalid('its delta is 0');
    const count = Math.max(0, Math.ceil((limit - start) / delta));
    return constantTensor(dtype, [count], range(count, start, delta));
  }
  const [start, limit, delta] = ctx.inputs.map((input) => ctx.logical(input));
  return ctx.result(ctx.graph.node('Range', [start, limit, delta]), [null], dtype);
}

/** LinSpace(start, stop, num): num evenly spaced values from start to stop, start + i·(stop − start)/(num − 1). */
function convertLinSpace(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const [start, stop] = ctx.inputs;
  const count = ctx.int(2, 'num');
  if (count < 1) throw ctx.invalid(`its num ${count} must be at least 1`);
  if (start.shape.length !== 0 || stop.shape.length !== 0) throw ctx.invalid('its start and stop must be scalars');
  if (isConstant(start) && isConstant(stop)) {
    const [a, b] = [numbers(start)[0], numbers(stop)[0]];
    return constantTensor('float32', [count], range(count).map((i) => (count === 1 ? a : a + (i * (b - a)) / (count - 1))));
  }
  const g = ctx.graph;
  const first = ctx.logical(start);
  const step = g.node('Div', [g.node('Sub', [ctx.logical(stop), first]), g.scalar('intervals', Math.max(count - 1, 1))]);
  const y = g.node('Add', [first, g.node('Mul', [g.floatConstant('steps', [count], range(count)), step])]);
  return ctx.result(y, [count], 'float32');
}

function filledLike(ctx: TfOpContext, fill: number): TfValue {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  if (x.shape.every((size) => size !== null) && elementCount(x.shape as number[]) <= MAX_FOLDED_ELEMENTS) {
    return constantTensor(x.dtype, x.shape as number[], new Array(elementCount(x.shape as number[])).fill(fill));
  }
  // Expand to the stored shape, so the result keeps x's layout.
  const value = x as TensorValue;
  const y = ctx.graph.node('Expand', [ctx.onnx(scalarConstant(x.dtype, fill), []), ctx.graph.node('Shape', [value.onnxName])]);
  return tensorValue(y, x.shape, value.perm, x.dtype);
}

function convertBroadcastTo(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const { dims, onnxName } = shapeInput(ctx, 1, 'shape');
  const shape = broadcastDims([x.shape, dims], () => ctx.invalid(`cannot broadcast ${formatShape(x.shape)} to ${formatShape(dims)}`));
  return ctx.result(ctx.graph.node('Expand', [ctx.logical(x), onnxName()]), shape, x.dtype);
}

/**
 * BroadcastArgs(s0, s1): the shape two shapes broadcast to. Known sizes fold (a size-1 entry
 * takes the other's); the rest is computed from the shapes left-padded with 1s.
 */
function convertBroadcastArgs(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const shapes = [shapeInput(ctx, 0, 's0'), shapeInput(ctx, 1, 's1')];
  const rank = Math.max(...shapes.map((shape) => shape.dims.length));
  const padded = shapes.map((shape) => [...new Array<number>(rank - shape.dims.length).fill(1), ...shape.dims]);
  const known = padded[0].map((a, i) => {
    const b = padded[1][i];
    if (a === 1) return b;
    if (b === 1) return a;
    if (a !== null && b !== null && a !== b) throw ctx.invalid(`shapes ${formatShape(shapes[0].dims)} and ${formatShape(shapes[1].dims)} do not broadcast`);
    return a ?? b;
  });
  if (known.every((size) => size !== null)) return constantTensor('int32', [rank], known as number[]);
  const g = ctx.graph;
  const [a, b] = shapes.map((shape, i) => {
    const value = ctx.logical(ctx.input(i));
    const missing = rank - shape.dims.length;
    return missing === 0 ? value : g.node('Concat', [ctx.onnx(constantTensor('int32', [missing], new Array<number>(missing).fill(1))), value], { axis: attr.int(0) });
  });
  const y = g.node('Where', [g.node('Equal', [a, ctx.onnx(scalarConstant('int32', 1), [])]), b, a]);
  return setKnownValues(ctx.result(y, [rank], 'int32'), known);
}

/** Resolves one -1 in a reshape target when the element count is known. */
function reshapeTarget(ctx: TfOpContext, input: readonly Dim[], target: (number | null)[]): (number | null)[] {
  const wildcard = target.indexOf(-1);
  if (target.filter((size) => size === -1).length > 1) throw ctx.invalid(`its shape [${target.join(', ')}] has more than one -1`);
  if (wildcard < 0) return target;
  const total = input.every((size) => size !== null) ? elementCount(input as number[]) : null;
  const rest = target.filter((_, i) => i !== wildcard);
  const known = rest.every((size) => size !== null) ? elementCount(rest as number[]) : null;
  const resolved = [...target];
  resolved[wildcard] = total !== null && known !== null && known !== 0 ? total / known : null;
  if (resolved[wildcard] !== null && !Number.isInteger(resolved[wildcard])) throw ctx.invalid(`cannot reshape ${formatShape(input)} to [${target.join(', ')}]`);
  return resolved;
}

/**
 * The result's static sizes when they are not all known: a target whose first size is unknown
 * and whose input has only its batch unknown reshapes per example (the SSD head's
 * `Reshape(x, Pack(Shape(x)[0], -1, 4))`), so the -1 is the per-example count. The ONNX Reshape
 * itself always gets the graph's own shape tensor, so this only annotates sizes.
 */
function perExampleTarget(input: readonly Dim[], target: (number | null)[]): (number | null)[] {
  const wildcard = target.indexOf(-1);
  const perExample = input.slice(1);
  if (input[0] !== null || wildcard <= 0 || target[0] !== null || perExample.some((s) => s === null)) return target.map((s) => (s === -1 ? null : s));
  const rest = target.filter((_, i) => i !== 0 && i !== wildcard);
  if (rest.some((s) => s === null)) return target.map((s) => (s === -1 ? null : s));
  const resolved = [...target];
  resolved[wildcard] = elementCount(perExample as number[]) / elementCount(rest as number[]);
  return Number.isInteger(resolved[wildcard]) ? resolved : target.map((s) => (s === -1 ? null : s));
}

function convertReshape(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const shapeValue = ctx.input(1);
  const { dims, onnxName } = shapeInput(ctx, 1, 'shape');
  const exact = reshapeTarget(ctx, x.shape, dims);
  const shape = exact.some((size) => size === null) ? perExampleTarget(x.shape, dims) : exact;
  if (isConstant(x) && shape.every((size) => size !== null)) {
    if (elementCount(shape as number[]) !== elementCount(x.shape)) throw ctx.invalid(`cannot reshape ${formatShape(x.shape)} to [${dims.join(', ')}]`);
    return reshapeConstant(x, shape as number[]);
  }
  // ONNX Reshape reads 0 as "copy this size"; TensorFlow means an empty axis.
  const zero = dims.includes(0);
  if (zero && ctx.opset < 14) throw ctx.unsupported('a reshape to a size-0 axis needs opset 14 or later (allowzero)');
  // A target known now is written out, with the one unknown size (if any) as -1.
  const unknown = exact.filter((size) => size === null).length;
  const target = isConstant(shapeValue) || unknown > 1 ? onnxName() : ctx.graph.int64Constant('shape', exact.map((size) => size ?? -1));
  const y = ctx.graph.node('Reshape', [ctx.logical(x), target], zero ? { allowzero: attr.int(1) } : {});
  return partialResult(ctx.result(y, shape, x.dtype), x.shape.length <= 1 && shape.length <= 1 ? knownValues(x) : undefined);
}

function convertSqueeze(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  const rank = x.shape.length;
  const requested = ctx.attrs.ints('squeeze_dims', ctx.attrs.ints('axis', []));
  const axes = requested.length > 0 ? requested.map((axis) => ctx.axis(axis, rank)) : identityPermutation(rank).filter((axis) => x.shape[axis] === 1);
  if (requested.length === 0 && x.shape.some((size) => size === null)) throw ctx.unsupported(`squeezing every size-1 axis of ${formatShape(x.shape)} needs all sizes known`);
  for (const axis of axes) if (x.shape[axis] !== 1 && x.shape[axis] !== null) throw ctx.invalid(`cannot squeeze axis ${axis} of ${formatShape(x.shape)}`);
  const shape = x.shape.filter((_, axis) => !axes.includes(axis));
  if (isConstant(x)) return reshapeConstant(x, shape as number[]);
  if (axes.length === 0) return x;
  // Squeezed in place: the remaining axes keep their stored order.
  const physical = axes.map((axis) => physicalAxis(x.perm, axis)).sort((a, b) => a - b);
  const y = ctx.graph.node('Squeeze', [x.onnxName, ctx.graph.int64Constant('axes', physical)]);
  return partialResult(tensorValue(y, shape, permutationAfterRemovingAxes(x.perm, axes), x.dtype), rank === 1 ? knownValues(x) : undefined);
}

function convertExpandDims(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const axis = ctx.axis(ctx.int(1, 'axis'), x.shape.length + 1);
  const shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)];
  if (isConstant(x)) return reshapeConstant(x, shape as number[]);
  const y = unsqueeze(ctx, ctx.logical(x), [axis]);
  return partialResult(ctx.result(y, shape, x.dtype), x.shape.length === 0 ? knownValues(x) : undefined);
}

/** Transpose records the new layout; the data moves only where a consumer needs another one. */
function convertTranspose(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const perm = ctx.ints(1, 'perm').map((axis) => ctx.axis(axis, x.shape.length));
  if (perm.length !== x.shape.length || new Set(perm).size !== perm.length) throw ctx.invalid(`perm [${perm.join(', ')}] is not a permutation of the input's ${x.shape.length} axes`);
  if (isConstant(x)) return transposeConstant(x, perm);
  // Output axis j is input axis perm[j]; the stored data stays, described with a composed permutation.
  const stored = x.perm.map((inputAxis) => perm.indexOf(inputAxis));
  return tensorValue(x.onnxName, perm.map((axis) => x.shape[axis]), stored, x.dtype);
}

function convertTile(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const multiplesValue = ctx.input(1);
  if (!isConstant(multiplesValue)) {
    const y = ctx.graph.node('Tile', [ctx.logical(x), ctx.cast(ctx.logical(multiplesValue), 'int64')]);
    return ctx.result(y, x.shape.map(() => null), x.dtype);
  }
  const multiples = ctx.ints(1, 'multiples');
  if (multiples.length !== x.shape.length) throw ctx.invalid(`multiples [${multiples.join(', ')}] do not match the input's rank ${x.shape.length}`);
  const shape = x.shape.map((size, i) => (size === null ? null : size * multiples[i]));
  const runtime = isConstant(x) ? ctx.result(ctx.onnx(x), x.shape, x.dtype) : x;
  const y = ctx.graph.node('Tile', [runtime.onnxName, ctx.graph.int64Constant('repeats', runtime.perm.map((axis) => multiples[axis]))]);
  return tensorValue(y, shape, runtime.perm, x.dtype);
}

export const plumbingOps: TfOpTable = {
  Identity: passThrough,
  StopGradient: passThrough,
  Snapshot: passThrough,
  EnsureShape: passThrough,
  // Print returns its first input; what it prints is left out.
  Print: passThrough,
  PlaceholderWithDefault: passThrough,
  IdentityN: convertIdentityN,
  NoOp: () => [],
  Cast: convertCast,
  Shape: convertShape,
  ShapeN: convertShapeN,
  BroadcastArgs: convertBroadcastArgs,
  Size: convertSize,
  Rank: convertRank,
  Fill: convertFill,
  Range: convertRange,
  LinSpace: convertLinSpace,
  ZerosLike: (ctx) => filledLike(ctx, 0),
  OnesLike: (ctx) => filledLike(ctx, 1),
  BroadcastTo: convertBroadcastTo,
  Reshape: convertReshape,
  Squeeze: convertSqueeze,
  ExpandDims: convertExpandDims,
  Transpose: convertTranspose,
  Tile: convertTile,
  ...paddingOps,
};
