/**
 * TensorArray V3 ops (TF1 exports: tf.map_fn, tf.while_loop with TensorArrays). The handle only
 * says what the array holds; its contents travel with the flow value each op takes and returns,
 * which is where the list forms of lists.ts live. Loops therefore carry the flow, as TF does.
 */
import type { TfValue } from '../tfOps/constant.ts';
import type { TfOpContext } from '../tfOps/context.ts';
import type { TfOpTable } from '../tfOps/registry.ts';
import { emptySequence, handleList } from './lists.ts';
import { concat, gather, getItem, length, requireList, scatter, setItem, split } from './listOps.ts';

/** [handle, flow]: the flow starts as an empty list. */
function convertTensorArray(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(1);
  const dtype = ctx.attrs.dtype('dtype');
  const elementShape = ctx.attrs.shape('element_shape');
  return [handleList(dtype, elementShape), emptySequence(ctx, dtype, elementShape)];
}

/** Scatter into a fresh array is a new list; into a written one, rows replaced in its stacked form. */
function convertScatter(ctx: TfOpContext): TfValue {
  ctx.requireInputs(4);
  const flow = requireList(ctx, ctx.input(3), 'flow');
  if (!flow.list.empty) throw ctx.unsupported('scattering into a TensorArray that already holds elements');
  return scatter(ctx, ctx.input(2), ctx.input(1), undefined);
}

const flowAt = (index: number) => (ctx: TfOpContext) => requireList(ctx, ctx.input(index), 'flow');

export const tensorArrayOps: TfOpTable = {
  TensorArrayV3: convertTensorArray,
  TensorArrayWriteV3: (ctx) => setItem(ctx, flowAt(3)(ctx), ctx.input(1), ctx.input(2)),
  TensorArrayReadV3: (ctx) => getItem(ctx, flowAt(2)(ctx), ctx.input(1)),
  TensorArrayGatherV3: (ctx) => gather(ctx, flowAt(2)(ctx), ctx.input(1)),
  TensorArrayScatterV3: convertScatter,
  TensorArrayConcatV3: (ctx) => concat(ctx, flowAt(1)(ctx)),
  TensorArraySplitV3: (ctx) => split(ctx, ctx.input(1), ctx.input(2)),
  TensorArraySizeV3: (ctx) => length(ctx, flowAt(1)(ctx)),
  TensorArrayCloseV3: () => [],
};
