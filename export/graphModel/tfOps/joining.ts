/**
 * Joining and splitting along an axis: ConcatV2, Concat (v1), Pack, Unpack, Split and SplitV.
 * Constants and partly known shape vectors (Shape → Pack → Reshape) are folded; run-time values
 * are joined and split where they are stored when their layouts agree, and in TensorFlow's
 * layout otherwise.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { identityPermutation, permutationAfterRemovingAxes, physicalAxis, type Permutation } from '../../backend/graph/layout.ts';
import { unsqueeze } from '../../backend/graph/ops.ts';
import { formatShape, tensorValue, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { concatConstants, isConstant, range, reshapeConstant, selectConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { commonDtype } from './elementwise.ts';
import { knownValues, partialResult } from './partialValues.ts';
import type { TfOpTable } from './registry.ts';

/** Common layout of several inputs along an axis op: theirs if all run-time ones agree, else TF's. */
function sharedPerm(values: readonly TfValue[], rank: number): Permutation {
  const runtime = values.filter((value): value is TensorValue => !isConstant(value));
  const perm = runtime[0]?.perm ?? identityPermutation(rank);
  return runtime.every((value) => value.perm.join(',') === perm.join(',')) ? perm : identityPermutation(rank);
}

function concatenate(ctx: TfOpContext, values: TfValue[], axisValue: number): TfValue {
  const rank = values[0].shape.length;
  const axis = ctx.axis(axisValue, rank);
  if (values.some((value) => value.shape.length !== rank)) throw ctx.invalid('its inputs have different ranks');
  if (values.length === 1) return values[0];
  const shape = values[0].shape.map((size, i) => {
    if (i !== axis) return values.find((value) => value.shape[i] !== null)?.shape[i] ?? size;
    return values.every((value) => value.shape[i] !== null) ? values.reduce((sum, value) => sum + (value.shape[i] as number), 0) : null;
  });
  if (values.every(isConstant)) return concatConstants(values, axis);
  const perm = sharedPerm(values, rank);
  const y = ctx.graph.node(
    'Concat',
    values.map((value) => ctx.onnx(value, perm)),
    { axis: attr.int(physicalAxis(perm, axis)) },
  );
  const known = rank === 1 ? values.map(knownValues) : undefined;
  const result = tensorValue(y, shape, perm, commonDtype(values));
  return partialResult(result, known?.every((k) => k !== undefined) ? known.flatMap((k) => k!) : undefined);
}

function convertConcatV2(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2, true);
  return concatenate(ctx, ctx.inputs.slice(0, -1), ctx.int(ctx.inputs.length - 1, 'axis'));
}

/** Concat (v1): the axis comes first. */
function convertConcat(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2, true);
  return concatenate(ctx, ctx.inputs.slice(1), ctx.int(0, 'axis'));
}

function convertPack(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1, true);
  const rank = ctx.inputs[0].shape.length;
  const axis = ctx.axis(ctx.attrs.int('axis', 0), rank + 1);
  const expanded = (value: TfValue): TfValue => {
    const shape = [...value.shape.slice(0, axis), 1, ...value.shape.slice(axis)];
    if (isConstant(value)) return reshapeConstant(value, shape as number[]);
    const known = rank === 0 ? knownValues(value) : undefined;
    return partialResult(ctx.result(unsqueeze(ctx, ctx.logical(value), [axis]), shape, value.dtype), known);
  };
  return concatenate(ctx, ctx.inputs.map(expanded), axis);
}

/** Splits a value into parts along an axis, where it is stored; `squeeze` drops the axis (Unpack). */
function split(ctx: TfOpContext, x: TfValue, axis: number, sizes: number[], squeeze: boolean): TfValue[] {
  const outputShape = (size: number) => (squeeze ? x.shape.filter((_, i) => i !== axis) : x.shape.map((s, i) => (i === axis ? size : s)));
  if (isConstant(x)) {
    let start = 0;
    return sizes.map((size) => {
      const part = selectConstant(
        x,
        x.shape.map((s, i) => (i === axis ? range(size, start) : range(s))),
      );
      start += size;
      return reshapeConstant(part, outputShape(size) as number[]);
    });
  }
  const physical = physicalAxis(x.perm, axis);
  const parts = ctx.graph.nodeWithOutputs('Split', [x.onnxName, ctx.graph.int64Constant('split', sizes)], sizes.length, {
    axis: attr.int(physical),
  });
  return parts.map((part, i) => {
    if (!squeeze) return tensorValue(part, outputShape(sizes[i]), x.perm, x.dtype);
    const squeezed = ctx.graph.node('Squeeze', [part, ctx.graph.int64Constant('axes', [physical])]);
    return tensorValue(squeezed, outputShape(sizes[i]), permutationAfterRemovingAxes(x.perm, [axis]), x.dtype);
  });
}

function axisSize(ctx: TfOpContext, x: TfValue, axis: number): number {
  const size = x.shape[axis];
  if (size === null) throw ctx.unsupported(`splitting along axis ${axis} needs its size, but the input is ${formatShape(x.shape)}`);
  return size;
}

function convertUnpack(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  const axis = ctx.axis(ctx.attrs.int('axis', 0), x.shape.length);
  const count = axisSize(ctx, x, axis);
  const parts = split(ctx, x, axis, new Array<number>(count).fill(1), true);
  const known = x.shape.length === 1 ? knownValues(x) : undefined;
  return known ? parts.map((part, i) => (isConstant(part) ? part : partialResult(part, [known[i]]))) : parts;
}

/** Split(axis, value): num_split equal parts. */
function convertSplit(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(2);
  const x = ctx.input(1);
  const axis = ctx.axis(ctx.int(0, 'axis'), x.shape.length);
  const count = ctx.attrs.int('num_split');
  const size = axisSize(ctx, x, axis);
  if (size % count !== 0) throw ctx.invalid(`cannot split size ${size} into ${count} equal parts`);
  return split(ctx, x, axis, new Array<number>(count).fill(size / count), false);
}

/** SplitV(value, size_splits, axis): sizes, one of which may be -1 (the rest). */
function convertSplitV(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(3);
  const x = ctx.input(0);
  const axis = ctx.axis(ctx.int(2, 'axis'), x.shape.length);
  const sizes = ctx.ints(1, 'size_splits');
  const total = axisSize(ctx, x, axis);
  const rest = total - sizes.filter((s) => s !== -1).reduce((a, b) => a + b, 0);
  const resolved = sizes.map((s) => (s === -1 ? rest : s));
  if (resolved.some((s) => s < 0) || resolved.reduce((a, b) => a + b, 0) !== total)
    throw ctx.invalid(`size_splits [${sizes.join(', ')}] do not add up to ${total}`);
  return split(ctx, x, axis, resolved, false);
}

export const joiningOps: TfOpTable = {
  ConcatV2: convertConcatV2,
  Concat: convertConcat,
  Pack: convertPack,
  Unpack: convertUnpack,
  Split: convertSplit,
  SplitV: convertSplitV,
};
