/**
 * TensorLists and TensorArrays while converting. TensorFlow passes them around as opaque variant
 * handles; here each is a ListValue in one of four forms:
 * - `tensor`: every element has the same shape and they are stacked in one ONNX tensor
 *   [length, ...element] (TensorListFromTensor, a Loop's scan output); reading is a Gather;
 * - `sequence`: an ONNX sequence (SequenceEmpty, SequenceInsert, SequenceAt, ...), for lists
 *   that grow and shrink;
 * - `sink`: inside a Loop body, a list the body fills once per iteration at the iteration number;
 *   the element written becomes a scan output of the Loop (whileLoop.ts);
 * - `handle`: a TF1 TensorArray's handle, which only carries the element type (its contents
 *   travel with the array's flow value).
 * A ListValue is a TensorValue (the stacked tensor, or the sequence's name), so it travels through
 * the maps and layouts the other values use; only the list handlers and the pass-through ops
 * accept one (controlFlow/index.ts).
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { identityPermutation } from '../../backend/graph/layout.ts';
import type { Dim, TfjsElementType, TensorValue } from '../../backend/graph/tensorValue.ts';
import type { TfValue } from '../tfOps/constant.ts';
import type { TfOpContext } from '../tfOps/context.ts';

export type ListForm = 'tensor' | 'sequence' | 'sink' | 'handle';

export interface ListInfo {
  readonly form: ListForm;
  readonly elementDtype: TfjsElementType;
  /** Element sizes as far as known; undefined while not even the rank is known. */
  readonly elementShape: readonly Dim[] | undefined;
  /** Made empty (TensorListReserve, EmptyTensorList, a new TensorArray) and not written since. */
  readonly empty: boolean;
}

/** The element a sink received in this iteration (set by the write handler, read by the Loop). */
export interface SinkSlot {
  written?: TfValue;
}

export interface ListValue extends TensorValue {
  readonly list: ListInfo;
  readonly sink?: SinkSlot;
}

export function isList(value: TfValue): value is ListValue {
  return (value as Partial<ListValue>).list !== undefined;
}

/** A list stored as a stacked tensor [length, ...element], in TensorFlow's layout. */
export function tensorList(onnxName: string, shape: readonly Dim[], elementDtype: TfjsElementType): ListValue {
  return listValue(onnxName, [...shape], { form: 'tensor', elementDtype, elementShape: shape.slice(1), empty: false });
}

export function sequenceList(
  onnxName: string,
  elementDtype: TfjsElementType,
  elementShape: readonly Dim[] | undefined,
  empty = false,
): ListValue {
  return listValue(onnxName, [], { form: 'sequence', elementDtype, elementShape, empty });
}

export function sinkList(elementDtype: TfjsElementType, elementShape: readonly Dim[] | undefined): ListValue {
  return { ...listValue('', [], { form: 'sink', elementDtype, elementShape, empty: true }), sink: {} };
}

export function handleList(elementDtype: TfjsElementType, elementShape: readonly Dim[] | undefined): ListValue {
  return listValue('', [], { form: 'handle', elementDtype, elementShape, empty: true });
}

function listValue(onnxName: string, shape: Dim[], list: ListInfo): ListValue {
  const perm = identityPermutation(shape.length);
  return { onnxName, shape, dtype: list.elementDtype, perm, views: new Map([[perm.join(','), onnxName]]), list };
}

/** ONNX TensorProto data types of the element dtypes, for SequenceEmpty's `dtype`. */
const ELEMENT_TYPE_CODES: Record<TfjsElementType, number> = { float32: 1, int32: 6, bool: 9, string: 8 };

/** The list as an ONNX sequence (a stacked tensor is split along its first axis). */
export function asSequence(ctx: TfOpContext, list: ListValue): ListValue {
  const { form, elementDtype, elementShape, empty } = list.list;
  if (form === 'sequence') return list;
  if (form !== 'tensor')
    throw ctx.unsupported(
      `a ${form === 'sink' ? 'list filled once per iteration' : 'TensorArray handle'} cannot be read as a sequence here`,
    );
  const sequence = ctx.graph.node('SplitToSequence', [ctx.logical(list)], { axis: attr.int(0), keepdims: attr.int(0) });
  return sequenceList(sequence, elementDtype, elementShape, empty);
}

/** The list as one stacked tensor [length, ...element] (every element must have the same shape). */
export function asTensor(ctx: TfOpContext, list: ListValue): ListValue {
  const { form, elementDtype, elementShape } = list.list;
  if (form === 'tensor') return list;
  if (form !== 'sequence')
    throw ctx.unsupported(`a ${form === 'sink' ? 'list filled once per iteration' : 'TensorArray handle'} cannot be stacked here`);
  if (elementShape === undefined) throw ctx.unsupported('stacking a list whose elements have an unknown rank');
  const stacked = ctx.graph.node('ConcatFromSequence', [list.onnxName], { axis: attr.int(0), new_axis: attr.int(1) });
  return tensorList(stacked, [null, ...elementShape], elementDtype);
}

/** An empty ONNX sequence of the element type. */
export function emptySequence(ctx: TfOpContext, elementDtype: TfjsElementType, elementShape: readonly Dim[] | undefined): ListValue {
  return sequenceList(
    ctx.graph.node('SequenceEmpty', [], { dtype: attr.int(ELEMENT_TYPE_CODES[elementDtype]) }),
    elementDtype,
    elementShape,
    true,
  );
}

/** The sizes two element shapes share (unknown where they differ); undefined when the ranks differ or either is unknown. */
export function mergeElementShapes(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): readonly Dim[] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.length !== b.length) return undefined;
  return a.map((size, i) => (size === b[i] ? size : null));
}
