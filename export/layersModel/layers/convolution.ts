/**
 * Convolutions: Conv1D/2D/3D, their transposes, DepthwiseConv1D/2D, SeparableConv1D/2D.
 * ONNX Conv works channels-first, so inputs are fetched in N,C,spatial order (a transpose only
 * where the producer stored the tensor differently) and results stay channels-first for the
 * next layer. Kernels are transposed from Keras's [spatial..., in, out] once, at conversion.
 */
import { applyActivation } from '../activations.ts';
import { InvalidInputError } from '../../../common/errors.ts';
import { effectiveKernel, transposedConvolutionPads, transposedOutputSize, type Padding } from '../../backend/graph/convolutionMath.ts';
import { depthwiseKernelToOnnx, emitConv, emitConvTranspose, kernelToOnnx, type ConvWeights } from '../../backend/emitters/convolution.ts';
import { channelSize, imageShape, spatialSizes, type Window } from '../../backend/emitters/window.ts';
import type { DataFormat, LayerContext } from '../layerContext.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import { defineLayer, option, type LayerArgs, type LayerDefinition, type LayerDefinitionTable } from './definition.ts';

/** A Keras convolution's or pooling layer's window, with the layer's data format. */
export interface LayerWindow extends Window {
  padding: Padding;
  dataFormat: DataFormat;
}

/** Kernel size, strides, dilations, padding and data format, as Keras convolution configs spell them. */
function windowOptions(spatialRank: number, paddings: readonly Padding[]) {
  return {
    kernelSize: option.intTuple(spatialRank),
    strides: option.intTuple(spatialRank, 1),
    dilationRate: option.intTuple(spatialRank, 1),
    padding: option.choice(paddings, 'valid'),
    dataFormat: option.dataFormat(),
  };
}

/** The bias and activation every convolution ends with. */
const outputOptions = { useBias: option.bool(true), activation: option.activation() };

/** The layer's one input (of the rank its class takes), its window and its channel count. */
function windowedInput(
  ctx: LayerContext,
  args: LayerArgs<ReturnType<typeof windowOptions>>,
  spatialRank: number,
): { x: TensorValue; window: LayerWindow; channels: number } {
  const x = ctx.input();
  ctx.requireRank(x, spatialRank + 2);
  const window: LayerWindow = {
    kernel: args.kernelSize,
    strides: args.strides,
    dilations: args.dilationRate,
    padding: args.padding,
    dataFormat: args.dataFormat,
  };
  return { x, window, channels: channelCount(ctx, x, window.dataFormat) };
}

export function channelCount(ctx: LayerContext, x: TensorValue, dataFormat: DataFormat): number {
  const channels = channelSize(x.shape, dataFormat === 'channelsLast');
  if (channels === null) throw new InvalidInputError(`${ctx.config.label} needs an input with a known number of channels`);
  return channels;
}

/** The back end's Conv on the layer's input fetched channels first, the result wrapped in the layer's data format. */
function convolve(ctx: LayerContext, x: TensorValue, window: LayerWindow, weights: ConvWeights, outChannels: number): TensorValue {
  const channelsLast = window.dataFormat === 'channelsLast';
  const y = emitConv(ctx.graph, ctx.channelsFirst(x, window.dataFormat), spatialSizes(x.shape, channelsLast), window, weights);
  return ctx.channelsFirstResult(y.output, imageShape(x.shape[0], outChannels, y.sizes, channelsLast), window.dataFormat);
}

