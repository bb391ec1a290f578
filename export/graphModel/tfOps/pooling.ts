/**
 * MaxPool, AvgPool, their 3-D forms and MaxPoolWithArgmax, channels-first like Conv (their
 * neighbours in a convolution run need no Transpose), and Dilation2D, a max over windows too.
 * TensorFlow's SAME average pooling leaves the padding out of the mean, which is ONNX's default
 * (count_include_pad 0).
 */
import { onnxPads, windowOutputSize } from '../../backend/graph/convolutionMath.ts';
import { physicalAxis } from '../../backend/graph/layout.ts';
import { formatShape, tensorValue, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { constantTensor, numbers, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { emitPool } from '../../backend/emitters/convolution.ts';
import { imageShape, spatialSizes, windowAttributes, windowOutputSizes } from '../../backend/emitters/window.ts';
import { channelsOf, isChannelsLast, readWindow, spatialEntries } from './convolution.ts';
import { elementwiseNode } from './elementwise.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

function poolingHandler(opType: 'MaxPool' | 'AveragePool', spatialRank: 2 | 3): TfOpHandler {
  return (ctx: TfOpContext): TfValue => {
    ctx.requireInputs(1);
    const x = ctx.input(0);
    ctx.requireRank(x, spatialRank + 2);
    const window = readWindow(ctx, spatialEntries(ctx, 'ksize', isChannelsLast(ctx, spatialRank), spatialRank));
    const y = emitPool(ctx.graph, opType, ctx.channelsFirst(x, window.channelsLast), spatialSizes(x.shape, window.channelsLast), window);
    const shape = imageShape(x.shape[0], channelsOf(ctx, x, window.channelsLast), y.sizes, window.channelsLast);
    return ctx.channelsFirstResult(y.output, shape, x.dtype, window.channelsLast);
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
  if (height === null || width === null || channels === null)
    throw ctx.unsupported(`needs the input's height, width and channels, but it is [${x.shape.join(', ')}]`);
  const g = ctx.graph;
  const sizes = [height, width];
  const [y, positions] = g.nodeWithOutputs('MaxPool', [ctx.channelsFirst(x)], 2, windowAttributes(window, sizes, { dilations: false }));
  const int64 = (value: number) => g.initializer('c', [], 'int64', BigInt64Array.of(BigInt(value)));
  const plane = height * width;
  const channel = g.initializer(
    'channel',
    [1, channels, 1, 1],
    'int64',
    BigInt64Array.from({ length: channels }, (_, c) => BigInt(c)),
  );
  let index = g.node('Add', [g.node('Mul', [g.node('Mod', [positions, int64(plane)]), int64(channels)]), channel]);
  if (ctx.attrs.bool('include_batch_in_index'))
    index = g.node('Add', [index, g.node('Mul', [g.node('Div', [positions, int64(plane * channels)]), int64(plane * channels)])]);
  const shape = imageShape(x.shape[0], channels, windowOutputSizes(window, sizes), true);
  return [ctx.channelsFirstResult(y, shape, x.dtype), ctx.channelsFirstResult(ctx.toInt32(index), shape, 'int32')];
}

/**
 * Dilation2D, the morphological (max-plus) dilation of NHWC input by a [fh, fw, C] filter:
 * out[b, y, x, c] = max over offsets (dy, dx) of input[b, y·sh + dy·rh − top, x·sw + dx·rw − left, c]
 * + filter[dy, dx, c], positions outside the input left out. ONNX has no such op; it is one
 * strided Slice per filter offset of the input padded with −∞, plus the filter's values there, and
 * a Max over them all, done where the input is stored (inside an NCHW run, in NCHW).
 */
function convertDilation2D(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  ctx.requireRank(x, 4);
  const filter = ctx.constant(1, 'filter');
  const [filterHeight, filterWidth, filterChannels] = filter.shape;
  const [, height, width, channels] = x.shape;
  if (filter.dtype !== 'float32' || filter.shape.length !== 3 || filterChannels !== channels)
    throw ctx.invalid(`its filter ${formatShape(filter.shape)} must be a float32 [height, width, ${channels}] tensor`);
  if (height === null || width === null) throw ctx.unsupported(`needs the input's height and width, but it is ${formatShape(x.shape)}`);
  const strides = spatialEntries(ctx, 'strides', true, 2);
  const rates = spatialEntries(ctx, 'rates', true, 2);
  const padding = ctx.attrs.choice('padding', ['SAME', 'VALID']) === 'SAME' ? 'same' : 'valid';
  const kernel = [filterHeight, filterWidth];
  const [top, left, bottom, right] = onnxPads([height, width], kernel, strides, rates, padding)!;
  const outputSizes = [height, width].map((size, i) => windowOutputSize(size, kernel[i], strides[i], rates[i], padding) as number);
  const g = ctx.graph;
  const stored = ctx.runtime(x);
  const axes = [physicalAxis(stored.perm, 1), physicalAxis(stored.perm, 2)];
  const padAt = (logical: number, amounts: [number, number]) => (logical === 1 ? amounts[0] : logical === 2 ? amounts[1] : 0);
  const padded =
    top + left + bottom + right === 0
      ? stored.onnxName
      : g.node('Pad', [
          stored.onnxName,
          g.int64Constant('pads', [...stored.perm.map((a) => padAt(a, [top, left])), ...stored.perm.map((a) => padAt(a, [bottom, right]))]),
          g.scalar('minus_infinity', -Infinity),
        ]);
  const weights = numbers(filter);
  const terms: TensorValue[] = [];
  for (let dy = 0; dy < filterHeight; dy++) {
    for (let dx = 0; dx < filterWidth; dx++) {
      const starts = [dy * rates[0], dx * rates[1]];
      const ends = starts.map((start, i) => start + (outputSizes[i] - 1) * strides[i] + 1);
      const window = g.node('Slice', [
        padded,
        g.int64Constant('starts', starts),
        g.int64Constant('ends', ends),
        g.int64Constant('axes', axes),
        g.int64Constant('steps', strides),
      ]);
      const offset = constantTensor(
        'float32',
        [channels as number],
        weights.slice(((dy * filterWidth + dx) * channels) as number, ((dy * filterWidth + dx + 1) * channels) as number),
      );
      terms.push(
        elementwiseNode(ctx, 'Add', [tensorValue(window, [x.shape[0], ...outputSizes, channels], stored.perm), offset], 'float32'),
      );
    }
  }
  return terms.length === 1 ? terms[0] : elementwiseNode(ctx, 'Max', terms, 'float32');
}

export const poolingOps: TfOpTable = {
  MaxPool: poolingHandler('MaxPool', 2),
  AvgPool: poolingHandler('AveragePool', 2),
  MaxPool3D: poolingHandler('MaxPool', 3),
  AvgPool3D: poolingHandler('AveragePool', 3),
  MaxPoolWithArgmax: convertMaxPoolWithArgmax,
  Dilation2D: convertDilation2D,
};
