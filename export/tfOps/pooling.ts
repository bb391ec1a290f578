/**
 * MaxPool and AvgPool, channels-first like Conv (their neighbours in a convolution run need no
 * Transpose). TensorFlow's SAME average pooling leaves the padding out of the mean, which is
 * ONNX's default (count_include_pad 0).
 */
import type { TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { channelsOf, readWindow, shapeFrom, spatialOf, spatialPair, windowAttributes, windowOutput } from './convolution.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

function poolingHandler(opType: 'MaxPool' | 'AveragePool'): TfOpHandler {
  return (ctx: TfOpContext): TfValue => {
    ctx.requireInputs(1);
    const x = ctx.input(0);
    ctx.requireRank(x, 4);
    const channelsLast = ctx.attrs.choice('data_format', ['NHWC', 'NCHW'], 'NHWC') === 'NHWC';
    const window = readWindow(ctx, spatialPair(ctx, 'ksize', channelsLast));
    const sizes = spatialOf(x, window.channelsLast);
    const y = ctx.graph.node(opType, [ctx.channelsFirst(x, window.channelsLast)], windowAttributes(window, sizes, false));
    const shape = shapeFrom(x.shape[0], channelsOf(ctx, x, window.channelsLast), windowOutput(window, sizes), window.channelsLast);
    return ctx.channelsFirstResult(y, shape, x.dtype, window.channelsLast);
  };
}

export const poolingOps: TfOpTable = {
  MaxPool: poolingHandler('MaxPool'),
  AvgPool: poolingHandler('AveragePool'),
};
