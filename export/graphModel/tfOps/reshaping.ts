/**
 * Ops that rearrange a value without computing new elements: Reshape, Squeeze, ExpandDims,
 * Transpose, Tile and BroadcastTo. Transpose costs nothing: it only changes the recorded layout,
 * so a Transpose into NCHW before a convolution cancels against the one the convolution would
 * need. Squeeze happens where the value is stored; Reshape needs TensorFlow's own axis order.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { identityPermutation, permutationAfterRemovingAxes, physicalAxis } from '../../backend/graph/layout.ts';
import { unsqueeze } from '../../backend/graph/ops.ts';
import { formatShape, tensorValue, type Dim } from '../../backend/graph/tensorValue.ts';
import { elementCount, isConstant, reshapeConstant, transposeConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { broadcastDims } from './elementwise.ts';
import { knownValues, partialResult } from './partialValues.ts';
import type { TfOpTable } from './registry.ts';
import { shapeInput } from './shapes.ts';

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
  if (resolved[wildcard] !== null && !Number.isInteger(resolved[wildcard]))
    throw ctx.invalid(`cannot reshape ${formatShape(input)} to [${target.join(', ')}]`);
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
  if (input[0] !== null || wildcard <= 0 || target[0] !== null || perExample.some((s) => s === null))
    return target.map((s) => (s === -1 ? null : s));
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
    if (elementCount(shape as number[]) !== elementCount(x.shape))
      throw ctx.invalid(`cannot reshape ${formatShape(x.shape)} to [${dims.join(', ')}]`);
    return reshapeConstant(x, shape as number[]);
  }
  // ONNX Reshape reads 0 as "copy this size"; TensorFlow means an empty axis.
  const zero = dims.includes(0);
  if (zero && ctx.opset < 14) throw ctx.unsupported('a reshape to a size-0 axis needs opset 14 or later (allowzero)');
  // A target known now is written out, with the one unknown size (if any) as -1.
  const unknown = exact.filter((size) => size === null).length;
  const target =
    isConstant(shapeValue) || unknown > 1
      ? onnxName()
      : ctx.graph.int64Constant(
          'shape',
          exact.map((size) => size ?? -1),
        );
  const y = ctx.graph.node('Reshape', [ctx.logical(x), target], zero ? { allowzero: attr.int(1) } : {});
  return partialResult(ctx.result(y, shape, x.dtype), x.shape.length <= 1 && shape.length <= 1 ? knownValues(x) : undefined);
}

function convertSqueeze(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  const rank = x.shape.length;
  const requested = ctx.attrs.ints('squeeze_dims', ctx.attrs.ints('axis', []));
  const axes =
    requested.length > 0 ? requested.map((axis) => ctx.axis(axis, rank)) : identityPermutation(rank).filter((axis) => x.shape[axis] === 1);
  if (requested.length === 0 && x.shape.some((size) => size === null))
    throw ctx.unsupported(`squeezing every size-1 axis of ${formatShape(x.shape)} needs all sizes known`);
  for (const axis of axes)
    if (x.shape[axis] !== 1 && x.shape[axis] !== null) throw ctx.invalid(`cannot squeeze axis ${axis} of ${formatShape(x.shape)}`);
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
  if (perm.length !== x.shape.length || new Set(perm).size !== perm.length)
    throw ctx.invalid(`perm [${perm.join(', ')}] is not a permutation of the input's ${x.shape.length} axes`);
  if (isConstant(x)) return transposeConstant(x, perm);
  // Output axis j is input axis perm[j]; the stored data stays, described with a composed permutation.
  const stored = x.perm.map((inputAxis) => perm.indexOf(inputAxis));
  return tensorValue(
    x.onnxName,
    perm.map((axis) => x.shape[axis]),
    stored,
    x.dtype,
  );
}

function convertTile(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const multiplesValue = ctx.input(1);
  if (!isConstant(multiplesValue)) {
    const y = ctx.graph.node('Tile', [ctx.logical(x), ctx.cast(ctx.logical(multiplesValue), 'int64')]);
    return ctx.result(
      y,
      x.shape.map(() => null),
      x.dtype,
    );
  }
  const multiples = ctx.ints(1, 'multiples');
  if (multiples.length !== x.shape.length)
    throw ctx.invalid(`multiples [${multiples.join(', ')}] do not match the input's rank ${x.shape.length}`);
  const shape = x.shape.map((size, i) => (size === null ? null : size * multiples[i]));
  const runtime = ctx.runtime(x);
  const y = ctx.graph.node('Tile', [
    runtime.onnxName,
    ctx.graph.int64Constant(
      'repeats',
      runtime.perm.map((axis) => multiples[axis]),
    ),
  ]);
  return tensorValue(y, shape, runtime.perm, x.dtype);
}

function convertBroadcastTo(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const { dims, onnxName } = shapeInput(ctx, 1, 'shape');
  const shape = broadcastDims([x.shape, dims], () => ctx.invalid(`cannot broadcast ${formatShape(x.shape)} to ${formatShape(dims)}`));
  return ctx.result(ctx.graph.node('Expand', [ctx.logical(x), onnxName()]), shape, x.dtype);
}

export const reshapingOps: TfOpTable = {
  BroadcastTo: convertBroadcastTo,
  Reshape: convertReshape,
  Squeeze: convertSqueeze,
  ExpandDims: convertExpandDims,
  Transpose: convertTranspose,
  Tile: convertTile,
};
