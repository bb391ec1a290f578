/**
 * Reductions (Mean, Sum, Max, Min, Prod, All, Any, EuclideanNorm), ArgMax/ArgMin, TopKV2 and
 * the cumulative Cumsum. Axes are mapped to where they are stored, so a global average pool over
 * an NCHW value needs no Transpose; constant inputs (the Prod of a shape slice in a Flatten
 * pattern, say) are folded.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { permutationAfterRemovingAxes, physicalAxis } from '../../backend/graph/layout.ts';
import { reduce } from '../../backend/graph/ops.ts';
import { tensorValue, type Dim } from '../../backend/graph/tensorValue.ts';
import { constantTensor, elementCount, isConstant, numbers, stridesOf, type ConstantTensor, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

type ReduceOp = 'ReduceMean' | 'ReduceSum' | 'ReduceMax' | 'ReduceMin' | 'ReduceProd';

interface Reduction {
  onnx: ReduceOp;
  /** Folds a list of values into one. */
  fold: (values: number[]) => number;
  /** Boolean reductions run on int32 in ONNX (ReduceMin/Max take no bool before opset 20). */
  boolean?: boolean;
  /** √(Σ x²): the sum runs over squares and is rooted afterwards (what ONNX ReduceL2 computes). */
  euclidean?: boolean;
}

const reductions: Record<string, Reduction> = {
  Mean: { onnx: 'ReduceMean', fold: (v) => v.reduce((a, b) => a + b, 0) / v.length },
  Sum: { onnx: 'ReduceSum', fold: (v) => v.reduce((a, b) => a + b, 0) },
  Max: { onnx: 'ReduceMax', fold: (v) => Math.max(...v) },
  Min: { onnx: 'ReduceMin', fold: (v) => Math.min(...v) },
  Prod: { onnx: 'ReduceProd', fold: (v) => v.reduce((a, b) => a * b, 1) },
  All: { onnx: 'ReduceMin', fold: (v) => Number(v.every(Boolean)), boolean: true },
  Any: { onnx: 'ReduceMax', fold: (v) => Number(v.some(Boolean)), boolean: true },
  EuclideanNorm: { onnx: 'ReduceSum', fold: (v) => Math.sqrt(v.reduce((a, b) => a + b * b, 0)), euclidean: true },
};

/** Reduction axes from input 1 (a scalar or a list), normalized and sorted. */
function reductionAxes(ctx: TfOpContext, rank: number): number[] {
  const axes = ctx.ints(1, 'reduction axes').map((axis) => ctx.axis(axis, rank));
  return [...new Set(axes)].sort((a, b) => a - b);
}

function reducedShape(shape: readonly Dim[], axes: number[], keepDims: boolean): Dim[] {
  return keepDims ? shape.map((size, axis) => (axes.includes(axis) ? 1 : size)) : shape.filter((_, axis) => !axes.includes(axis));
}

function foldReduction(x: ConstantTensor, axes: number[], keepDims: boolean, reduction: Reduction): ConstantTensor {
  const shape = x.shape;
  const outShape = reducedShape(shape, axes, true) as number[];
  const groups = new Map<number, number[]>();
  const strides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  const values = numbers(x);
  for (let flat = 0; flat < values.length; flat++) {
    let rest = flat;
    let target = 0;
    for (let axis = 0; axis < shape.length; axis++) {
      const coordinate = Math.floor(rest / strides[axis]);
      rest -= coordinate * strides[axis];
      if (!axes.includes(axis)) target += coordinate * outStrides[axis];
    }
    let group = groups.get(target);
    if (!group) {
      group = [];
      groups.set(target, group);
    }
    group.push(values[flat]);
  }
  const result = Array.from({ length: elementCount(outShape) }, (_, i) => reduction.fold(groups.get(i) ?? []));
  const dtype = reduction.boolean ? 'bool' : x.dtype;
  const folded = dtype === 'int32' ? result.map(Math.trunc) : result;
  return constantTensor(dtype, reducedShape(shape, axes, keepDims) as number[], folded);
}

