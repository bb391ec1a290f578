import type { ElementType } from './graphBuilder.ts';
import { identityPermutation, type Permutation } from './layout.ts';

/** Keras size of one axis; null when unknown (the batch, or a variable length). */
export type Dim = number | null;

/**
 * The element types a tfjs tensor has (tfjs calls them dtypes) as they flow through the built graph
 * (Layers models use the first two): the ONNX element types a value keeps while it is tfjs's.
 */
export type TfjsElementType = Extract<ElementType, 'float32' | 'int32' | 'bool' | 'string'>;

/** A Keras tensor as it exists in the ONNX graph being built. */
export interface TensorValue {
  /** The ONNX tensor holding the value, stored as `transpose(logical, perm)`. */
  readonly onnxName: string;
  /** The Keras (logical) shape, batch first. */
  readonly shape: readonly Dim[];
  readonly dtype: TfjsElementType;
  readonly perm: Permutation;
  /** The same value already materialized in other layouts (perm key → ONNX name), so a transpose is made once. */
  readonly views: Map<string, string>;
}

export function tensorValue(
  onnxName: string,
  shape: readonly Dim[],
  perm: Permutation = identityPermutation(shape.length),
  dtype: TfjsElementType = 'float32',
): TensorValue {
  if (perm.length !== shape.length) throw new Error(`internal: permutation ${perm.join(',')} does not fit rank ${shape.length}`);
  return { onnxName, shape: [...shape], dtype, perm: [...perm], views: new Map([[perm.join(','), onnxName]]) };
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}
