/**
 * What TensorLists and TensorArrays do, on the list forms of lists.ts: reading, writing, growing,
 * stacking. The TensorList handlers (TF2) and the TensorArray handlers (TF1, tensorArrayOps.ts)
 * both call these. Semantics follow tfjs-converter, the parity reference: a reserved list starts
 * empty and grows as it is written (its length counts the elements written, not the reservation).
 */
import { attr, type GraphBuilder } from '../../backend/graph/graphBuilder.ts';
import { identityPermutation } from '../../backend/graph/layout.ts';
import { cast, unsqueeze } from '../../backend/graph/ops.ts';
import { tensorValue, type Dim, type TfjsElementType, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { isConstant, numbers, scalarConstant, type TfValue } from '../tfOps/constant.ts';
import type { TfOpContext } from '../tfOps/context.ts';
import { asSequence, asTensor, isList, mergeElementShapes, sequenceList, tensorList, type ListValue } from './lists.ts';

export function requireList(ctx: TfOpContext, value: TfValue, what = 'list'): ListValue {
  if (!isList(value)) throw ctx.invalid(`its ${what} input is not a TensorList or TensorArray`);
  return value;
}

/** An element-shape input (-1 for an unknown rank, -1 entries for unknown sizes); undefined when unknown. */
export function elementShapeInput(ctx: TfOpContext, index: number): Dim[] | undefined {
  const value = ctx.inputs[index];
  if (value === undefined || !isConstant(value)) return undefined;
  const sizes = numbers(value);
  if (value.shape.length === 0) return sizes[0] === -1 ? undefined : [sizes[0]];
  return sizes.map((size) => (size < 0 ? null : size));
}

/** A plain tensor result (never a list), in TensorFlow's layout. */
function plain(onnxName: string, shape: readonly Dim[], dtype: TfjsElementType): TensorValue {
  return tensorValue(onnxName, shape, identityPermutation(shape.length), dtype);
}

export function getItem(ctx: TfOpContext, list: ListValue, index: TfValue): TfValue {
  const { form, elementDtype, elementShape } = list.list;
  const position = ctx.logical(index);
  if (form === 'tensor')
    return plain(ctx.graph.node('Gather', [ctx.logical(list), position], { axis: attr.int(0) }), list.shape.slice(1), elementDtype);
  if (form !== 'sequence') throw ctx.unsupported(`reading an element of a ${describeForm(list)}`);
  if (elementShape === undefined) throw ctx.unsupported('reading an element of a list whose elements have an unknown rank');
  return plain(ctx.graph.node('SequenceAt', [list.onnxName, position]), elementShape, elementDtype);
}

/**
 * Writes element `index` (tfjs-converter's setItem): replaces it when the list is that long, else
 * appends it after zero elements standing in for the ones never written (tfjs leaves gaps there,
 * which no read may touch). A sink records the element as this iteration's scan output instead.
 */
export function setItem(ctx: TfOpContext, list: ListValue, index: TfValue, item: TfValue): ListValue {
  if (list.sink) {
    if (list.sink.written) throw ctx.unsupported('a list filled once per iteration is written twice');
    list.sink.written = item;
    return list;
  }
  const sequence = asSequence(ctx, list).onnxName;
  const { elementDtype } = list.list;
  const elementShape = mergeElementShapes(list.list.empty ? undefined : list.list.elementShape, item.shape);
  if (list.list.empty && isConstant(index) && numbers(index)[0] === 0) {
    return sequenceList(ctx.graph.node('SequenceInsert', [sequence, ctx.logical(item)]), elementDtype, elementShape);
  }
  const g = ctx.graph;
  const position = ctx.cast(ctx.logical(index), 'int64');
  const element = ctx.logical(item);
  const length = g.node('SequenceLength', [sequence]);
  const replace = g.subgraph();
  const replaced = replace.node('SequenceInsert', [replace.node('SequenceErase', [sequence, position]), element, position]);
  const append = g.subgraph();
  const gap = append.node('Sub', [position, length]);
  const zeros = append.node('Expand', [ctx.onnx(scalarConstant(elementDtype, 0), []), append.node('Shape', [element])]);
  const padded = append.node('Loop', [gap, '', sequence], { body: attr.graph(appendingBody(append, zeros, elementDtype)) });
  const appended = append.node('SequenceInsert', [padded, element]);
  for (const [branch, output] of [
    [replace, replaced],
    [append, appended],
  ] as const) {
    branch.outputs.push({ name: output, elementType: elementDtype, shape: [], sequence: true });
  }
  const written = g.node('If', [g.node('Less', [position, length])], { then_branch: attr.graph(replace), else_branch: attr.graph(append) });
  return sequenceList(written, elementDtype, elementShape);
}

/** A Loop body appending `element` to the sequence it carries. */
function appendingBody(outer: GraphBuilder, element: string, elementDtype: TfjsElementType): GraphBuilder {
  const body = outer.subgraph();
  const [iteration, condition, sequence] = ['iteration', 'condition', 'sequence'].map((name) => body.uniqueName(name));
  body.inputs.push(
    { name: iteration, elementType: 'int64', shape: [] },
    { name: condition, elementType: 'bool', shape: [] },
    { name: sequence, elementType: elementDtype, shape: [], sequence: true },
  );
  const conditionOut = body.node('Identity', [condition]);
  const grown = body.node('SequenceInsert', [sequence, element]);
  body.outputs.push(
    { name: conditionOut, elementType: 'bool', shape: [] },
    { name: grown, elementType: elementDtype, shape: [], sequence: true },
  );
  return body;
}

export function pushBack(ctx: TfOpContext, list: ListValue, item: TfValue): ListValue {
  const sequence = asSequence(ctx, list);
  const elementShape = mergeElementShapes(list.list.empty ? undefined : list.list.elementShape, item.shape);
  return sequenceList(ctx.graph.node('SequenceInsert', [sequence.onnxName, ctx.logical(item)]), list.list.elementDtype, elementShape);
}

/** [the list without its last element, that element]. */
export function popBack(ctx: TfOpContext, list: ListValue): [ListValue, TfValue] {
  const g = ctx.graph;
  const last = g.int64Constant('last', [-1]);
  const { elementDtype, elementShape } = list.list;
  if (list.list.form === 'tensor') {
    const rest = g.node('Slice', [ctx.logical(list), g.int64Constant('start', [0]), last, g.int64Constant('axes', [0])]);
    const length = list.shape[0] === null ? null : Math.max(0, (list.shape[0] as number) - 1);
    const item = g.node('Gather', [ctx.logical(list), g.int64Constant('last', [-1])], { axis: attr.int(0) });
    return [
      tensorList(rest, [length, ...list.shape.slice(1)], elementDtype),
      plain(g.node('Squeeze', [item, g.int64Constant('axes', [0])]), list.shape.slice(1), elementDtype),
    ];
  }
  const sequence = asSequence(ctx, list);
  if (elementShape === undefined) throw ctx.unsupported('popping from a list whose elements have an unknown rank');
  const position = g.int64Constant('last', [-1]);
  const scalarPosition = g.node('Squeeze', [position, g.int64Constant('axes', [0])]);
  const item = plain(g.node('SequenceAt', [sequence.onnxName, scalarPosition]), elementShape, elementDtype);
  return [sequenceList(g.node('SequenceErase', [sequence.onnxName, scalarPosition]), elementDtype, elementShape), item];
}

export function length(ctx: TfOpContext, list: ListValue): TfValue {
  const g = ctx.graph;
  if (list.list.form === 'tensor') {
    if (list.shape[0] !== null) return scalarConstant('int32', list.shape[0] as number);
    const size = g.node('Gather', [g.node('Shape', [ctx.logical(list)]), g.int64Constant('first', [0])], { axis: attr.int(0) });
    return plain(ctx.toInt32(g.node('Squeeze', [size, g.int64Constant('axes', [0])])), [], 'int32');
  }
  if (list.list.form !== 'sequence') throw ctx.unsupported(`the length of a ${describeForm(list)}`);
  return plain(ctx.toInt32(g.node('SequenceLength', [list.onnxName])), [], 'int32');
}

/** The elements stacked into one tensor [length, ...element]. */
export function stack(ctx: TfOpContext, list: ListValue, elementShape: readonly Dim[] | undefined): TensorValue {
  const stacked = asTensor(ctx, list);
  const known = mergeElementShapes(stacked.shape.slice(1), elementShape) ?? stacked.shape.slice(1);
  return plain(ctx.logical(stacked), [stacked.shape[0], ...known], list.list.elementDtype);
}

export function gather(ctx: TfOpContext, list: ListValue, indices: TfValue): TensorValue {
  const stacked = asTensor(ctx, list);
  const gathered = ctx.graph.node('Gather', [ctx.logical(stacked), ctx.logical(indices)], { axis: attr.int(0) });
  return plain(gathered, [...indices.shape, ...stacked.shape.slice(1)], list.list.elementDtype);
}

/** A list holding the rows of `tensor` at `indices` (tfjs's scatter): rows 0..n−1 in order are the tensor itself. */
export function scatter(ctx: TfOpContext, tensor: TfValue, indices: TfValue, size: number | undefined): ListValue {
  if (
    isConstant(indices) &&
    numbers(indices).every((index, i) => index === i) &&
    (tensor.shape[0] === null || tensor.shape[0] === numbers(indices).length)
  ) {
    return tensorList(ctx.logical(tensor), tensor.shape, tensor.dtype);
  }
  const g = ctx.graph;
  const rows = ctx.cast(ctx.logical(indices), 'int64');
  const count =
    size !== undefined && size >= 0
      ? g.int64Constant('size', [size])
      : g.node('Add', [g.node('ReduceMax', [rows], { keepdims: attr.int(1) }), g.int64Constant('one', [1])]);
  const rowShape = g.node('Slice', [
    g.node('Shape', [ctx.logical(tensor)]),
    g.int64Constant('start', [1]),
    g.int64Constant('end', [2 ** 31 - 1]),
  ]);
  const zeros = g.node('Expand', [
    ctx.onnx(scalarConstant(tensor.dtype, 0), []),
    g.node('Concat', [count, rowShape], { axis: attr.int(0) }),
  ]);
  const filled = g.node('ScatterND', [zeros, unsqueeze(ctx, rows, [1]), ctx.logical(tensor)]);
  return tensorList(filled, [size ?? null, ...tensor.shape.slice(1)], tensor.dtype);
}

/** [the elements concatenated along their first axis, each element's length] (TensorListConcat, TensorArrayConcatV3). */
export function concat(ctx: TfOpContext, list: ListValue): [TensorValue, TensorValue] {
  const g = ctx.graph;
  const { elementDtype } = list.list;
  if (list.list.form === 'sequence') {
    const joined = g.node('ConcatFromSequence', [list.onnxName], { axis: attr.int(0), new_axis: attr.int(0) });
    const shape = list.list.elementShape ? [null, ...list.list.elementShape.slice(1)] : [null];
    return [plain(joined, shape, elementDtype), sequenceLengths(ctx, list)];
  }
  const stacked = asTensor(ctx, list);
  if (stacked.shape.length < 2) throw ctx.invalid('concatenating a list of scalars');
  const [count, rows, ...rest] = stacked.shape;
  const stored = ctx.logical(stacked);
  const shapeOf = g.node('Shape', [stored]);
  const target = g.node(
    'Concat',
    [g.int64Constant('rows', [-1]), g.node('Slice', [shapeOf, g.int64Constant('start', [2]), g.int64Constant('end', [2 ** 31 - 1])])],
    { axis: attr.int(0) },
  );
  const joined = plain(g.node('Reshape', [stored, target]), [count !== null && rows !== null ? count * rows : null, ...rest], elementDtype);
  const lengths = g.node('Expand', [
    ctx.toInt32(g.node('Gather', [shapeOf, g.int64Constant('rows', [1])], { axis: attr.int(0) })),
    g.node('Gather', [shapeOf, g.int64Constant('count', [0])], { axis: attr.int(0) }),
  ]);
  return [joined, plain(lengths, [count], 'int32')];
}

/** Each element's first size, by a Loop over the sequence (a sequence's elements may differ in length). */
function sequenceLengths(ctx: TfOpContext, list: ListValue): TensorValue {
  const g = ctx.graph;
  const body = g.subgraph();
  const iteration = body.uniqueName('iteration');
  const condition = body.uniqueName('condition');
  body.inputs.push({ name: iteration, elementType: 'int64', shape: [] }, { name: condition, elementType: 'bool', shape: [] });
  const element = body.node('SequenceAt', [list.onnxName, iteration]);
  const first = body.node('Gather', [body.node('Shape', [element]), body.int64Constant('first', [0])], { axis: attr.int(0) });
  const lengthOut = cast(body, body.node('Squeeze', [first, body.int64Constant('axes', [0])]), 'int32');
  const conditionOut = body.node('Identity', [condition]);
  body.outputs.push({ name: conditionOut, elementType: 'bool', shape: [] }, { name: lengthOut, elementType: 'int32', shape: [] });
  const count = g.node('SequenceLength', [list.onnxName]);
  const lengths = g.node('Loop', [count, ctx.onnx(scalarConstant('bool', 1), [])], { body: attr.graph(body) });
  return plain(lengths, [null], 'int32');
}

/** A list of the pieces of `tensor` along its first axis, `lengths` long each. */
export function split(ctx: TfOpContext, tensor: TfValue, lengths: TfValue): ListValue {
  const g = ctx.graph;
  if (isConstant(lengths)) {
    const sizes = numbers(lengths);
    const [first, ...rest] = tensor.shape;
    if (sizes.length > 0 && sizes.every((size) => size === sizes[0] && size > 0) && first === sizes.length * sizes[0]) {
      const shape = [sizes.length, sizes[0], ...rest];
      const target = g.node(
        'Concat',
        [
          g.int64Constant('pieces', [sizes.length, sizes[0]]),
          g.node('Slice', [g.node('Shape', [ctx.logical(tensor)]), g.int64Constant('start', [1]), g.int64Constant('end', [2 ** 31 - 1])]),
        ],
        { axis: attr.int(0) },
      );
      return tensorList(g.node('Reshape', [ctx.logical(tensor), target]), shape, tensor.dtype);
    }
  }
  const pieces = g.node('SplitToSequence', [ctx.logical(tensor), ctx.cast(ctx.logical(lengths), 'int64')], { axis: attr.int(0) });
  return sequenceList(pieces, tensor.dtype, [null, ...tensor.shape.slice(1)]);
}

/** The first `size` elements, padded with zero elements where the list is shorter (tfjs leaves gaps there). */
export function resize(ctx: TfOpContext, list: ListValue, size: TfValue): ListValue {
  const g = ctx.graph;
  const stacked = asTensor(ctx, list);
  const stored = ctx.logical(stacked);
  const wanted = g.node('Reshape', [ctx.cast(ctx.logical(size), 'int64'), g.int64Constant('shape', [1])]);
  const kept = g.node('Slice', [stored, g.int64Constant('start', [0]), wanted, g.int64Constant('axes', [0])]);
  const have = g.node('Gather', [g.node('Shape', [kept]), g.int64Constant('first', [0])], { axis: attr.int(0) });
  const missing = g.node('Max', [g.node('Sub', [wanted, have]), g.int64Constant('zero', [0])]);
  const rank = stacked.shape.length;
  const pads = g.node(
    'Concat',
    [g.int64Constant('before', new Array(rank).fill(0)), missing, g.int64Constant('after', new Array(rank - 1).fill(0))],
    { axis: attr.int(0) },
  );
  const padded = g.node('Pad', [kept, pads]);
  const length = isConstant(size) ? numbers(size)[0] : null;
  return tensorList(padded, [length, ...stacked.shape.slice(1)], list.list.elementDtype);
}

function describeForm(list: ListValue): string {
  return list.list.form === 'sink' ? 'list filled once per loop iteration (read it after the loop)' : 'TensorArray handle';
}