function reductionHandler(reduction: Reduction): TfOpHandler {
  return (ctx) => {
    ctx.requireInputs(2);
    const x = ctx.input(0);
    const axes = reductionAxes(ctx, x.shape.length);
    const keepDims = ctx.attrs.bool('keep_dims');
    if (axes.length === 0) return x;
    if (isConstant(x)) return foldReduction(x, axes, keepDims, reduction);
    if (reduction.euclidean && x.dtype !== 'float32') throw ctx.unsupported(`the euclidean norm of ${x.dtype} is not supported`);
    const physical = axes.map((axis) => physicalAxis(x.perm, axis)).sort((a, b) => a - b);
    let input = reduction.boolean ? ctx.cast(x.onnxName, 'int32') : x.onnxName;
    if (reduction.euclidean) input = ctx.graph.node('Mul', [input, input]);
    let y = reduce(ctx, reduction.onnx, input, physical, keepDims);
    if (reduction.boolean) y = ctx.cast(y, 'bool');
    if (reduction.euclidean) y = ctx.graph.node('Sqrt', [y]);
    const perm = keepDims ? x.perm : permutationAfterRemovingAxes(x.perm, axes);
    return tensorValue(y, reducedShape(x.shape, axes, keepDims), perm, reduction.boolean ? 'bool' : x.dtype);
  };
}

function argHandler(opType: 'ArgMax' | 'ArgMin'): TfOpHandler {
  return (ctx) => {
    ctx.requireInputs(2);
    const x = ctx.runtime(ctx.input(0));
    const axis = ctx.axis(ctx.int(1, 'dimension'), x.shape.length);
    // Ties: both take the first index.
    const y = ctx.graph.node(opType, [x.onnxName], { axis: attr.int(physicalAxis(x.perm, axis)), keepdims: attr.int(0) });
    return tensorValue(ctx.toInt32(y), reducedShape(x.shape, [axis], false), permutationAfterRemovingAxes(x.perm, [axis]), 'int32');
  };
}

/** TopKV2(x, k) along the last axis: values and int32 indices, largest first. */
function convertTopK(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(2);
  const x = ctx.runtime(ctx.input(0));
  const rank = x.shape.length;
  const kValue = ctx.input(1);
  const g = ctx.graph;
  const k = isConstant(kValue)
    ? g.int64Constant('k', [ctx.int(1, 'k')])
    : g.node('Reshape', [ctx.cast(kValue.onnxName, 'int64'), g.int64Constant('shape', [1])]);
  const [values, indices] = g.nodeWithOutputs('TopK', [x.onnxName, k], 2, {
    axis: attr.int(physicalAxis(x.perm, rank - 1)),
    largest: attr.int(1),
    sorted: attr.int(1),
  });
  const shape = [...x.shape.slice(0, -1), isConstant(kValue) ? ctx.int(1, 'k') : null];
  return [tensorValue(values, shape, x.perm, x.dtype), tensorValue(ctx.toInt32(indices), shape, x.perm, 'int32')];
}

/**
 * Cumsum(x, axis) with TensorFlow's exclusive and reverse flags, which ONNX CumSum has too; it
 * runs along the axis where it is stored.
 */
function convertCumsum(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.runtime(ctx.input(0));
  const axis = ctx.axis(ctx.int(1, 'axis'), x.shape.length);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw ctx.unsupported(`a cumulative sum of ${x.dtype} is not supported`);
  const y = ctx.graph.node('CumSum', [x.onnxName, ctx.graph.int64Constant('axis', [physicalAxis(x.perm, axis)])], {
    exclusive: attr.int(ctx.attrs.bool('exclusive') ? 1 : 0),
    reverse: attr.int(ctx.attrs.bool('reverse') ? 1 : 0),
  });
  return tensorValue(y, x.shape, x.perm, x.dtype);
}

export const reductionOps: TfOpTable = {
  ...Object.fromEntries(Object.entries(reductions).map(([name, reduction]) => [name, reductionHandler(reduction)])),
  ArgMax: argHandler('ArgMax'),
  ArgMin: argHandler('ArgMin'),
  TopKV2: convertTopK,
  Cumsum: convertCumsum,
};