function convertConvolution(spatialRank: number): LayerDefinition {
  const options = {
    ...windowOptions(spatialRank, spatialRank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same']),
    filters: option.int(),
    groups: option.int(1),
    ...outputOptions,
  };
  return defineLayer(options, (ctx, args) => {
    const { x, window, channels: inChannels } = windowedInput(ctx, args, spatialRank);
    const { filters, groups } = args;
    if (inChannels % groups !== 0) throw ctx.config.invalid('groups', `a divisor of the input channels (${inChannels})`);
    const kernel = ctx.floatWeight('kernel', [...window.kernel, inChannels / groups, filters]);
    const bias = args.useBias ? ctx.floatWeight('bias', [filters]) : undefined;
    const weight = { name: 'kernel', ...kernelToOnnx(kernel) };
    return applyActivation(ctx, convolve(ctx, x, window, { weight, bias: bias?.values, group: groups }, filters), args.activation);
  });
}

/**
 * depth_multiplier, or null (any) when absent: tfjs's SeparableConv2D does not save it, so the
 * depthwise kernel's last axis is the only record of it.
 */
const depthMultiplier = option.custom((config, key) => (config.has(key) ? config.int(key) : null));

function convertDepthwiseConvolution(spatialRank: number): LayerDefinition {
  const options = { ...windowOptions(spatialRank, ['valid', 'same']), depthMultiplier, ...outputOptions };
  return defineLayer(options, (ctx, args) => {
    const { x, window, channels } = windowedInput(ctx, args, spatialRank);
    const kernel = ctx.floatWeight('depthwise_kernel', [...window.kernel, channels, args.depthMultiplier]);
    const multiplier = kernel.shape[kernel.shape.length - 1];
    const bias = args.useBias ? ctx.floatWeight('bias', [channels * multiplier]) : undefined;
    const weight = { name: 'depthwise_kernel', ...depthwiseKernelToOnnx(kernel) };
    return applyActivation(
      ctx,
      convolve(ctx, x, window, { weight, bias: bias?.values, group: channels }, channels * multiplier),
      args.activation,
    );
  });
}

/** Depthwise convolution (with the layer's window) followed by a 1×1 pointwise convolution carrying the bias. */
function convertSeparableConvolution(spatialRank: number): LayerDefinition {
  const options = { ...windowOptions(spatialRank, ['valid', 'same']), filters: option.int(), depthMultiplier, ...outputOptions };
  return defineLayer(options, (ctx, args) => {
    const { x, window, channels } = windowedInput(ctx, args, spatialRank);
    const { filters } = args;
    const depthwise = ctx.floatWeight('depthwise_kernel', [...window.kernel, channels, args.depthMultiplier]);
    const multiplier = depthwise.shape[depthwise.shape.length - 1];
    const pointwise = ctx.floatWeight('pointwise_kernel', [...new Array<number>(spatialRank).fill(1), channels * multiplier, filters]);
    const bias = args.useBias ? ctx.floatWeight('bias', [filters]) : undefined;

    // The pointwise convolution reads the depthwise one's channels-first result where it is.
    const mid = convolve(
      ctx,
      x,
      window,
      { weight: { name: 'depthwise_kernel', ...depthwiseKernelToOnnx(depthwise) }, group: channels },
      channels * multiplier,
    );
    const ones = new Array<number>(spatialRank).fill(1);
    const pointwiseWindow: LayerWindow = { kernel: ones, strides: ones, dilations: ones, padding: 'valid', dataFormat: window.dataFormat };
    const y = convolve(
      ctx,
      mid,
      pointwiseWindow,
      { weight: { name: 'pointwise_kernel', ...kernelToOnnx(pointwise) }, bias: bias?.values },
      filters,
    );
    return applyActivation(ctx, y, args.activation);
  });
}

/** tfjs's Conv2DTranspose/Conv3DTranspose (kernel [spatial..., out, in]) as ONNX ConvTranspose (weight [in, out, spatial...]). */
function convertConvolutionTranspose(spatialRank: number): LayerDefinition {
  const ones = new Array<number>(spatialRank).fill(1);
  const options = {
    ...windowOptions(spatialRank, ['valid', 'same']),
    dilationRate: option.refusing(option.intTuple(spatialRank, 1), (dilations) => dilations.every((d) => d === 1), {
      values: 'other than 1',
      reason: 'not converted yet',
      supported: [ones],
    }),
    outputPadding: option.absent({ values: 'set', reason: 'not converted yet' }),
    filters: option.int(),
    ...outputOptions,
  };
  return defineLayer(options, (ctx, args) => {
    const { x, window, channels } = windowedInput(ctx, args, spatialRank);
    const { filters } = args;
    const kernel = ctx.floatWeight('kernel', [...window.kernel, filters, channels]);
    const bias = args.useBias ? ctx.floatWeight('bias', [filters]) : undefined;

    const padding = window.padding as 'valid' | 'same';
    const weights = { weight: { name: 'kernel', ...kernelToOnnx(kernel) }, bias: bias?.values };
    const pads = transposedConvolutionPads(
      window.kernel.map((k, i) => effectiveKernel(k, window.dilations[i])),
      window.strides,
      padding,
    );
    const y = emitConvTranspose(ctx.graph, ctx.channelsFirst(x, window.dataFormat), window, weights, pads);
    const channelsLast = window.dataFormat === 'channelsLast';
    const sizes = spatialSizes(x.shape, channelsLast).map((size, i) =>
      transposedOutputSize(size, window.kernel[i], window.strides[i], padding),
    );
    return applyActivation(
      ctx,
      ctx.channelsFirstResult(y, imageShape(x.shape[0], filters, sizes, channelsLast), window.dataFormat),
      args.activation,
    );
  });
}

export const convolutionLayers: LayerDefinitionTable = {
  Conv1D: convertConvolution(1),
  Conv2D: convertConvolution(2),
  Conv3D: convertConvolution(3),
  Conv1DTranspose: convertConvolutionTranspose(1),
  Conv2DTranspose: convertConvolutionTranspose(2),
  Conv3DTranspose: convertConvolutionTranspose(3),
  DepthwiseConv1D: convertDepthwiseConvolution(1),
  DepthwiseConv2D: convertDepthwiseConvolution(2),
  SeparableConv1D: convertSeparableConvolution(1),
  SeparableConv2D: convertSeparableConvolution(2),
};
