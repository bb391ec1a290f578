/**
 * TensorList ops (TF2 exports: tf.map_fn, tf.while_loop with accumulators, tf.TensorArray in
 * tf.function) on the list forms of lists.ts; the operations themselves are in listOps.ts.
 */
import type { TfValue } from '../tfOps/constant.ts';
import type { TfOpContext } from '../tfOps/context.ts';
import type { TfOpTable } from '../tfOps/registry.ts';
import { emptySequence, tensorList } from './lists.ts';
import {
  concat,
  elementShapeInput,
  gather,
  getItem,
  length,
  popBack,
  pushBack,
  requireList,
  resize,
  scatter,
  setItem,
  split,
  stack,
} from './listOps.ts';

/** TensorListReserve and EmptyTensorList: an empty list (tfjs fills a reservation as it is written). */
function convertReserve(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  return emptySequence(ctx, ctx.attrs.dtype('element_dtype'), elementShapeInput(ctx, 0));
}

function convertFromTensor(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const tensor = ctx.input(0);
  if (tensor.shape.length < 1) throw ctx.invalid('its tensor must be at least a vector');
  return tensorList(ctx.logical(tensor), tensor.shape, tensor.dtype);
}

function convertScatter(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3, true);
  const size = ctx.inputs.length > 3 ? ctx.int(3, 'num_elements') : undefined;
  return scatter(ctx, ctx.input(0), ctx.input(1), size);
}

export const tensorListOps: TfOpTable = {
  TensorListReserve: convertReserve,
  EmptyTensorList: convertReserve,
  TensorListFromTensor: convertFromTensor,
  TensorListGetItem: (ctx) => getItem(ctx, requireList(ctx, ctx.input(0)), ctx.input(1)),
  TensorListSetItem: (ctx) => setItem(ctx, requireList(ctx, ctx.input(0)), ctx.input(1), ctx.input(2)),
  TensorListStack: (ctx) => stack(ctx, requireList(ctx, ctx.input(0)), elementShapeInput(ctx, 1)),
  TensorListGather: (ctx) => gather(ctx, requireList(ctx, ctx.input(0)), ctx.input(1)),
  TensorListPushBack: (ctx) => pushBack(ctx, requireList(ctx, ctx.input(0)), ctx.input(1)),
  TensorListPopBack: (ctx) => popBack(ctx, requireList(ctx, ctx.input(0))),
  TensorListLength: (ctx) => length(ctx, requireList(ctx, ctx.input(0))),
  TensorListScatter: convertScatter,
  TensorListScatterV2: convertScatter,
  TensorListConcat: (ctx) => concat(ctx, requireList(ctx, ctx.input(0))),
  TensorListConcatV2: (ctx) => concat(ctx, requireList(ctx, ctx.input(0))),
  TensorListSplit: (ctx) => split(ctx, ctx.input(0), ctx.input(2)),
  TensorListResize: (ctx) => resize(ctx, requireList(ctx, ctx.input(0)), ctx.input(1)),
};
