/**
 * Shape vectors that are only partly known: Shape of a [null, 7, 7, 64] tensor is a run-time
 * value, but everything except its first element is known now. Tracking the known elements
 * through the usual shape plumbing (Cast, StridedSlice, Pack, ConcatV2, Mul...) lets Reshape,
 * Fill and Resize give their results static sizes, so a symbolic batch does not make every later
 * size unknown. Fully known vectors are folded into constants instead.
 */
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import { constantTensor, isConstant, numbers, type TfValue } from './constant.ts';

const known = new WeakMap<TensorValue, (number | null)[]>();

export function setKnownValues(value: TensorValue, values: (number | null)[]): TensorValue {
  known.set(value, values);
  return value;
}

/** Element values of a small int32 value as far as they are known (undefined: nothing known, or not a vector). */
export function knownValues(value: TfValue): (number | null)[] | undefined {
  if (isConstant(value)) return value.dtype === 'int32' && value.shape.length <= 1 ? numbers(value) : undefined;
  return known.get(value);
}

/** A constant when every element is known, else the run-time value tagged with what is known. */
export function partialResult(value: TensorValue, values: (number | null)[] | undefined): TfValue {
  if (values === undefined) return value;
  if (values.every((v) => v !== null) && value.dtype === 'int32' && value.shape.every((size) => size !== null)) {
    return constantTensor('int32', value.shape as number[], values as number[]);
  }
  return setKnownValues(value, values);
}
