/**
 * Layout bookkeeping. Keras tensors are channels-last (NHWC) unless a layer says otherwise, ONNX
 * convolution and pooling want channels-first (NCHW). Each converted tensor records its Keras
 * (logical) shape and a permutation `perm` such that the ONNX tensor is `transpose(logical, perm)`.
 * Layers that don't care about layout pass the permutation through, so a run of NCHW layers
 * needs no transposes between its members; a transpose is inserted only where a layer needs a
 * specific layout (see LayerContext.inLayout).
 */

export type Permutation = readonly number[];

export function identityPermutation(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

export function isIdentityPermutation(perm: Permutation): boolean {
  return perm.every((axis, i) => axis === i);
}

/** Channels-last logical → channels-first storage: [0, rank-1, 1, ..., rank-2]. */
export function channelsFirstPermutation(rank: number): number[] {
  return [0, rank - 1, ...identityPermutation(rank).slice(1, rank - 1)];
}

/** The Transpose `perm` that turns a tensor stored with `from` into one stored with `to`. */
export function transposeBetween(from: Permutation, to: Permutation): number[] {
  return to.map((logicalAxis) => from.indexOf(logicalAxis));
}

/** `transpose(transpose(x, first), second)` as one permutation. */
export function composePermutations(first: Permutation, second: Permutation): number[] {
  return second.map((axis) => first[axis]);
}

/** Where logical axis `axis` sits in the stored tensor. */
export function physicalAxis(perm: Permutation, axis: number): number {
  return perm.indexOf(axis);
}

/** Normalizes a Keras axis (negative counts from the end) against a rank. */
export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Applies `perm` to a list (a shape, per-axis pads, scales): element i of the result is list[perm[i]]. */
export function permuteList<T>(list: readonly T[], perm: Permutation): T[] {
  return perm.map((axis) => list[axis]);
}

/**
 * After reducing (removing) some logical axes, the remaining stored axes keep their relative
 * order; this is the permutation of the reduced tensor.
 */
export function permutationAfterRemovingAxes(perm: Permutation, removed: readonly number[]): number[] {
  const remaining = perm.filter((axis) => !removed.includes(axis));
  const sorted = [...remaining].sort((a, b) => a - b);
  return remaining.map((axis) => sorted.indexOf(axis));
}

/** Transposes row-major `values` of `shape` by `perm` (for weights, done once at conversion time). */
export function transposeData<T extends Float32Array | Int32Array | Uint8Array>(
  values: T,
  shape: readonly number[],
  perm: Permutation,
): { values: T; shape: number[] } {
  const rank = shape.length;
  const outShape = permuteList(shape, perm);
  const inStrides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  const result = new (values.constructor as { new (length: number): T })(values.length);
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < values.length; flat++) {
    let rest = flat;
    let source = 0;
    for (let i = 0; i < rank; i++) {
      index[i] = Math.floor(rest / outStrides[i]);
      rest -= index[i] * outStrides[i];
      source += index[i] * inStrides[perm[i]];
    }
    result[flat] = values[source];
  }
  return { values: result, shape: outShape };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}
