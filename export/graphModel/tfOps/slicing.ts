/**
 * Slicing and reversing: StridedSlice (every mask), Slice (constant or run-time bounds),
 * ReverseV2 and Reverse (v1), a reversal being a Slice with step −1. Constants and partly known
 * shape vectors are folded; run-time values are sliced where they are stored when the op keeps
 * every axis, and in TensorFlow's layout otherwise.
 */
import { identityPermutation, physicalAxis } from '../../backend/graph/layout.ts';
import { unsqueeze } from '../../backend/graph/ops.ts';
import { formatShape, tensorValue, type Dim } from '../../backend/graph/tensorValue.ts';
import { isConstant, numbers, range, reshapeConstant, selectConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { knownValues, partialResult } from './partialValues.ts';
import type { TfOpTable } from './registry.ts';

/** ONNX Slice clamps out-of-range bounds, so these stand for "to the end" either way. */
const TO_END = 2 ** 31 - 1;
const TO_START = -(2 ** 31);

/**
 * Elements start, start−1, ... down to (not including) end along one stored axis: ONNX Slice with
 * step −1 (negative positions count from the end; no end means through index 0).
 */
export function reversedSlice(ctx: TfOpContext, input: string, axis: number, start: number, end: number | undefined): string {
  const g = ctx.graph;
  return g.node('Slice', [
    input,
    g.int64Constant('starts', [start]),
    g.int64Constant('ends', [end ?? TO_START]),
    g.int64Constant('axes', [axis]),
    g.int64Constant('steps', [-1]),
  ]);
}

/** One input axis of a slice: Python-style bounds (masked ends already replaced). */
interface AxisSlice {
  begin: number;
  end: number;
  stride: number;
  beginMasked: boolean;
  endMasked: boolean;
  /** A shrink_axis index: one element, and the axis is dropped. */
  shrink: boolean;
}

/** The indices an axis slice picks from an axis of `size`, as Python and TensorFlow clamp them. */
function sliceIndices(slice: AxisSlice, size: number): number[] {
  const normalize = (index: number) => (index < 0 ? index + size : index);
  if (slice.shrink) {
    const index = normalize(slice.begin);
    return index >= 0 && index < size ? [index] : [];
  }
  const { stride } = slice;
  const clamp = (index: number, low: number, high: number) => Math.min(Math.max(index, low), high);
  const start = slice.beginMasked
    ? stride > 0
      ? 0
      : size - 1
    : stride > 0
      ? clamp(normalize(slice.begin), 0, size)
      : clamp(normalize(slice.begin), -1, size - 1);
  const stop = slice.endMasked
    ? stride > 0
      ? size
      : -1
    : stride > 0
      ? clamp(normalize(slice.end), 0, size)
      : clamp(normalize(slice.end), -1, size - 1);
  const indices: number[] = [];
  for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) indices.push(i);
  return indices;
}

function fullSlice(): AxisSlice {
  return { begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false };
}

/** A sliced value: per input axis its slice, and the output axes (input axes kept, or new size-1 axes). */
interface SliceSpec {
  axes: AxisSlice[];
  /** Output axes in order: an input axis index, or 'new' for an inserted size-1 axis. */
  output: (number | 'new')[];
}

/** StridedSlice's masks resolved against the input's rank (TensorFlow's ValidateStridedSliceOp, in short). */
function stridedSliceSpec(ctx: TfOpContext, rank: number, begin: number[], end: number[], strides: number[]): SliceSpec {
  const bit = (mask: string, i: number) => ((ctx.attrs.int(mask, 0) >> i) & 1) === 1;
  if (begin.length !== end.length || begin.length !== strides.length) throw ctx.invalid('begin, end and strides have different lengths');
  const axes: AxisSlice[] = [];
  const output: (number | 'new')[] = [];
  const keep = () => {
    output.push(axes.length);
    axes.push(fullSlice());
  };
  let seenEllipsis = false;
  for (let i = 0; i < begin.length; i++) {
    if (bit('ellipsis_mask', i) && !seenEllipsis) {
      seenEllipsis = true;
      const realAfter = begin.slice(i + 1).filter((_, j) => !bit('new_axis_mask', i + 1 + j)).length;
      while (axes.length < rank - realAfter) keep();
      continue;
    }
    if (bit('new_axis_mask', i)) {
      output.push('new');
      continue;
    }
    if (strides[i] === 0) throw ctx.invalid('a stride is 0');
    if (axes.length >= rank) throw ctx.invalid(`its slice has more entries than the input's rank ${rank}`);
    const shrink = bit('shrink_axis_mask', i);
    if (!shrink) output.push(axes.length);
    axes.push({
      begin: begin[i],
      end: end[i],
      stride: shrink ? 1 : strides[i],
      beginMasked: bit('begin_mask', i),
      endMasked: bit('end_mask', i),
      shrink,
    });
  }
  while (axes.length < rank) keep();
  return { axes, output };
}

