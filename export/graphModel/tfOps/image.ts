/**
 * Image ops: ResizeBilinear and ResizeNearestNeighbor (align_corners and half_pixel_centers as
 * ONNX Resize coordinate modes, matching tfjs's sampling), DepthToSpace and SpaceToDepth (NHWC
 * or NCHW; TensorFlow's channel order is ONNX's DCR mode), SpaceToBatchND/BatchToSpaceND as
 * pad-reshape-transpose-reshape(-crop), and CropAndResize (cropAndResize.ts). (A dilated
 * convolution written as SpaceToBatchND → Conv2D → BatchToSpaceND never gets here:
 * graphModel/patterns.ts makes it one dilated Conv first.)
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { formatShape, type Dim } from '../../backend/graph/tensorValue.ts';
import type { TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { imageShape } from '../../backend/emitters/window.ts';
import { convertCropAndResize } from './cropAndResize.ts';
import { knownValues } from './partialValues.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

function resizeHandler(mode: 'linear' | 'nearest'): TfOpHandler {
  return (ctx) => {
    ctx.requireInputs(2);
    const x = ctx.input(0);
    ctx.requireRank(x, 4);
    const sizeValue = ctx.input(1);
    if (sizeValue.dtype !== 'int32' || sizeValue.shape.length !== 1 || (sizeValue.shape[0] !== null && sizeValue.shape[0] !== 2))
      throw ctx.invalid(`its size must be 2 int32 values, got ${sizeValue.dtype} ${formatShape(sizeValue.shape)}`);
    // Known sizes are written out; a size computed at run time (an input of any resolution) is fed to Resize as is.
    const size = knownValues(sizeValue) ?? [null, null];
    const [height, width] = size;
    const alignCorners = ctx.attrs.bool('align_corners');
    const halfPixel = ctx.attrs.bool('half_pixel_centers');
    if (alignCorners && halfPixel) throw ctx.invalid('align_corners and half_pixel_centers cannot both be set');
    const coordinates = alignCorners
      ? 'align_corners'
      : halfPixel
        ? mode === 'linear'
          ? 'half_pixel'
          : 'tf_half_pixel_for_nn'
        : 'asymmetric';
    const attributes: Record<string, ReturnType<typeof attr.string>> = {
      mode: attr.string(mode),
      coordinate_transformation_mode: attr.string(coordinates),
    };
    if (mode === 'nearest') attributes.nearest_mode = attr.string(alignCorners ? 'round_prefer_ceil' : 'floor');
    const g = ctx.graph;
    const input = ctx.channelsFirst(x);
    const [batch, , , channels] = x.shape;
    // Sizes in N, C, H, W; with a symbolic batch the first two come from the input's own shape.
    const spatial =
      height !== null && width !== null ? g.int64Constant('spatial', [height, width]) : ctx.cast(ctx.logical(sizeValue), 'int64');
    const sizes =
      batch !== null && channels !== null && height !== null && width !== null
        ? g.int64Constant('sizes', [batch, channels, height, width])
        : g.node(
            'Concat',
            [g.node('Slice', [g.node('Shape', [input]), g.int64Constant('starts', [0]), g.int64Constant('ends', [2])]), spatial],
            { axis: attr.int(0) },
          );
    const y = g.node('Resize', [input, '', '', sizes], attributes);
    return ctx.channelsFirstResult(y, [batch, height, width, channels], x.dtype);
  };
}

/** The input of DepthToSpace/SpaceToDepth: a rank-4 value, its block size and its sizes, whether NHWC or NCHW. */
function blockInput(ctx: TfOpContext): {
  x: TfValue;
  block: number;
  channelsLast: boolean;
  sizes: { batch: Dim; height: Dim; width: Dim; channels: Dim };
} {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  ctx.requireRank(x, 4);
  const block = ctx.attrs.int('block_size');
  if (block < 2) throw ctx.attrs.invalid('block_size', 'an integer ≥ 2');
  const channelsLast = ctx.attrs.choice('data_format', ['NHWC', 'NCHW'], 'NHWC') === 'NHWC';
  const [batch, height, width, channels] = channelsLast ? x.shape : [x.shape[0], x.shape[2], x.shape[3], x.shape[1]];
  return { x, block, channelsLast, sizes: { batch, height, width, channels } };
}

/** TensorFlow orders the moved channels the same way for NHWC and NCHW: ONNX's DCR mode. */
function convertDepthToSpace(ctx: TfOpContext): TfValue {
  const { x, block, channelsLast, sizes } = blockInput(ctx);
  const { batch, height, width, channels } = sizes;
  if (channels === null || channels % (block * block) !== 0)
    throw ctx.invalid(`its input channels ${channels} are not divisible by block_size² (${block * block})`);
  const y = ctx.graph.node('DepthToSpace', [ctx.channelsFirst(x, channelsLast)], { blocksize: attr.int(block), mode: attr.string('DCR') });
  return ctx.channelsFirstResult(
    y,
    imageShape(batch, channels / (block * block), [times(height, block), times(width, block)], channelsLast),
    x.dtype,
    channelsLast,
  );
}

