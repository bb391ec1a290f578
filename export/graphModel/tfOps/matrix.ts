/**
 * Matrix ops: MatMul, BatchMatMul (V1, V2), tfjs-converter's _FusedMatMul (BiasAdd, then an
 * activation), Einsum, which ONNX has as such, and MatrixBandPart. Transposed operands that are
 * constants are transposed once at conversion; run-time ones with a Transpose of their last two
 * axes.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { identityPermutation } from '../../backend/graph/layout.ts';
import type { Dim, TensorValue } from '../../backend/graph/tensorValue.ts';
import { applyActivation } from './activations.ts';
import { constantTensor, isConstant, scalarConstant, transposeConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { broadcastDims, elementwiseNode } from './elementwise.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

function swapLastTwo(rank: number): number[] {
  const perm = identityPermutation(rank);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** The operand in TF's layout, with its last two axes swapped when `transpose` is set. */
function operand(ctx: TfOpContext, value: TfValue, transpose: boolean): { name: string; shape: Dim[] } {
  const rank = value.shape.length;
  if (rank < 2) throw ctx.invalid(`its operands must have rank 2 or more, got [${value.shape.join(', ')}]`);
  if (!transpose) return { name: ctx.logical(value), shape: [...value.shape] };
  const perm = swapLastTwo(rank);
  const shape = perm.map((axis) => value.shape[axis]);
  if (isConstant(value)) return { name: ctx.logical(transposeConstant(value, perm)), shape };
  // Reading it as stored-with-swapped-axes is one Transpose, shared with any other reader.
  return { name: ctx.onnx(value, perm), shape };
}

function matMul(ctx: TfOpContext, transposeA: boolean, transposeB: boolean): TensorValue {
  const a = operand(ctx, ctx.input(0), transposeA);
  const b = operand(ctx, ctx.input(1), transposeB);
  const batch = broadcastDims([a.shape.slice(0, -2), b.shape.slice(0, -2)], () =>
    ctx.invalid("its operands' batch dimensions do not broadcast"),
  );
  const shape = [...batch, a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]];
  return ctx.result(ctx.graph.node('MatMul', [a.name, b.name]), shape, 'float32');
}

function convertMatMul(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  return matMul(ctx, ctx.attrs.bool('transpose_a'), ctx.attrs.bool('transpose_b'));
}

function convertBatchMatMul(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  return matMul(ctx, ctx.attrs.bool('adj_x'), ctx.attrs.bool('adj_y'));
}

function convertFusedMatMul(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2, true);
  const ops = ctx.attrs.strings('fused_ops');
  let y = matMul(ctx, ctx.attrs.bool('transpose_a'), ctx.attrs.bool('transpose_b'));
  let rest = ops;
  if (ops[0] === 'BiasAdd') {
    y = elementwiseNode(ctx, 'Add', [y, ctx.input(2)], 'float32');
    rest = ops.slice(1);
  }
  if (rest.length > 1) throw ctx.unsupported(`fused_ops ${ops.join(', ')} is not supported (at most BiasAdd, then one activation)`);
  if (rest.length === 0) return y;
  const alphaIndex = ops[0] === 'BiasAdd' ? 3 : 2;
  return applyActivation(ctx, y, rest[0], { leakyReluAlpha: ctx.attrs.float('leakyrelu_alpha', 0.2), preluAlpha: ctx.inputs[alphaIndex] });
}

/** Einsum maps one to one; the result's sizes follow from the equation's output letters. */
function convertEinsum(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1, true);
  const equation = ctx.attrs.string('equation').replace(/\s+/g, '');
  const [lhs, output] = equation.split('->');
  if (output === undefined || equation.includes('.'))
    throw ctx.unsupported(`equation "${equation}" is not supported (needs an explicit output and no ellipsis)`);
  const terms = lhs.split(',');
  if (terms.length !== ctx.inputs.length)
    throw ctx.invalid(`equation "${equation}" names ${terms.length} operands, the node has ${ctx.inputs.length}`);
  const sizes = new Map<string, Dim>();
  terms.forEach((term, i) => {
    [...term].forEach((letter, axis) => {
      const size = ctx.inputs[i].shape[axis];
      if (size !== null && size !== 1) sizes.set(letter, size);
      else if (!sizes.has(letter)) sizes.set(letter, size);
    });
  });
  const shape = [...output].map((letter) => sizes.get(letter) ?? null);
  const y = ctx.graph.node(
    'Einsum',
    ctx.inputs.map((input) => ctx.logical(input)),
    { equation: attr.string(equation) },
  );
  return ctx.result(y, shape, 'float32');
}

/**
 * MatrixBandPart(x, num_lower, num_upper) keeps x[..., m, n] where (num_lower < 0 or
 * m − n ≤ num_lower) and (num_upper < 0 or n − m ≤ num_upper) and zeros the rest; (−1, 0) is
 * the causal mask of attention. From opset 14 it is one ONNX Trilu per bound (Trilu's k counts
 * diagonals above the main one); before, a constant band mask of the matrix size selects.
 */
function convertMatrixBandPart(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const x = ctx.input(0);
  const rank = x.shape.length;
  if (rank < 2) throw ctx.invalid(`its input must have rank 2 or more, got [${x.shape.join(', ')}]`);
  const lower = ctx.int(1, 'num_lower');
  const upper = ctx.int(2, 'num_upper');
  const g = ctx.graph;
  const k = (value: number) => g.initializer('k', [], 'int64', BigInt64Array.of(BigInt(value)));
  let y = ctx.logical(x);
  if (ctx.opset >= 14 && (x.dtype === 'float32' || x.dtype === 'int32')) {
    if (upper >= 0) y = g.node('Trilu', [y, k(upper)], { upper: attr.int(0) });
    if (lower >= 0) y = g.node('Trilu', [y, k(-lower)], { upper: attr.int(1) });
    return ctx.result(y, x.shape, x.dtype);
  }
  const [rows, columns] = x.shape.slice(-2);
  if (rows === null || columns === null)
    throw ctx.unsupported(
      `needs the matrix size, but the input is [${x.shape.join(', ')}] (or opset 14 or later for float32 and int32 input)`,
    );
  const mask = Array.from({ length: rows * columns }, (_, i) => {
    const [m, n] = [Math.floor(i / columns), i % columns];
    return Number((lower < 0 || m - n <= lower) && (upper < 0 || n - m <= upper));
  });
  const zero = ctx.onnx(scalarConstant(x.dtype, 0), []);
  return ctx.result(g.node('Where', [ctx.onnx(constantTensor('bool', [rows, columns], mask)), y, zero]), x.shape, x.dtype);
}

const batchMatMul: TfOpHandler = convertBatchMatMul;

export const matrixOps: TfOpTable = {
  MatMul: convertMatMul,
  BatchMatMul: batchMatMul,
  BatchMatMulV2: batchMatMul,
  _FusedMatMul: convertFusedMatMul,
  Einsum: convertEinsum,
  MatrixBandPart: convertMatrixBandPart,
};