/** Applies a slice spec: folded for constants and known shape vectors, else ONNX Slice (+ Squeeze/Unsqueeze). */
function applySlice(ctx: TfOpContext, x: TfValue, spec: SliceSpec): TfValue {
  const sizes: Dim[] = spec.axes.map((slice, axis) => {
    const size = x.shape[axis];
    if (size !== null) return sliceIndices(slice, size).length;
    return slice.shrink ? 1 : null;
  });
  const outputShape = spec.output.map((entry) => (entry === 'new' ? 1 : sizes[entry]));
  if (isConstant(x)) {
    const picked = selectConstant(
      x,
      spec.axes.map((slice, axis) => sliceIndices(slice, x.shape[axis] as number)),
    );
    return reshapeConstant(picked, outputShape as number[]);
  }
  const known = x.shape.length === 1 && x.shape[0] !== null ? knownValues(x) : undefined;
  const knownPicked = known ? sliceIndices(spec.axes[0], known.length).map((i) => known[i]) : undefined;
  const sliced = spec.axes
    .map((slice, axis) => ({ slice, axis }))
    .filter(({ slice }) => !(slice.beginMasked && slice.endMasked && slice.stride === 1 && !slice.shrink));
  const reshapes = spec.axes.some((slice) => slice.shrink) || spec.output.includes('new');
  // Without shrinking or new axes, slice where the value is stored.
  const perm = reshapes ? identityPermutation(x.shape.length) : x.perm;
  let y = ctx.onnx(x, perm);
  if (sliced.length > 0) {
    const g = ctx.graph;
    const starts = sliced.map(({ slice }) => (slice.beginMasked ? (slice.stride > 0 ? 0 : TO_END) : slice.begin));
    const ends = sliced.map(({ slice }) => {
      if (slice.shrink) return slice.begin === -1 ? TO_END : slice.begin + 1;
      return slice.endMasked ? (slice.stride > 0 ? TO_END : TO_START) : slice.end;
    });
    y = g.node('Slice', [
      y,
      g.int64Constant('starts', starts),
      g.int64Constant('ends', ends),
      g.int64Constant(
        'axes',
        sliced.map(({ axis }) => physicalAxis(perm, axis)),
      ),
      g.int64Constant(
        'steps',
        sliced.map(({ slice }) => slice.stride),
      ),
    ]);
  }
  if (!reshapes) return partialResult(tensorValue(y, outputShape, perm, x.dtype), knownPicked);
  const shrunk = spec.axes.map((slice, axis) => (slice.shrink ? axis : -1)).filter((axis) => axis >= 0);
  if (shrunk.length > 0) y = ctx.graph.node('Squeeze', [y, ctx.graph.int64Constant('axes', shrunk)]);
  const added = spec.output.map((entry, i) => (entry === 'new' ? i : -1)).filter((i) => i >= 0);
  if (added.length > 0) y = unsqueeze(ctx, y, added);
  return partialResult(ctx.result(y, outputShape, x.dtype), knownPicked);
}

function convertStridedSlice(ctx: TfOpContext): TfValue {
  ctx.requireInputs(4);
  const x = ctx.input(0);
  const spec = stridedSliceSpec(ctx, x.shape.length, ctx.ints(1, 'begin'), ctx.ints(2, 'end'), ctx.ints(3, 'strides'));
  return applySlice(ctx, x, spec);
}

