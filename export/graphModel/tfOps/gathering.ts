/**
 * Gathering and selecting elements: GatherV2, Gather (v1), GatherNd, Where (the coordinates of
 * true elements, or with three inputs a SelectV2) and Select/SelectV2. Constant gathers are
 * folded, and gathers from partly known shape vectors keep what is known.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { unsqueeze } from '../../backend/graph/ops.ts';
import { formatShape, tensorValue } from '../../backend/graph/tensorValue.ts';
import {
  isConstant,
  mapElementwise,
  numbers,
  range,
  reshapeConstant,
  selectConstant,
  type ConstantTensor,
  type TfValue,
} from './constant.ts';
import type { TfOpContext } from './context.ts';
import { alignElementwise, commonDtype } from './elementwise.ts';
import { knownValues, partialResult } from './partialValues.ts';
import type { TfOpTable } from './registry.ts';

function convertGather(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2, true);
  const [params, indices] = ctx.inputs;
  const axis = ctx.axis(ctx.op === 'GatherV2' ? ctx.int(2, 'axis') : 0, params.shape.length);
  if (ctx.attrs.int('batch_dims', 0) !== 0) throw ctx.unsupported('batch_dims other than 0 is not supported');
  const shape = [...params.shape.slice(0, axis), ...indices.shape, ...params.shape.slice(axis + 1)];
  if (isConstant(params) && isConstant(indices)) {
    const picks = numbers(indices).map((i) => (i < 0 ? i + (params.shape[axis] as number) : i));
    const picked = selectConstant(
      params,
      params.shape.map((size, i) => (i === axis ? picks : range(size))),
    );
    return reshapeConstant(picked, shape as number[]);
  }
  const known = params.shape.length === 1 && isConstant(indices) ? knownValues(params) : undefined;
  const y = ctx.graph.node('Gather', [ctx.logical(params), ctx.logical(indices)], { axis: attr.int(axis) });
  return partialResult(
    ctx.result(y, shape, params.dtype),
    known ? numbers(indices as ConstantTensor).map((i) => known[i < 0 ? i + known.length : i]) : undefined,
  );
}

function convertGatherNd(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const [params, indices] = ctx.inputs;
  const depth = indices.shape[indices.shape.length - 1];
  if (depth === null) throw ctx.unsupported(`needs the last size of the indices, but they are ${formatShape(indices.shape)}`);
  const shape = [...indices.shape.slice(0, -1), ...params.shape.slice(depth)];
  const y = ctx.graph.node('GatherND', [ctx.logical(params), ctx.cast(ctx.logical(indices), 'int64')]);
  return ctx.result(y, shape, params.dtype);
}

/** Where(condition): the coordinates of true elements, [count, rank] int32 (ONNX NonZero gives [rank, count] int64). */
function convertWhere(ctx: TfOpContext): TfValue {
  if (ctx.inputs.length === 3) return convertSelect(ctx, true);
  ctx.requireInputs(1);
  const condition = ctx.runtime(ctx.input(0));
  const coordinates = ctx.graph.node('Transpose', [ctx.graph.node('NonZero', [ctx.logical(condition)])], { perm: attr.ints([1, 0]) });
  return ctx.result(ctx.toInt32(coordinates), [null, condition.shape.length], 'int32');
}

/** Select picks whole rows when the condition is a vector and the values are not (TF v1); SelectV2 broadcasts. */
function convertSelect(ctx: TfOpContext, broadcasting: boolean): TfValue {
  ctx.requireInputs(3);
  let [condition, onTrue, onFalse] = ctx.inputs;
  const rank = Math.max(onTrue.shape.length, onFalse.shape.length);
  if (!broadcasting && condition.shape.length === 1 && rank > 1) {
    const shape = [condition.shape[0], ...new Array<number>(rank - 1).fill(1)];
    condition = isConstant(condition)
      ? reshapeConstant(condition, shape as number[])
      : ctx.result(unsqueeze(ctx, ctx.logical(condition), range(rank - 1, 1)), shape, 'bool');
  }
  const values = [condition, onTrue, onFalse];
  if (values.every(isConstant)) return mapElementwise(values as ConstantTensor[], commonDtype([onTrue, onFalse]), (c, t, f) => (c ? t : f));
  const { names, perm, shape } = alignElementwise(ctx, values);
  return tensorValue(ctx.graph.node('Where', names), shape, perm, commonDtype([onTrue, onFalse]));
}

export const gatheringOps: TfOpTable = {
  GatherV2: convertGather,
  Gather: convertGather,
  GatherNd: convertGatherNd,
  Where: convertWhere,
  Select: (ctx) => convertSelect(ctx, false),
  SelectV2: (ctx) => convertSelect(ctx, true),
};
