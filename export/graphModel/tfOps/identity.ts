/**
 * Ops that pass values on or change only their element type: Identity and friends (Print's
 * printing and EnsureShape's check are left out), IdentityN, NoOp and Cast.
 */
import { tensorValue, type TfjsElementType } from '../../backend/graph/tensorValue.ts';
import { constantTensor, isConstant, numbers, type ConstantTensor, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { knownValues, partialResult } from './partialValues.ts';
import type { TfOpTable } from './registry.ts';

function passThrough(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1, true);
  return ctx.input(0);
}

function convertIdentityN(ctx: TfOpContext): TfValue[] {
  return [...ctx.inputs];
}

function castConstant(value: ConstantTensor, dtype: TfjsElementType): ConstantTensor {
  if (value.dtype === 'string' || dtype === 'string') throw new Error('internal: string casts are rejected earlier');
  const values = numbers(value);
  if (dtype === 'bool')
    return constantTensor(
      'bool',
      value.shape,
      values.map((v) => (v !== 0 ? 1 : 0)),
    );
  if (dtype === 'int32') return constantTensor('int32', value.shape, values.map(Math.trunc));
  return constantTensor('float32', value.shape, values);
}

function convertCast(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  const dtype = ctx.attrs.dtype('DstT');
  if (dtype === x.dtype) return x;
  if (dtype === 'string' || x.dtype === 'string') throw ctx.unsupported('casts from or to string are not supported');
  if (isConstant(x)) return castConstant(x, dtype);
  const result = tensorValue(ctx.cast(x.onnxName, dtype), x.shape, x.perm, dtype);
  return dtype === 'int32' ? partialResult(result, knownValues(x)) : result;
}

export const identityOps: TfOpTable = {
  Identity: passThrough,
  StopGradient: passThrough,
  Snapshot: passThrough,
  EnsureShape: passThrough,
  // Print returns its first input; what it prints is left out.
  Print: passThrough,
  PlaceholderWithDefault: passThrough,
  IdentityN: convertIdentityN,
  NoOp: () => [],
  Cast: convertCast,
};
