/**
 * MaxPool, AvgPool, their 3-D forms and MaxPoolWithArgmax, channels-first like Conv (their neighbours in a
 * convolution run need no Transpose). TensorFlow's SAME average pooling leaves the padding out of
 * the mean, which is ONNX's default (count_include_pad 0).
 */
import type { TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { channelsOf, isChannelsLast, readWindow, shapeFrom, spatialEntries, spatialOf, windowAttributes, windowOutput } from './convolution.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

function poolingHandler(opType: 'MaxPool' | 'AveragePool', spatialRank: 2 | 3): TfOpHandler {
  return (ctx: TfOpContext): TfValue => {
    ctx.requireInputs(1);
    const x = ctx.input(0);
    ctx.requireRank(x, spatialRank + 2);
    const window = readWindow(ctx, spatialEntries(ctx, 'ksize', isChannelsLast(ctx, spatialRank), spatialRank));
    const sizes = spatialOf(x, window.channelsLast);
    const y = ctx.graph.node(opType, [ctx.channelsFirst(x, window.channelsLast)], windowAttributes(window, sizes, false));
    const shape = shapeFrom(x.shape[0], channelsOf(ctx, x, window.channelsLast), windowOutput(window, sizes), window.channelsLast);
    return ctx.channelsFirstResult(y, shape, x.dtype, window.channelsLast);
  };
}

/**
 * MaxPoolWithArgmax (NHWC): ONNX MaxPool's second output counts positions in the NCHW input,
 * ((n·C + c)·H + h)·W + w; TensorFlow counts them NHWC, (h·W + w)·C + c, plus n·H·W·C with
 * include_batch_in_index. The index is rewritten from h·W + w = i mod H·W, the channel of the
 * output position and n = i div C·H·W.
 */
function convertMaxPoolWithArgmax(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  ctx.requireRank(x, 4);
  const window = readWindow(ctx, spatialEntries(ctx, 'ksize', true, 2));
  if (!window.channelsLast) throw ctx.unsupported('only NHWC input is supported');
  const [, height, width, channels] = x.shape;
  if (height === null || width === null || channels === null) throw ctx.unsupported(`needs the input's height, width and channels, but it is [${x.shape.join(', ')}]`);
  const g = ctx.graph;
  const sizes = [height, width];
  const [y, positions] = g.nodeWithOutputs('MaxPool', [ctx.channelsFirst(x)], 2, windowAttributes(window, sizes, false));
  const int64 = (value: number) => g.initializer('c', [], 'int64', BigInt64Array.of(BigInt(value)));
  const plane = height * width;
  const channel = g.initializer('channel', [1, channels, 1, 1], 'int64', BigInt64Array.from({ length: channels }, (_, c) => BigInt(c)));
  let index = g.node('Add', [g.node('Mul', [g.node('Mod', [positions, int64(plane)]), int64(channels)]), channel]);
  if (ctx.attrs.bool('include_batch_in_index')) index = g.node('Add', [index, g.node('Mul', [g.node('Div', [positions, int64(plane * channels)]), int64(plane * channels)])]);
  const shape = shapeFrom(x.shape[0], channels, windowOutput(window, sizes), true);
  return [ctx.channelsFirstResult(y, shape, x.dtype), ctx.channelsFirstResult(ctx.toInt32(index), shape, 'int32')];
}

export const poolingOps: TfOpTable = {
  MaxPool: poolingHandler('MaxPool', 2),
  AvgPool: poolingHandler('AveragePool', 2),
  MaxPool3D: poolingHandler('MaxPool', 3),
  AvgPool3D: poolingHandler('AveragePool', 3),
  MaxPoolWithArgmax: convertMaxPoolWithArgmax,
};
