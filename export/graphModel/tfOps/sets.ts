/**
 * Set and counting ops: Unique/UniqueV2 (ONNX Unique in first-occurrence order, as TensorFlow's),
 * ListDiff, LowerBound/UpperBound (a sorted search is a count of smaller elements) and
 * Bincount/DenseBincount (a count is a sum over a comparison with every bin). The comparisons
 * materialize one [elements × bins] (or [values × sequence]) mask, which is exact and fine for
 * the sizes these ops see in models. All work in TensorFlow's layout.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { reduce, unsqueeze } from '../../backend/graph/ops.ts';
import { formatShape, type TfjsElementType } from '../../backend/graph/tensorValue.ts';
import { scalarConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import type { TfOpTable } from './registry.ts';

/** onnxruntime's Unique takes float and int64 but not int32, so int32 runs as int64. */
function uniqueInput(ctx: TfOpContext, x: TfValue): { name: string; restore: (name: string) => string } {
  if (x.dtype === 'float32') return { name: ctx.logical(x), restore: (name) => name };
  if (x.dtype === 'int32') return { name: ctx.cast(ctx.logical(x), 'int64'), restore: (name) => ctx.cast(name, 'int32') };
  throw ctx.unsupported(`unique values of ${x.dtype} are not supported (float32 and int32 are)`);
}

/** Unique(x): the distinct values of a vector in first-occurrence order, and each element's index among them. */
function convertUnique(ctx: TfOpContext, axis: number | undefined): TfValue[] {
  const x = ctx.input(0);
  const input = uniqueInput(ctx, x);
  const [values, , inverse] = ctx.graph.nodeWithOutputs('Unique', [input.name], 4, {
    sorted: attr.int(0),
    ...(axis === undefined ? {} : { axis: attr.int(axis) }),
  });
  const shape = axis === undefined ? [null] : x.shape.map((size, i) => (i === axis ? null : size));
  return [
    ctx.result(input.restore(values), shape, x.dtype),
    ctx.result(ctx.toInt32(inverse), [axis === undefined ? x.shape[0] : x.shape[axis]], 'int32'),
  ];
}

/** UniqueV2(x, axis): unique slices along one axis (an empty axis list means the vector itself). */
function convertUniqueV2(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const axes = ctx.ints(1, 'axis');
  if (axes.length > 1) throw ctx.invalid(`its axis must hold at most one axis, got [${axes.join(', ')}]`);
  if (axes.length === 0 || x.shape.length === 1) {
    ctx.requireRank(x, 1);
    return convertUnique(ctx, undefined);
  }
  return convertUnique(ctx, ctx.axis(axes[0], x.shape.length));
}

/** The [a, b] int32 matrix `compare(a[i], b[j])` of two vectors. */
function pairwise(ctx: TfOpContext, opType: 'Equal' | 'Less' | 'LessOrEqual', a: string, b: string): string {
  return ctx.cast(ctx.graph.node(opType, [unsqueeze(ctx, a, [1]), unsqueeze(ctx, b, [0])]), 'int32');
}

/** ListDiff(x, y): the elements of x not in y, in order, and their positions in x. */
function convertListDiff(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(2);
  const [x, y] = ctx.inputs;
  ctx.requireRank(x, 1);
  ctx.requireRank(y, 1);
  const g = ctx.graph;
  // A sum, not a max, over y's axis: it is 0 (keep) for an empty y too.
  const matches = reduce(ctx, 'ReduceSum', pairwise(ctx, 'Equal', ctx.logical(x), ctx.logical(y)), [1], false);
  const kept = g.node('Equal', [matches, ctx.onnx(scalarConstant('int32', 0), [])]);
  const positions = g.node('Squeeze', [g.node('NonZero', [kept]), g.int64Constant('axes', [0])]);
  const values = g.node('Gather', [ctx.logical(x), positions], { axis: attr.int(0) });
  return [ctx.result(values, [null], x.dtype), ctx.result(ctx.toInt32(positions), [null], 'int32')];
}

/**
 * LowerBound/UpperBound(sorted [B, M], values [B, N]): per row, the index of the first element
 * ≥ (LowerBound) or > (UpperBound) each value, which is the count of elements < (≤) it.
 */
function boundHandler(opType: 'Less' | 'LessOrEqual') {
  return (ctx: TfOpContext): TfValue => {
    ctx.requireInputs(2);
    const [sorted, values] = ctx.inputs;
    ctx.requireRank(sorted, 2, 'sorted sequence');
    ctx.requireRank(values, 2, 'values tensor');
    const g = ctx.graph;
    // [B, N, M]: sorted[b, m] compared with values[b, n].
    const below = g.node(opType, [unsqueeze(ctx, ctx.logical(sorted), [1]), unsqueeze(ctx, ctx.logical(values), [2])]);
    const count = reduce(ctx, 'ReduceSum', ctx.cast(below, 'int32'), [2], false);
    return ctx.result(count, values.shape, 'int32');
  };
}

/**
 * Bincount(arr, size, weights) and DenseBincount(input, size, weights): per bin, the number (or
 * summed weight) of elements equal to it; values outside [0, size) count nowhere. DenseBincount
 * counts each row of a 2-D input, and binary_output gives 1 for any count.
 */
function bincountHandler(dense: boolean) {
  return (ctx: TfOpContext): TfValue => {
    ctx.requireInputs(3);
    const [x, , weights] = ctx.inputs;
    const size = ctx.int(1, 'size');
    if (size < 0) throw ctx.invalid(`its size ${size} is negative`);
    if (x.dtype !== 'int32') throw ctx.invalid(`its input must be int32, got ${x.dtype}`);
    const rows = dense && x.shape.length === 2;
    if (!rows) ctx.requireRank(x, 1);
    const binary = dense && ctx.attrs.bool('binary_output');
    // Empty weights count 1 per element; binary_output ignores the weights.
    const weighted = !binary && !(weights.shape.length === 1 && weights.shape[0] === 0);
    if (weighted && formatShape(weights.shape) !== formatShape(x.shape))
      throw ctx.invalid(`its weights ${formatShape(weights.shape)} must have the input's shape ${formatShape(x.shape)} or be empty`);
    const dtype: TfjsElementType = weights.dtype;
    const g = ctx.graph;
    // [..., K, size]: element k falls into bin i.
    const bins = g.initializer(
      'bins',
      [size],
      'int32',
      Int32Array.from({ length: size }, (_, i) => i),
    );
    let hits = ctx.cast(g.node('Equal', [unsqueeze(ctx, ctx.logical(x), [x.shape.length]), bins]), dtype);
    if (weighted) hits = g.node('Mul', [hits, unsqueeze(ctx, ctx.logical(weights), [x.shape.length])]);
    let counts = reduce(ctx, 'ReduceSum', hits, [x.shape.length - 1], false);
    if (binary) counts = ctx.cast(ctx.cast(counts, 'bool'), dtype);
    return ctx.result(counts, rows ? [x.shape[0], size] : [size], dtype);
  };
}

export const setOps: TfOpTable = {
  Unique: (ctx) => {
    ctx.requireInputs(1);
    ctx.requireRank(ctx.input(0), 1);
    return convertUnique(ctx, undefined);
  },
  UniqueV2: convertUniqueV2,
  ListDiff: convertListDiff,
  LowerBound: boundHandler('Less'),
  UpperBound: boundHandler('LessOrEqual'),
  Bincount: bincountHandler(false),
  DenseBincount: bincountHandler(true),
};
