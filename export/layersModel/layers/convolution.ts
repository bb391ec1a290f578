/**
 * Convolutions: Conv1D/2D/3D, their transposes, DepthwiseConv1D/2D, SeparableConv1D/2D.
 * ONNX Conv works channels-first, so inputs are fetched in N,C,spatial order (a transpose only
 * where the producer stored the tensor differently) and results stay channels-first for the
 * next layer. Kernels are transposed from Keras's [spatial..., in, out] once, at conversion.
 */
import { applyActivation, readActivation } from '../activations.ts';
import { InvalidInputError } from '../../../common/errors.ts';
import { effectiveKernel, transposedConvolutionPads, transposedOutputSize, type Padding } from '../../backend/graph/convolutionMath.ts';
import { depthwiseKernelToOnnx, emitConv, emitConvTranspose, kernelToOnnx, type ConvWeights } from '../../backend/emitters/convolution.ts';
import { channelSize, imageShape, spatialSizes, type Window } from '../../backend/emitters/window.ts';
import type { DataFormat, LayerContext } from '../layerContext.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import type { LayerConverterTable } from './registry.ts';

/** A Keras convolution's or pooling layer's window, with the layer's data format. */
export interface LayerWindow extends Window {
  padding: Padding;
  dataFormat: DataFormat;
}

