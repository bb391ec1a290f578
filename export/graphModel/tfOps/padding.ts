/**
 * Pad, PadV2 and MirrorPad, padded where the input is stored (the pads reordered to match), so a
 * pad inside an NCHW run needs no Transpose. MirrorPad REFLECT is ONNX Pad's reflect mode.
 * SYMMETRIC (the edge repeated: [a b c] padded by 2 is [b a a b c c b]) has no Pad mode; it is
 * the input with its reversed first and last slices concatenated on, axis by axis (mirror padding
 * is separable, so the corners come out right).
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { physicalAxis } from '../../backend/graph/layout.ts';
import { formatShape, tensorValue, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { isConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import type { TfOpTable } from './registry.ts';
import { reversedSlice } from './slicing.ts';

interface Paddings {
  before: number[];
  after: number[];
}

function readPaddings(ctx: TfOpContext, rank: number): Paddings {
  const paddings = ctx.ints(1, 'paddings');
  if (paddings.length !== 2 * rank) throw ctx.invalid(`paddings has ${paddings.length} values, a rank-${rank} input needs ${2 * rank}`);
  if (paddings.some((p) => p < 0)) throw ctx.invalid(`paddings [${paddings.join(', ')}] has a negative entry`);
  return { before: paddings.filter((_, i) => i % 2 === 0), after: paddings.filter((_, i) => i % 2 === 1) };
}

function paddedShape(x: TfValue, { before, after }: Paddings) {
  return x.shape.map((size, axis) => (size === null ? null : size + before[axis] + after[axis]));
}

function convertPad(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2, true);
  const x = ctx.input(0);
  if (!isConstant(ctx.input(1)) && ctx.op !== 'MirrorPad') return runtimePad(ctx, x);
  const pads = readPaddings(ctx, x.shape.length);
  const runtime = ctx.runtime(x);
  const onnxPads = ctx.graph.int64Constant('pads', [
    ...runtime.perm.map((axis) => pads.before[axis]),
    ...runtime.perm.map((axis) => pads.after[axis]),
  ]);
  const inputs = [runtime.onnxName, onnxPads];
  const attributes: Record<string, ReturnType<typeof attr.string>> = {};
  if (ctx.op === 'PadV2') inputs.push(ctx.onnx(ctx.constant(2, 'constant_values'), []));
  if (ctx.op === 'MirrorPad') {
    const mode = ctx.attrs.choice('mode', ['REFLECT', 'SYMMETRIC']);
    // TensorFlow's limits: REFLECT pads less than the size, SYMMETRIC at most the size.
    requirePadsWithin(ctx, x, pads, mode === 'REFLECT' ? 1 : 0);
    if (mode === 'SYMMETRIC') return symmetricPad(ctx, runtime, pads);
    attributes.mode = attr.string('reflect');
  }
  return tensorValue(ctx.graph.node('Pad', inputs, attributes), paddedShape(x, pads), runtime.perm, x.dtype);
}

/**
 * Paddings computed at run time (NMS post-processing pads a box list it clipped to a count it
 * found): ONNX Pad takes them as a tensor, TensorFlow's [rank, 2] pairs read column by column.
 */
function runtimePad(ctx: TfOpContext, x: TfValue): TfValue {
  const g = ctx.graph;
  const paddings = ctx.input(1);
  const rank = x.shape.length;
  if (paddings.shape.length !== 2 || paddings.shape[0] !== rank || paddings.shape[1] !== 2)
    throw ctx.invalid(`paddings must have shape [${rank}, 2], got ${formatShape(paddings.shape)}`);
  const columns = g.node('Transpose', [ctx.logical(paddings)], { perm: attr.ints([1, 0]) });
  const pads = ctx.cast(g.node('Reshape', [columns, g.int64Constant('shape', [2 * rank])]), 'int64');
  const inputs = [ctx.logical(x), pads];
  if (ctx.op === 'PadV2') inputs.push(ctx.onnx(ctx.constant(2, 'constant_values'), []));
  return ctx.result(
    g.node('Pad', inputs),
    x.shape.map(() => null),
    x.dtype,
  );
}

function requirePadsWithin(ctx: TfOpContext, x: TfValue, { before, after }: Paddings, margin: number): void {
  x.shape.forEach((size, axis) => {
    if (size !== null && Math.max(before[axis], after[axis]) > size - margin) {
      throw ctx.invalid(
        `paddings [${before[axis]}, ${after[axis]}] of axis ${axis} are too large for ${formatShape(x.shape)} in ${ctx.attrs.string('mode')} mode`,
      );
    }
  });
}

function symmetricPad(ctx: TfOpContext, x: TensorValue, pads: Paddings): TfValue {
  let y = x.onnxName;
  x.shape.forEach((_, logical) => {
    const before = pads.before[logical];
    const after = pads.after[logical];
    if (before === 0 && after === 0) return;
    const axis = physicalAxis(x.perm, logical);
    const parts = [y];
    // Reversed x[0:before] in front, reversed x[size-after:size] behind.
    if (before > 0) parts.unshift(reversedSlice(ctx, y, axis, before - 1, undefined));
    if (after > 0) parts.push(reversedSlice(ctx, y, axis, -1, -after - 1));
    y = ctx.graph.node('Concat', parts, { axis: attr.int(axis) });
  });
  return tensorValue(y, paddedShape(x, pads), x.perm, x.dtype);
}

export const paddingOps: TfOpTable = {
  Pad: convertPad,
  PadV2: convertPad,
  MirrorPad: convertPad,
};
