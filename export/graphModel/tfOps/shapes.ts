/**
 * Shapes as values: Shape, ShapeN, Size, Rank and BroadcastArgs. They fold to constants wherever
 * the input's sizes are static, and stay partly known (partialValues.ts) where only the batch is
 * symbolic, so the Reshape they feed still knows its other sizes. `shapeInput` reads a shape
 * operand the same way for the ops that take one (Fill, Reshape, BroadcastTo).
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { identityPermutation, isIdentityPermutation, physicalAxis } from '../../backend/graph/layout.ts';
import { formatShape, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { constantTensor, elementCount, isConstant, numbers, scalarConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { knownValues, setKnownValues } from './partialValues.ts';
import type { TfOpTable } from './registry.ts';

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
export function shapeInput(ctx: TfOpContext, index: number, what: string): { dims: (number | null)[]; onnxName: () => string } {
  const value = ctx.input(index);
  if (value.dtype !== 'int32' || value.shape.length !== 1)
    throw ctx.invalid(`its ${what} must be a 1-D int32 tensor, got ${value.dtype} ${formatShape(value.shape)}`);
  const length = value.shape[0];
  const dims = knownValues(value) ?? (length === null ? undefined : new Array<number | null>(length).fill(null));
  if (dims === undefined) throw ctx.unsupported(`its ${what} has an unknown length, so the result's rank is unknown`);
  const onnxName = () => (isConstant(value) ? ctx.graph.int64Constant('shape', numbers(value)) : ctx.cast(ctx.logical(value), 'int64'));
  return { dims, onnxName };
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
    if (a !== null && b !== null && a !== b)
      throw ctx.invalid(`shapes ${formatShape(shapes[0].dims)} and ${formatShape(shapes[1].dims)} do not broadcast`);
    return a ?? b;
  });
  if (known.every((size) => size !== null)) return constantTensor('int32', [rank], known as number[]);
  const g = ctx.graph;
  const [a, b] = shapes.map((shape, i) => {
    const value = ctx.logical(ctx.input(i));
    const missing = rank - shape.dims.length;
    return missing === 0
      ? value
      : g.node('Concat', [ctx.onnx(constantTensor('int32', [missing], new Array<number>(missing).fill(1))), value], { axis: attr.int(0) });
  });
  const y = g.node('Where', [g.node('Equal', [a, ctx.onnx(scalarConstant('int32', 1), [])]), b, a]);
  return setKnownValues(ctx.result(y, [rank], 'int32'), known);
}

export const shapeOps: TfOpTable = {
  Shape: convertShape,
  ShapeN: convertShapeN,
  BroadcastArgs: convertBroadcastArgs,
  Size: convertSize,
  Rank: convertRank,
};
