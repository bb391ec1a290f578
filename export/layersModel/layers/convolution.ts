/**
 * Convolutions: Conv1D/2D/3D, their transposes, DepthwiseConv1D/2D, SeparableConv1D/2D.
 * ONNX Conv works channels-first, so inputs are fetched in N,C,spatial order (a transpose only
 * where the producer stored the tensor differently) and results stay channels-first for the
 * next layer. Kernels are transposed from Keras's [spatial..., in, out] once, at conversion.
 */
import { applyActivation, readActivation } from '../activations.ts';
import { InvalidInputError } from '../../../common/errors.ts';
import { effectiveKernel, onnxPads, transposedConvolutionPads, transposedOutputSize, windowOutputSize, type Padding } from '../../backend/graph/convolutionMath.ts';
import { attr, type AttributeValue } from '../../backend/graph/graphBuilder.ts';
import type { DataFormat, LayerContext } from '../layerContext.ts';
import { identityPermutation, transposeData } from '../../backend/graph/layout.ts';
import type { Dim, TensorValue } from '../../backend/graph/tensorValue.ts';
import type { LayerConverterTable } from './registry.ts';

export interface WindowOptions {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padding: Padding;
  dataFormat: DataFormat;
}

/** Kernel size, strides, dilations, padding and data format, as Keras convolution configs spell them. */
function readConvolutionWindow(ctx: LayerContext, spatialRank: number, paddings: readonly Padding[]): WindowOptions {
  const c = ctx.config;
  return {
    kernel: c.intTuple('kernelSize', spatialRank),
    strides: c.intTuple('strides', spatialRank, 1),
    dilations: c.intTuple('dilationRate', spatialRank, 1),
    padding: c.choice('padding', paddings, 'valid'),
    dataFormat: ctx.dataFormat(),
  };
}

/** The logical spatial sizes of a tensor of the given data format. */
export function spatialSizes(x: TensorValue, dataFormat: DataFormat): Dim[] {
  return dataFormat === 'channelsLast' ? x.shape.slice(1, -1) : x.shape.slice(2);
}

export function channelCount(ctx: LayerContext, x: TensorValue, dataFormat: DataFormat): number {
  const channels = dataFormat === 'channelsLast' ? x.shape[x.shape.length - 1] : x.shape[1];
  if (channels === null) throw new InvalidInputError(`${ctx.config.label} needs an input with a known number of channels`);
  return channels;
}

/** A Keras shape from batch, channels and spatial sizes, in the layer's data format. */
export function shapeOf(batch: Dim, channels: Dim, spatial: Dim[], dataFormat: DataFormat): Dim[] {
  return dataFormat === 'channelsLast' ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
}

/** kernel_shape/strides/dilations/pads attributes shared by Conv, MaxPool and AveragePool. */
export function windowAttributes(input: Dim[], options: WindowOptions, withDilations = true): Record<string, AttributeValue> {
  const pads = onnxPads(input, options.kernel, options.strides, options.dilations, options.padding);
  return {
    kernel_shape: attr.ints(options.kernel),
    strides: attr.ints(options.strides),
    ...(withDilations ? { dilations: attr.ints(options.dilations) } : {}),
    ...(pads ? { pads: attr.ints(pads) } : { auto_pad: attr.string('SAME_UPPER') }),
  };
}

export function windowOutputSizes(input: Dim[], options: WindowOptions): Dim[] {
  return input.map((size, i) => windowOutputSize(size, options.kernel[i], options.strides[i], options.dilations[i], options.padding));
}

/** Keras [spatial..., in, out] → ONNX [out, in, spatial...]. */
function kernelToOnnx(values: Float32Array, shape: number[]): { values: Float32Array; shape: number[] } {
  const n = shape.length - 2;
  return transposeData(values, shape, [n + 1, n, ...identityPermutation(n)]);
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

    return emitConv(ctx, x, options, { name: 'kernel', ...kernelToOnnx(kernel.values, kernel.shape) }, bias, groups, filters, activation);
  };
}

/**
 * The one windowed ONNX Conv a convolution layer becomes: channels-first input, the weight already
 * in ONNX's [out, in / group, spatial...] order, the bias, then the layer's activation.
 */
