/**
 * What a TF-op handler works with: the node and its typed attributes, its inputs (values the
 * ONNX graph computes, or constants known now), the graph to add nodes to, and the layout helpers
 * the Layers front end uses too, so NCHW runs need transposes only at their edges.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { UnconvertibleModelError } from '../../errors.ts';
import type { ElementType, GraphBuilder } from '../../backend/graph/graphBuilder.ts';
import { channelsFirstPermutation, identityPermutation, isIdentityPermutation, type Permutation } from '../../backend/graph/layout.ts';
import { materialize } from '../../backend/graph/materialize.ts';
import { cast } from '../../backend/graph/ops.ts';
import { formatShape, tensorValue, type Dim, type TfjsElementType, type TensorValue } from '../../backend/graph/tensorValue.ts';
import type { FunctionGraph } from '../controlFlow/functionLibrary.ts';
import type { NodeAttributes } from '../graphDef.ts';
import type { GraphNodeDef } from '../nodeDef.ts';
import { isConstant, numbers, transposeConstant, type ConstantTensor, type TfValue } from './constant.ts';

/** What the control-flow handlers need to turn function bodies into subgraphs (provided by graphModel/convertNodes.ts). */
export interface FunctionConverter {
  /** The library function of that name (an error naming it if there is none). */
  function(name: string): FunctionGraph;
  /** Converts the nodes of `fn` into `graph`, its arguments bound to `args`; returns its results. */
  convert(fn: FunctionGraph, args: readonly TfValue[], graph: GraphBuilder): TfValue[];
  /** The value of a Const node of `fn`, for analysing a body before converting it. */
  constant(node: GraphNodeDef): ConstantTensor | undefined;
}

export class TfOpContext {
  constructor(
    readonly attrs: NodeAttributes,
    readonly inputs: readonly TfValue[],
    readonly graph: GraphBuilder,
    readonly opset: number,
    private readonly functionConverter?: FunctionConverter,
  ) {}

  /** Function bodies as subgraphs (While, If); only contexts made by the graph walker have them. */
  get functions(): FunctionConverter {
    if (!this.functionConverter) throw new Error(`internal: ${this.label} converted without function support`);
    return this.functionConverter;
  }

  get label(): string {
    return this.attrs.label;
  }

  get op(): string {
    return this.attrs.node.op;
  }

  /** Input `index`, checking the node has it. */
  input(index: number): TfValue {
    const value = this.inputs[index];
    if (value === undefined) throw this.invalid(`needs at least ${index + 1} inputs, has ${this.inputs.length}`);
    return value;
  }

  /** Throws unless the node has exactly (or at least) `count` inputs. */
  requireInputs(count: number, atLeast = false): void {
    if (atLeast ? this.inputs.length < count : this.inputs.length !== count) {
      throw this.invalid(`needs ${atLeast ? 'at least ' : ''}${count} inputs, has ${this.inputs.length}`);
    }
  }

  /** A constant input (axes, shapes, paddings...); a value computed at run time is named in the error. */
  constant(index: number, what: string): ConstantTensor {
    const value = this.input(index);
    if (!isConstant(value)) {
      throw new UnconvertibleModelError(
        `${this.label}: its ${what} (input ${index}) is computed at run time; the converter needs it to be constant`,
      );
    }
    return value;
  }

  ints(index: number, what: string): number[] {
    const value = this.constant(index, what);
    if (value.dtype !== 'int32') throw this.invalid(`its ${what} must be int32, got ${value.dtype}`);
    return numbers(value);
  }

  int(index: number, what: string): number {
    const values = this.ints(index, what);
    if (values.length !== 1) throw this.invalid(`its ${what} must be a single integer, got ${values.length} values`);
    return values[0];
  }

  /** The ONNX name of `value` stored as `transpose(logical, perm)`; constants become initializers once per layout. */
  onnx(value: TfValue, perm: Permutation = identityPermutation(value.shape.length)): string {
    if (!isConstant(value)) return materialize(this.graph, value, perm);
    const key = perm.join(',');
    const existing = value.views.get(key);
    if (existing) return existing;
    const stored = isIdentityPermutation(perm) ? value : transposeConstant(value, perm);
    const name = this.graph.initializer('const', [...stored.shape], elementType(stored.dtype), stored.values);
    value.views.set(key, name);
    return name;
  }

  /** In TensorFlow's own layout (what layout-sensitive ops like Reshape need). */
  logical(value: TfValue): string {
    return this.onnx(value, identityPermutation(value.shape.length));
  }

  /** An NHWC value as N, C, H, W for Conv, pooling and Resize. */
  channelsFirst(value: TfValue, channelsLast = true): string {
    return this.onnx(value, channelsLast ? channelsFirstPermutation(value.shape.length) : identityPermutation(value.shape.length));
  }

  /** Wraps an N, C, spatial ONNX result as an NHWC (or, for NCHW graphs, NCHW) TF value. */
  channelsFirstResult(onnxName: string, shape: readonly Dim[], dtype: TfjsElementType = 'float32', channelsLast = true): TensorValue {
    return tensorValue(onnxName, shape, channelsLast ? channelsFirstPermutation(shape.length) : identityPermutation(shape.length), dtype);
  }

  /** `value` as one the ONNX graph computes: a constant (rare here, a folded branch) becomes an initializer. */
  runtime(value: TfValue): TensorValue {
    return isConstant(value) ? this.result(this.onnx(value), value.shape, value.dtype) : value;
  }

  /** A result stored in TensorFlow's layout. */
  result(onnxName: string, shape: readonly Dim[], dtype: TfjsElementType): TensorValue {
    return tensorValue(onnxName, shape, identityPermutation(shape.length), dtype);
  }

  /** A result stored with an explicit permutation. */
  resultWithPerm(onnxName: string, shape: readonly Dim[], perm: Permutation, dtype: TfjsElementType): TensorValue {
    return tensorValue(onnxName, shape, perm, dtype);
  }

  /** Converts an int64 result (ONNX Shape, ArgMax, TopK, NonZero...) to tfjs's int32. */
  toInt32(onnxName: string): string {
    return cast(this.graph, onnxName, 'int32');
  }

  /** Casts an ONNX tensor to the element type of a TF dtype. */
  cast(onnxName: string, dtype: TfjsElementType | 'int64'): string {
    return cast(this.graph, onnxName, dtype);
  }

  /** Axis normalized against a rank, checked. */
  axis(axis: number, rank: number, what = 'axis'): number {
    const normalized = axis < 0 ? axis + rank : axis;
    if (!Number.isInteger(normalized) || normalized < 0 || normalized >= rank)
      throw this.invalid(`${what} ${axis} is out of range for a rank-${rank} input`);
    return normalized;
  }

  requireRank(value: TfValue, rank: number, what = 'input'): void {
    if (value.shape.length !== rank) throw this.invalid(`expects a rank-${rank} ${what}, got shape ${formatShape(value.shape)}`);
  }

  /** Static sizes of a value, or an error naming what needed them. */
  staticShape(value: TfValue, why: string): number[] {
    if (value.shape.some((size) => size === null)) {
      throw new UnconvertibleModelError(`${this.label}: ${why} needs the input's full shape, but it is ${formatShape(value.shape)}`);
    }
    return value.shape as number[];
  }

  invalid(message: string): InvalidInputError {
    return new InvalidInputError(`${this.label}: ${message}`);
  }

  unsupported(message: string): UnconvertibleModelError {
    return new UnconvertibleModelError(`${this.label}: ${message}`);
  }
}

export function elementType(dtype: TfjsElementType): ElementType {
  return dtype;
}