/** Kernel size, strides, dilations, padding and data format, as Keras convolution configs spell them. */
function readConvolutionWindow(ctx: LayerContext, spatialRank: number, paddings: readonly Padding[]): LayerWindow {
  const c = ctx.config;
  return {
    kernel: c.intTuple('kernelSize', spatialRank),
    strides: c.intTuple('strides', spatialRank, 1),
    dilations: c.intTuple('dilationRate', spatialRank, 1),
    padding: c.choice('padding', paddings, 'valid'),
    dataFormat: ctx.dataFormat(),
  };
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

function convertConvolution(spatialRank: number) {
  return (ctx: LayerContext): TensorValue => {
    const x = ctx.input();
    ctx.requireRank(x, spatialRank + 2);
    const options = readConvolutionWindow(ctx, spatialRank, spatialRank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same']);
    const filters = ctx.config.int('filters');
    const groups = ctx.config.int('groups', 1);
    const useBias = ctx.config.bool('useBias', true);
    const activation = readActivation(ctx.config);
    const inChannels = channelCount(ctx, x, options.dataFormat);
    if (inChannels % groups !== 0) throw ctx.config.invalid('groups', `a divisor of the input channels (${inChannels})`);
    const kernel = ctx.floatWeight('kernel', [...options.kernel, inChannels / groups, filters]);
    const bias = useBias ? ctx.floatWeight('bias', [filters]) : undefined;

    const weight = { name: 'kernel', ...kernelToOnnx(kernel) };
    return applyActivation(ctx, convolve(ctx, x, options, { weight, bias: bias?.values, group: groups }, filters), activation);
  };
}

/**
 * The depth multiplier from the config, or null (any) when absent: tfjs's SeparableConv2D does not
 * save `depth_multiplier`, so the depthwise kernel's last axis is the only record of it.
 */
function depthMultiplier(ctx: LayerContext): number | null {
  return ctx.config.has('depthMultiplier') ? ctx.config.int('depthMultiplier') : null;
}

function convertDepthwiseConvolution(spatialRank: number) {
  return (ctx: LayerContext): TensorValue => {
    const x = ctx.input();
    ctx.requireRank(x, spatialRank + 2);
    const options = readConvolutionWindow(ctx, spatialRank, ['valid', 'same']);
    const useBias = ctx.config.bool('useBias', true);
    const activation = readActivation(ctx.config);
    const channels = channelCount(ctx, x, options.dataFormat);
    const kernel = ctx.floatWeight('depthwise_kernel', [...options.kernel, channels, depthMultiplier(ctx)]);
    const multiplier = kernel.shape[kernel.shape.length - 1];
    const bias = useBias ? ctx.floatWeight('bias', [channels * multiplier]) : undefined;

    const weight = { name: 'depthwise_kernel', ...depthwiseKernelToOnnx(kernel) };
    return applyActivation(ctx, convolve(ctx, x, options, { weight, bias: bias?.values, group: channels }, channels * multiplier), activation);
  };
}

/** Depthwise convolution (with the layer's window) followed by a 1×1 pointwise convolution carrying the bias. */
function convertSeparableConvolution(spatialRank: number) {
  return (ctx: LayerContext): TensorValue => {
    const x = ctx.input();
    ctx.requireRank(x, spatialRank + 2);
    const options = readConvolutionWindow(ctx, spatialRank, ['valid', 'same']);
    const filters = ctx.config.int('filters');
    const useBias = ctx.config.bool('useBias', true);
    const activation = readActivation(ctx.config);
    const channels = channelCount(ctx, x, options.dataFormat);
    const depthwise = ctx.floatWeight('depthwise_kernel', [...options.kernel, channels, depthMultiplier(ctx)]);
    const multiplier = depthwise.shape[depthwise.shape.length - 1];
    const pointwise = ctx.floatWeight('pointwise_kernel', [...new Array<number>(spatialRank).fill(1), channels * multiplier, filters]);
    const bias = useBias ? ctx.floatWeight('bias', [filters]) : undefined;

    // The pointwise convolution reads the depthwise one's channels-first result where it is.
    const mid = convolve(ctx, x, options, { weight: { name: 'depthwise_kernel', ...depthwiseKernelToOnnx(depthwise) }, group: channels }, channels * multiplier);
    const ones = new Array<number>(spatialRank).fill(1);
    const pointwiseWindow: LayerWindow = { kernel: ones, strides: ones, dilations: ones, padding: 'valid', dataFormat: options.dataFormat };
    const y = convolve(ctx, mid, pointwiseWindow, { weight: { name: 'pointwise_kernel', ...kernelToOnnx(pointwise) }, bias: bias?.values }, filters);
    return applyActivation(ctx, y, activation);
  };
}

/** tfjs's Conv2DTranspose/Conv3DTranspose (kernel [spatial..., out, in]) as ONNX ConvTranspose (weight [in, out, spatial...]). */
function convertConvolutionTranspose(spatialRank: number) {
  return (ctx: LayerContext): TensorValue => {
    const x = ctx.input();
    ctx.requireRank(x, spatialRank + 2);
    const options = readConvolutionWindow(ctx, spatialRank, ['valid', 'same']);
    if (options.dilations.some((d) => d !== 1)) ctx.config.unsupported('dilationRate', options.dilations, [new Array<number>(spatialRank).fill(1)]);
    if (ctx.config.has('outputPadding')) ctx.config.unsupported('outputPadding', ctx.config.raw('outputPadding'), [null]);
    const filters = ctx.config.int('filters');
    const useBias = ctx.config.bool('useBias', true);
    const activation = readActivation(ctx.config);
    const channels = channelCount(ctx, x, options.dataFormat);
    const kernel = ctx.floatWeight('kernel', [...options.kernel, filters, channels]);
    const bias = useBias ? ctx.floatWeight('bias', [filters]) : undefined;

    const padding = options.padding as 'valid' | 'same';
    const weights = { weight: { name: 'kernel', ...kernelToOnnx(kernel) }, bias: bias?.values };
    const pads = transposedConvolutionPads(options.kernel.map((k, i) => effectiveKernel(k, options.dilations[i])), options.strides, padding);
    const y = emitConvTranspose(ctx.graph, ctx.channelsFirst(x, options.dataFormat), options, weights, pads);
    const sizes = spatialSizes(x.shape, options.dataFormat === 'channelsLast').map((size, i) => transposedOutputSize(size, options.kernel[i], options.strides[i], padding));
    const shape = imageShape(x.shape[0], filters, sizes, options.dataFormat === 'channelsLast');
    return applyActivation(ctx, ctx.channelsFirstResult(y, shape, options.dataFormat), activation);
  };
}

export const convolutionLayers: LayerConverterTable = {
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
