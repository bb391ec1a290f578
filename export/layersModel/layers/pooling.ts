/**
 * Pooling: Max/AveragePooling1D/2D/3D run as ONNX MaxPool/AveragePool in channels-first storage;
 * global pooling is a reduction over the spatial axes wherever they are stored, so it needs no
 * transpose at all.
 */
import type { LayerContext } from '../layerContext.ts';
import { identityPermutation, permutationAfterRemovingAxes, physicalAxis } from '../../backend/graph/layout.ts';
import { reduce, unsqueeze } from '../../backend/graph/ops.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import { emitPool } from '../../backend/emitters/convolution.ts';
import { imageShape, spatialSizes } from '../../backend/emitters/window.ts';
import { channelCount, type LayerWindow } from './convolution.ts';
import { defineLayer, option, type LayerDefinition, type LayerDefinitionTable } from './definition.ts';

function convertPooling(opType: 'MaxPool' | 'AveragePool', spatialRank: number): LayerDefinition {
  const options = {
    poolSize: option.intTuple(spatialRank, 2),
    strides: option.optionalIntTuple(spatialRank),
    padding: option.choice(['valid', 'same'] as const, 'valid'),
    dataFormat: option.dataFormat(),
  };
  return defineLayer(options, (ctx, args) => {
    const x = ctx.input();
    ctx.requireRank(x, spatialRank + 2);
    const window: LayerWindow = {
      kernel: args.poolSize,
      // Keras: strides default to the pool size.
      strides: args.strides ?? args.poolSize,
      dilations: new Array<number>(spatialRank).fill(1),
      padding: args.padding,
      dataFormat: args.dataFormat,
    };
    const channelsLast = window.dataFormat === 'channelsLast';
    const y = emitPool(ctx.graph, opType, ctx.channelsFirst(x, window.dataFormat), spatialSizes(x.shape, channelsLast), window);
    const shape = imageShape(x.shape[0], channelCount(ctx, x, window.dataFormat), y.sizes, channelsLast);
    return ctx.channelsFirstResult(y.output, shape, window.dataFormat);
  });
}

/**
 * Keras's GlobalAveragePooling1D averages over the valid steps only when its input is masked
 * (an Embedding with mask_zero before it): Σ x·m / Σ m.
 */
function maskedAverage(ctx: LayerContext, x: TensorValue, mask: TensorValue, channelsLast: boolean, keepDims: boolean): TensorValue {
  const g = ctx.graph;
  const stepsAxis = channelsLast ? 1 : 2;
  const m = unsqueeze(ctx, ctx.logical(mask), [channelsLast ? 2 : 1]);
  const total = reduce(ctx, 'ReduceSum', g.node('Mul', [ctx.logical(x), m]), [stepsAxis], keepDims);
  const count = reduce(ctx, 'ReduceSum', m, [stepsAxis], keepDims);
  const shape = keepDims ? x.shape.map((size, axis) => (axis === stepsAxis ? 1 : size)) : x.shape.filter((_, axis) => axis !== stepsAxis);
  return ctx.result(g.node('Div', [total, count]), shape);
}

function convertGlobalPooling(opType: 'ReduceMax' | 'ReduceMean', spatialRank: number): LayerDefinition {
  return defineLayer({ dataFormat: option.dataFormat(), keepdims: option.bool(false) }, (ctx, { dataFormat, keepdims: keepDims }) => {
    const x = ctx.input();
    ctx.requireRank(x, spatialRank + 2);
    const mask = ctx.inputMasks[0];
    if (mask && opType === 'ReduceMean' && spatialRank === 1) return maskedAverage(ctx, x, mask, dataFormat === 'channelsLast', keepDims);
    const first = dataFormat === 'channelsLast' ? 1 : 2;
    const logicalAxes = identityPermutation(spatialRank).map((i) => first + i);
    const storedAxes = logicalAxes.map((axis) => physicalAxis(x.perm, axis)).sort((a, b) => a - b);
    const y = reduce(ctx, opType, x.onnxName, storedAxes, keepDims);
    if (keepDims)
      return ctx.resultLike(
        x,
        y,
        x.shape.map((size, axis) => (logicalAxes.includes(axis) ? 1 : size)),
      );
    const shape = x.shape.filter((_, axis) => !logicalAxes.includes(axis));
    return ctx.resultWithPerm(y, shape, permutationAfterRemovingAxes(x.perm, logicalAxes));
  });
}

export const poolingLayers: LayerDefinitionTable = {
  MaxPooling1D: convertPooling('MaxPool', 1),
  MaxPooling2D: convertPooling('MaxPool', 2),
  AveragePooling1D: convertPooling('AveragePool', 1),
  AveragePooling2D: convertPooling('AveragePool', 2),
  MaxPooling3D: convertPooling('MaxPool', 3),
  AveragePooling3D: convertPooling('AveragePool', 3),
  GlobalMaxPooling1D: convertGlobalPooling('ReduceMax', 1),
  GlobalMaxPooling2D: convertGlobalPooling('ReduceMax', 2),
  GlobalAveragePooling1D: convertGlobalPooling('ReduceMean', 1),
  GlobalAveragePooling2D: convertGlobalPooling('ReduceMean', 2),
  GlobalMaxPooling3D: convertGlobalPooling('ReduceMax', 3),
  GlobalAveragePooling3D: convertGlobalPooling('ReduceMean', 3),
};