/** Slice(x, begin, size): size -1 means to the end. */
function convertSlice(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const x = ctx.input(0);
  if (!isConstant(ctx.input(1)) || !isConstant(ctx.input(2))) return runtimeSlice(ctx, x);
  const begin = ctx.ints(1, 'begin');
  const size = ctx.ints(2, 'size');
  if (begin.length !== x.shape.length || size.length !== x.shape.length)
    throw ctx.invalid(`begin and size must have one entry per axis of ${formatShape(x.shape)}`);
  const axes = begin.map(
    (b, i): AxisSlice => ({ begin: b, end: b + size[i], stride: 1, beginMasked: false, endMasked: size[i] === -1, shrink: false }),
  );
  return applySlice(ctx, x, { axes, output: identityPermutation(x.shape.length) });
}

/**
 * Slice whose begin or size is computed at run time (NMS post-processing clips box lists to a
 * count it found): ONNX Slice takes its bounds as tensors, a size of -1 becoming "to the end".
 */
function runtimeSlice(ctx: TfOpContext, x: TfValue): TfValue {
  const g = ctx.graph;
  const [begin, size] = [ctx.input(1), ctx.input(2)];
  if (begin.shape.length !== 1 || begin.shape[0] !== x.shape.length || size.shape.length !== 1 || size.shape[0] !== x.shape.length) {
    throw ctx.invalid(`begin and size must have one entry per axis of ${formatShape(x.shape)}`);
  }
  const starts = ctx.cast(ctx.logical(begin), 'int64');
  const sizes = ctx.cast(ctx.logical(size), 'int64');
  const toEnd = g.node('Equal', [sizes, g.int64Constant('to_end', [-1])]);
  const ends = g.node('Where', [toEnd, g.int64Constant('end', [TO_END]), g.node('Add', [starts, sizes])]);
  const knownSizes = knownValues(size);
  const shape = x.shape.map((_, axis) => {
    const wanted = knownSizes?.[axis];
    return wanted === null || wanted === undefined || wanted < 0 ? null : wanted;
  });
  return ctx.result(g.node('Slice', [ctx.logical(x), starts, ends]), shape, x.dtype);
}

/** Reverses a value along logical axes, where it is stored; constants are reversed now. */
function reverse(ctx: TfOpContext, x: TfValue, axes: number[]): TfValue {
  if (axes.length === 0) return x;
  if (isConstant(x))
    return selectConstant(
      x,
      x.shape.map((size, axis) => (axes.includes(axis) ? range(size, size - 1, -1) : range(size))),
    );
  let y = x.onnxName;
  for (const axis of axes) y = reversedSlice(ctx, y, physicalAxis(x.perm, axis), -1, undefined);
  return partialResult(tensorValue(y, x.shape, x.perm, x.dtype), x.shape.length === 1 ? knownValues(x)?.slice().reverse() : undefined);
}

/** ReverseV2(x, axis): the axes as a list (a repeated axis is an error in TensorFlow). */
function convertReverseV2(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const axes = ctx.ints(1, 'axis').map((axis) => ctx.axis(axis, x.shape.length));
  if (new Set(axes).size !== axes.length) throw ctx.invalid(`axis [${axes.join(', ')}] names an axis twice`);
  return reverse(ctx, x, axes);
}

/** Reverse (v1): one bool per axis. */
function convertReverse(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  const dims = ctx.constant(1, 'dims');
  if (dims.dtype !== 'bool' || dims.shape.length !== 1 || dims.shape[0] !== x.shape.length)
    throw ctx.invalid(`its dims must be ${x.shape.length} bools, one per axis`);
  return reverse(
    ctx,
    x,
    numbers(dims).flatMap((flag, axis) => (flag ? [axis] : [])),
  );
}

export const slicingOps: TfOpTable = {
  StridedSlice: convertStridedSlice,
  Slice: convertSlice,
  ReverseV2: convertReverseV2,
  Reverse: convertReverse,
};