function emitConv(
  ctx: LayerContext,
  x: TensorValue,
  options: WindowOptions,
  weight: { name: string; values: Float32Array; shape: number[] },
  bias: { values: Float32Array; shape: number[] } | undefined,
  group: number,
  outChannels: number,
  activation: ReturnType<typeof readActivation>,
): TensorValue {
  const g = ctx.graph;
  const inputs = [ctx.channelsFirst(x, options.dataFormat), g.floatConstant(weight.name, weight.shape, weight.values)];
  if (bias) inputs.push(g.floatConstant('bias', bias.shape, bias.values));
  const sizes = spatialSizes(x, options.dataFormat);
  const y = g.node('Conv', inputs, { ...windowAttributes(sizes, options), group: attr.int(group) });
  const shape = shapeOf(x.shape[0], outChannels, windowOutputSizes(sizes, options), options.dataFormat);
  return applyActivation(ctx, ctx.channelsFirstResult(y, shape, options.dataFormat), activation);
}

/**
 * Depthwise kernel [spatial..., C, M] → grouped Conv weight [C·M, 1, spatial...]: output channel
 * c·M + m, TensorFlow's order, which is the flat order of the last two Keras axes.
 */
function depthwiseKernelToOnnx(values: Float32Array, shape: number[]): { values: Float32Array; shape: number[] } {
  const spatial = shape.slice(0, -2);
  const outChannels = shape[shape.length - 2] * shape[shape.length - 1];
  return kernelToOnnx(values, [...spatial, 1, outChannels]);
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

    const weight = { name: 'depthwise_kernel', ...depthwiseKernelToOnnx(kernel.values, kernel.shape) };
    return emitConv(ctx, x, options, weight, bias, channels, channels * multiplier, activation);
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

    const g = ctx.graph;
    const depthwiseOnnx = depthwiseKernelToOnnx(depthwise.values, depthwise.shape);
    const sizes = spatialSizes(x, options.dataFormat);
    const mid = g.node('Conv', [ctx.channelsFirst(x, options.dataFormat), g.floatConstant('depthwise_kernel', depthwiseOnnx.shape, depthwiseOnnx.values)], {
      ...windowAttributes(sizes, options),
      group: attr.int(channels),
    });
    const pointwiseOnnx = kernelToOnnx(pointwise.values, pointwise.shape);
    const inputs = [mid, g.floatConstant('pointwise_kernel', pointwiseOnnx.shape, pointwiseOnnx.values)];
    if (bias) inputs.push(g.floatConstant('bias', bias.shape, bias.values));
    const ones = new Array<number>(spatialRank).fill(1);
    const y = g.node('Conv', inputs, { kernel_shape: attr.ints(ones), strides: attr.ints(ones), pads: attr.ints(new Array<number>(2 * spatialRank).fill(0)) });
    const shape = shapeOf(x.shape[0], filters, windowOutputSizes(sizes, options), options.dataFormat);
    return applyActivation(ctx, ctx.channelsFirstResult(y, shape, options.dataFormat), activation);
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

    const g = ctx.graph;
    const onnxKernel = kernelToOnnx(kernel.values, kernel.shape);
    const inputs = [ctx.channelsFirst(x, options.dataFormat), g.floatConstant('kernel', onnxKernel.shape, onnxKernel.values)];
    if (bias) inputs.push(g.floatConstant('bias', bias.shape, bias.values));
    const padding = options.padding as 'valid' | 'same';
    const { pads, outputPadding } = transposedConvolutionPads(options.kernel.map((k, i) => effectiveKernel(k, options.dilations[i])), options.strides, padding);
    const y = g.node('ConvTranspose', inputs, {
      kernel_shape: attr.ints(options.kernel),
      strides: attr.ints(options.strides),
      pads: attr.ints(pads),
      output_padding: attr.ints(outputPadding),
    });
    const sizes = spatialSizes(x, options.dataFormat).map((size, i) => transposedOutputSize(size, options.kernel[i], options.strides[i], padding));
    const shape = shapeOf(x.shape[0], filters, sizes, options.dataFormat);
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