function convertSpaceToDepth(ctx: TfOpContext): TfValue {
  const { x, block, channelsLast, sizes } = blockInput(ctx);
  const { batch, height, width, channels } = sizes;
  if ((height !== null && height % block !== 0) || (width !== null && width % block !== 0))
    throw ctx.invalid(`its input ${formatShape(x.shape)} is not divisible by block_size ${block}`);
  const y = ctx.graph.node('SpaceToDepth', [ctx.channelsFirst(x, channelsLast)], { blocksize: attr.int(block) });
  return ctx.channelsFirstResult(
    y,
    imageShape(batch, times(channels, block * block), [divide(height, block), divide(width, block)], channelsLast),
    x.dtype,
    channelsLast,
  );
}

const times = (size: Dim, factor: number): Dim => (size === null ? null : size * factor);
const divide = (size: Dim, factor: number): Dim => (size === null ? null : size / factor);

/** Block shape and paddings/crops of a 4-D NHWC SpaceToBatchND/BatchToSpaceND, with the spatial sizes they need. */
function blockSpec(
  ctx: TfOpContext,
  what: 'paddings' | 'crops',
): { x: TfValue; blocks: number[]; amounts: number[]; spatial: number[]; channels: number } {
  ctx.requireInputs(3);
  const x = ctx.input(0);
  ctx.requireRank(x, 4);
  const blocks = ctx.ints(1, 'block_shape');
  const amounts = ctx.ints(2, what);
  if (blocks.length !== 2 || amounts.length !== 4)
    throw ctx.unsupported(`only 2 spatial block dimensions are supported, got block_shape [${blocks.join(', ')}]`);
  const [, height, width, channels] = x.shape;
  if (height === null || width === null || channels === null)
    throw ctx.unsupported(`needs the input's spatial sizes and channels, got ${formatShape(x.shape)}`);
  return { x, blocks, amounts, spatial: [height, width], channels };
}

function convertSpaceToBatchND(ctx: TfOpContext): TfValue {
  const { x, blocks, amounts, spatial, channels } = blockSpec(ctx, 'paddings');
  const [bh, bw] = blocks;
  const padded = [spatial[0] + amounts[0] + amounts[1], spatial[1] + amounts[2] + amounts[3]];
  if (padded[0] % bh !== 0 || padded[1] % bw !== 0)
    throw ctx.invalid(`padded size [${padded.join(', ')}] is not divisible by block_shape [${blocks.join(', ')}]`);
  const g = ctx.graph;
  let y = ctx.logical(x);
  if (amounts.some((a) => a !== 0))
    y = g.node('Pad', [y, g.int64Constant('pads', [0, amounts[0], amounts[2], 0, 0, amounts[1], amounts[3], 0])]);
  const [h, w] = [padded[0] / bh, padded[1] / bw];
  y = g.node('Reshape', [y, g.int64Constant('shape', [-1, h, bh, w, bw, channels])]);
  y = g.node('Transpose', [y], { perm: attr.ints([2, 4, 0, 1, 3, 5]) });
  y = g.node('Reshape', [y, g.int64Constant('shape', [-1, h, w, channels])]);
  const batch = x.shape[0];
  return ctx.result(y, [batch === null ? null : batch * bh * bw, h, w, channels], x.dtype);
}

function convertBatchToSpaceND(ctx: TfOpContext): TfValue {
  const { x, blocks, amounts, spatial, channels } = blockSpec(ctx, 'crops');
  const [bh, bw] = blocks;
  const g = ctx.graph;
  let y = g.node('Reshape', [ctx.logical(x), g.int64Constant('shape', [bh, bw, -1, spatial[0], spatial[1], channels])]);
  y = g.node('Transpose', [y], { perm: attr.ints([2, 3, 0, 4, 1, 5]) });
  const full = [spatial[0] * bh, spatial[1] * bw];
  y = g.node('Reshape', [y, g.int64Constant('shape', [-1, full[0], full[1], channels])]);
  const cropped = [full[0] - amounts[0] - amounts[1], full[1] - amounts[2] - amounts[3]];
  if (amounts.some((a) => a !== 0)) {
    y = g.node('Slice', [
      y,
      g.int64Constant('starts', [amounts[0], amounts[2]]),
      g.int64Constant('ends', [amounts[0] + cropped[0], amounts[2] + cropped[1]]),
      g.int64Constant('axes', [1, 2]),
    ]);
  }
  const batch = x.shape[0];
  return ctx.result(y, [batch === null ? null : batch / (bh * bw), cropped[0], cropped[1], channels], x.dtype);
}

export const imageOps: TfOpTable = {
  ResizeBilinear: resizeHandler('linear'),
  ResizeNearestNeighbor: resizeHandler('nearest'),
  DepthToSpace: convertDepthToSpace,
  SpaceToDepth: convertSpaceToDepth,
  SpaceToBatchND: convertSpaceToBatchND,
  BatchToSpaceND: convertBatchToSpaceND,
  CropAndResize: convertCropAndResize,
};
