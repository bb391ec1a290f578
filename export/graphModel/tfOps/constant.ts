/**
 * Values known at conversion time: the graph's Const nodes, and whatever a handler computes from
 * them (shape arithmetic above all: Shape → StridedSlice → Pack → Reshape). Handlers fold such
 * values here, in plain typed arrays, instead of emitting ONNX nodes for them; the helpers are the
 * few array operations folding needs, with TensorFlow's broadcasting.
 */
import { transposeData, type Permutation } from '../../backend/graph/layout.ts';
import type { TfjsElementType, TensorValue } from '../../backend/graph/tensorValue.ts';

export type ConstantData = Float32Array | Int32Array | Uint8Array | string[];

export interface ConstantTensor {
  readonly kind: 'constant';
  readonly dtype: TfjsElementType;
  readonly shape: readonly number[];
  /** Row-major; bool as 0/1 bytes. */
  readonly values: ConstantData;
  /** ONNX initializers made from it so far, by layout (perm key → name). */
  readonly views: Map<string, string>;
}

/** Constants up to this many elements are folded; larger ones are computed by ONNX rather than stored. */
export const MAX_FOLDED_ELEMENTS = 4096;

/** What a TF tensor is while converting: a value the ONNX graph computes, or one known now. */
export type TfValue = TensorValue | ConstantTensor;

export function isConstant(value: TfValue): value is ConstantTensor {
  return (value as ConstantTensor).kind === 'constant';
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

export function constantTensor(dtype: TfjsElementType, shape: readonly number[], values: ConstantData | ArrayLike<number>): ConstantTensor {
  const data = Array.isArray(values) && dtype === 'string' ? (values as string[]) : typedValues(dtype, values as ArrayLike<number>);
  if (data.length !== elementCount(shape)) throw new Error(`internal: ${data.length} values for constant shape [${shape.join(', ')}]`);
  return { kind: 'constant', dtype, shape: [...shape], values: data, views: new Map() };
}

function typedValues(dtype: TfjsElementType, values: ArrayLike<number>): ConstantData {
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values);
  if (dtype === 'int32') return values instanceof Int32Array ? values : Int32Array.from(values, (v) => Math.trunc(v));
  if (dtype === 'bool') return values instanceof Uint8Array ? values : Uint8Array.from(values, (v) => (v ? 1 : 0));
  throw new Error('internal: string constants are made from string arrays');
}

export function scalarConstant(dtype: TfjsElementType, value: number): ConstantTensor {
  return constantTensor(dtype, [], [value]);
}

/** The values as plain numbers (not for strings). */
export function numbers(constant: ConstantTensor): number[] {
  if (constant.dtype === 'string') throw new Error('internal: numbers() of a string constant');
  return Array.from(constant.values as ArrayLike<number>);
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/** NumPy/TensorFlow broadcasting of two shapes, or undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const result: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    result.push(x === 1 ? y : x);
  }
  return result;
}

/** Elementwise over broadcast inputs: `fn` gets one value of each input. */
export function mapElementwise(inputs: ConstantTensor[], dtype: TfjsElementType, fn: (...values: number[]) => number): ConstantTensor {
  let shape: number[] = [];
  for (const input of inputs) {
    const next = broadcastShapes(shape, input.shape);
    if (!next) throw new Error(`internal: shapes [${shape.join(', ')}] and [${input.shape.join(', ')}] do not broadcast`);
    shape = next;
  }
  const count = elementCount(shape);
  const outStrides = stridesOf(shape);
  const sources = inputs.map((input) => {
    const strides = stridesOf(input.shape);
    const offset = shape.length - input.shape.length;
    return {
      values: input.values as ArrayLike<number>,
      strides: shape.map((_, axis) => (axis < offset || input.shape[axis - offset] === 1 ? 0 : strides[axis - offset])),
    };
  });
  const result = new Array<number>(count);
  const args = new Array<number>(inputs.length);
  for (let flat = 0; flat < count; flat++) {
    for (let k = 0; k < sources.length; k++) {
      let index = 0;
      let rest = flat;
      for (let axis = 0; axis < shape.length; axis++) {
        const coordinate = Math.floor(rest / outStrides[axis]);
        rest -= coordinate * outStrides[axis];
        index += coordinate * sources[k].strides[axis];
      }
      args[k] = sources[k].values[index];
    }
    result[flat] = fn(...args);
  }
  return constantTensor(dtype, shape, result);
}

/** Transposes a constant: element i of the result's shape is shape[perm[i]]. */
export function transposeConstant(constant: ConstantTensor, perm: Permutation): ConstantTensor {
  if (constant.dtype === 'string') {
    const indices = transposeData(
      Int32Array.from(constant.values as string[], (_, i) => i),
      constant.shape,
      perm,
    );
    return constantTensor(
      'string',
      indices.shape,
      Array.from(indices.values, (i) => (constant.values as string[])[i]),
    );
  }
  const moved = transposeData(constant.values as Float32Array | Int32Array | Uint8Array, constant.shape, perm);
  return constantTensor(constant.dtype, moved.shape, moved.values);
}

export function reshapeConstant(constant: ConstantTensor, shape: readonly number[]): ConstantTensor {
  return { kind: 'constant', dtype: constant.dtype, shape: [...shape], values: constant.values, views: new Map() };
}

/** Picks elements by per-axis index lists (the general form of slicing and gathering). */
export function selectConstant(constant: ConstantTensor, indicesPerAxis: readonly (readonly number[])[]): ConstantTensor {
  const shape = indicesPerAxis.map((indices) => indices.length);
  const strides = stridesOf(constant.shape);
  const outStrides = stridesOf(shape);
  const count = elementCount(shape);
  const picked: number[] = new Array(count);
  for (let flat = 0; flat < count; flat++) {
    let rest = flat;
    let source = 0;
    for (let axis = 0; axis < shape.length; axis++) {
      const coordinate = Math.floor(rest / outStrides[axis]);
      rest -= coordinate * outStrides[axis];
      source += indicesPerAxis[axis][coordinate] * strides[axis];
    }
    picked[flat] = source;
  }
  if (constant.dtype === 'string')
    return constantTensor(
      'string',
      shape,
      picked.map((i) => (constant.values as string[])[i]),
    );
  const values = constant.values as ArrayLike<number>;
  return constantTensor(
    constant.dtype,
    shape,
    picked.map((i) => values[i]),
  );
}

export function concatConstants(parts: ConstantTensor[], axis: number): ConstantTensor {
  const first = parts[0];
  const shape = [...first.shape];
  shape[axis] = parts.reduce((sum, part) => sum + part.shape[axis], 0);
  const outer = elementCount(first.shape.slice(0, axis));
  const result: (number | string)[] = [];
  for (let o = 0; o < outer; o++) {
    for (const part of parts) {
      const block = elementCount(part.shape.slice(axis));
      for (let i = 0; i < block; i++) result.push((part.values as ArrayLike<number | string>)[o * block + i]);
    }
  }
  return first.dtype === 'string'
    ? constantTensor('string', shape, result as string[])
    : constantTensor(first.dtype, shape, result as number[]);
}

export function range(count: number, start = 0, step = 1): number[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => start + i * step);
}
