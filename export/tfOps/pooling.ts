/**
 * MaxPool, AvgPool and their 3-D forms, channels-first like Conv (their neighbours in a
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

export const poolingOps: TfOpTable = {
  MaxPool: poolingHandler('MaxPool', 2),
  AvgPool: poolingHandler('AveragePool', 2),
  MaxPool3D: poolingHandler('MaxPool', 3),
  AvgPool3D: poolingHandler('AveragePool', 3),
};
