/**
 * Broadcasting elementwise ops in whatever layout their inputs are stored. When every full-rank
 * run-time input shares one layout (all NCHW inside a convolution run, say), the op runs in it and
 * constants are transposed to match at conversion time, so a residual Add or a bias Mul between
 * convolutions needs no Transpose. Otherwise everything is fetched in TensorFlow's layout.
 */
import { identityPermutation, isIdentityPermutation, type Permutation } from '../../backend/graph/layout.ts';
import { tensorValue, type Dim, type TfjsElementType, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { isConstant, reshapeConstant, type ConstantTensor, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';

/** Broadcast of static shapes where a size may be unknown (null). */
export function broadcastDims(shapes: readonly (readonly Dim[])[], fail: () => Error): Dim[] {
  const rank = Math.max(0, ...shapes.map((shape) => shape.length));
  const result: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let size: Dim = 1;
    for (const shape of shapes) {
      const index = shape.length - rank + i;
      const s = index < 0 ? 1 : shape[index];
      if (s === 1) continue;
      if (size === 1) size = s;
      else if (s !== null && size !== null && s !== size) throw fail();
      else if (size === null) size = s;
    }
    result.push(size);
  }
  return result;
}

const lifted = new WeakMap<ConstantTensor, Map<number, ConstantTensor>>();

/** A constant with leading 1-axes up to `rank` (cached, so its initializers are shared). */
function liftRank(constant: ConstantTensor, rank: number): ConstantTensor {
  if (constant.shape.length === rank) return constant;
  let byRank = lifted.get(constant);
  if (!byRank) {
    byRank = new Map();
    lifted.set(constant, byRank);
  }
  let result = byRank.get(rank);
  if (!result) {
    result = reshapeConstant(constant, [...new Array<number>(rank - constant.shape.length).fill(1), ...constant.shape]);
    byRank.set(rank, result);
  }
  return result;
}

export interface AlignedInputs {
  names: string[];
  /** The layout the op's result is stored in. */
  perm: Permutation;
  shape: Dim[];
}

/** ONNX names of the inputs of a broadcasting op, all in one layout, and the result's shape. */
export function alignElementwise(ctx: TfOpContext, values: readonly TfValue[]): AlignedInputs {
  const shape = broadcastDims(
    values.map((value) => value.shape),
    () => ctx.invalid(`input shapes ${values.map((v) => `[${v.shape.join(', ')}]`).join(' and ')} do not broadcast`),
  );
  const rank = shape.length;
  const runtime = values.filter((value): value is TensorValue => !isConstant(value));
  const fullRank = runtime.filter((value) => value.shape.length === rank);
  let perm: Permutation = fullRank[0]?.perm ?? identityPermutation(rank);
  const shared = fullRank.every((value) => value.perm.join(',') === perm.join(','));
  // A lower-rank run-time input (other than a scalar) broadcasts against TF's layout only.
  const lowerRank = runtime.some((value) => value.shape.length > 0 && value.shape.length < rank);
  if (!shared || lowerRank) perm = identityPermutation(rank);
  const names = values.map((value) => {
    if (isIdentityPermutation(perm)) return ctx.logical(value);
    if (value.shape.length === 0) return ctx.onnx(value, []);
    if (isConstant(value)) return ctx.onnx(liftRank(value, rank), perm);
    return ctx.onnx(value, perm);
  });
  return { names, perm, shape };
}

/** Adds one ONNX op over aligned inputs and wraps the result in the inputs' layout. */
export function elementwiseNode(
  ctx: TfOpContext,
  opType: string,
  values: readonly TfValue[],
  dtype: TfjsElementType,
  attributes = {},
): TensorValue {
  const { names, perm, shape } = alignElementwise(ctx, values);
  return tensorValue(ctx.graph.node(opType, names, attributes), shape, perm, dtype);
}

/** The dtype of an op's result that keeps its inputs' type (run-time inputs decide over constants). */
export function commonDtype(values: readonly TfValue[]): TfjsElementType {
  return (values.find((value) => !isConstant(value)) ?? values[0]).dtype;
}
