/**
 * Convolutions: Conv2D, Conv3D, DepthwiseConv2dNative, Conv2DBackpropInput (transposed
 * convolution) and the fused forms tfjs-converter writes (_FusedConv2D, FusedDepthwiseConv2dNative
 * with fused_ops BiasAdd or FusedBatchNorm, then an activation). ONNX Conv is channels-first: the
 * input is fetched as NCHW (NCDHW) (a Transpose only where its producer stored it otherwise) and
 * the result stays so for the next op. Filters are reordered from TF's HWIO (DHWIO) once, at
 * conversion; a fused batch norm is folded into the filter and bias.
 */
import { effectiveKernel } from '../../backend/graph/convolutionMath.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import { depthwiseKernelToOnnx, emitConv, emitConvTranspose, kernelToOnnx, type KernelValues } from '../../backend/emitters/convolution.ts';
import { channelSize, imageShape, spatialSizes, type Window } from '../../backend/emitters/window.ts';
import { applyActivation, type ActivationArguments } from './activations.ts';
import { isConstant, numbers, type ConstantTensor, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import type { TfOpTable } from './registry.ts';

/** A 2-D or 3-D window op's window, from NHWC/NDHWC or NCHW/NCDHW attributes. */
export interface TfWindow extends Window {
  channelsLast: boolean;
}

/** Whether a 2-D (NHWC/NCHW) or 3-D (NDHWC/NCDHW) op's data_format is channels-last. */
export function isChannelsLast(ctx: TfOpContext, spatialRank: number): boolean {
  const formats = spatialRank === 3 ? (['NDHWC', 'NCDHW'] as const) : (['NHWC', 'NCHW'] as const);
  return ctx.attrs.choice('data_format', formats, formats[0]) === formats[0];
}

/** The spatial entries of a per-axis attribute list (4 entries for 2-D ops, 5 for 3-D ones). */
export function spatialEntries(ctx: TfOpContext, name: string, channelsLast: boolean, spatialRank: number, fallback?: number[]): number[] {
  const values = ctx.attrs.ints(name, fallback);
  if (values.length !== spatialRank + 2) throw ctx.attrs.invalid(name, `a list of ${spatialRank + 2} integers`);
  return channelsLast ? values.slice(1, -1) : values.slice(2);
}

/** strides, dilations and padding (SAME, VALID, or EXPLICIT with explicit_paddings for 2-D ops) around `kernel`. */
export function readWindow(ctx: TfOpContext, kernel: number[]): TfWindow {
  const n = kernel.length;
  const channelsLast = isChannelsLast(ctx, n);
  const mode = ctx.attrs.choice('padding', n === 2 ? (['SAME', 'VALID', 'EXPLICIT'] as const) : (['SAME', 'VALID'] as const));
  const ones = new Array<number>(n + 2).fill(1);
  return {
    channelsLast,
    kernel,
    strides: spatialEntries(ctx, 'strides', channelsLast, n, ones),
    dilations: spatialEntries(ctx, 'dilations', channelsLast, n, ones),
    padding: mode === 'EXPLICIT' ? { explicit: explicitPads(ctx, channelsLast) } : mode === 'SAME' ? 'same' : 'valid',
  };
}

/** explicit_paddings (begin, end per axis of the input's layout) as ONNX pads [top, left, bottom, right]. */
function explicitPads(ctx: TfOpContext, channelsLast: boolean): number[] {
  const pads = ctx.attrs.ints('explicit_paddings');
  if (pads.length !== 8) throw ctx.attrs.invalid('explicit_paddings', 'a list of 8 integers');
  const [top, bottom, left, right] = channelsLast ? pads.slice(2, 6) : pads.slice(4, 8);
  return [top, left, bottom, right];
}

export function channelsOf(ctx: TfOpContext, x: TfValue, channelsLast: boolean): number {
  const channels = channelSize(x.shape, channelsLast);
  if (channels === null) throw ctx.unsupported('needs an input with a known number of channels');
  return channels;
}

function filterInput(ctx: TfOpContext, index: number, rank = 4): ConstantTensor {
  const filter = ctx.constant(index, 'filter');
  if (filter.dtype !== 'float32' || filter.shape.length !== rank)
    throw ctx.invalid(`its filter must be a rank-${rank} float32 tensor, got ${filter.dtype} [${filter.shape.join(', ')}]`);
  return filter;
}

/** Per-output-channel scale and shift applied after the convolution (bias, folded batch norm). */
interface ChannelAffine {
  scale?: Float32Array;
  shift?: Float32Array;
}

function floatVector(ctx: TfOpContext, value: TfValue, length: number, what: string): Float32Array {
  if (!isConstant(value)) throw ctx.unsupported(`its ${what} is computed at run time; the converter needs it to be constant`);
  if (value.shape.reduce((a, b) => a * b, 1) !== length)
    throw ctx.invalid(`its ${what} has shape [${value.shape.join(', ')}], expected ${length} values`);
  return Float32Array.from(numbers(value));
}

/** y = (x − mean) / √(variance + ε) · scale + offset as a per-channel scale and shift. */
export function batchNormAffine(
  ctx: TfOpContext,
  [scale, offset, mean, variance]: TfValue[],
  channels: number,
  epsilon: number,
): { scale: Float32Array; shift: Float32Array } {
  const s = floatVector(ctx, scale, channels, 'scale');
  const o = floatVector(ctx, offset, channels, 'offset');
  const m = floatVector(ctx, mean, channels, 'mean');
  const v = floatVector(ctx, variance, channels, 'variance');
  const factor = s.map((value, c) => value / Math.sqrt(v[c] + epsilon));
  return { scale: factor, shift: o.map((value, c) => value - m[c] * factor[c]) };
}

interface FusedOps {
  affine: ChannelAffine;
  activation?: string;
  activationArgs: ActivationArguments;
}

/** Reads `fused_ops` and the extra inputs they consume (inputs from index 2 on). */
function readFusedOps(ctx: TfOpContext, outChannels: number): FusedOps {
  const ops = ctx.attrs.strings('fused_ops');
  const args = ctx.inputs.slice(2);
  const result: FusedOps = { affine: {}, activationArgs: { leakyReluAlpha: ctx.attrs.float('leakyrelu_alpha', 0.2) } };
  let rest = ops;
  if (ops[0] === 'BiasAdd') {
    result.affine.shift = floatVector(ctx, args[0] ?? ctx.input(2), outChannels, 'bias');
    rest = ops.slice(1);
  } else if (ops[0] === 'FusedBatchNorm') {
    if (args.length < 4) throw ctx.invalid(`fused_ops FusedBatchNorm needs 4 extra inputs, has ${args.length}`);
    result.affine = batchNormAffine(ctx, args.slice(0, 4), outChannels, ctx.attrs.float('epsilon', 1e-3));
    rest = ops.slice(1);
  }
  if (rest.length > 1)
    throw ctx.unsupported(`fused_ops ${ops.join(', ')} is not supported (at most BiasAdd or FusedBatchNorm, then one activation)`);
  result.activation = rest[0];
  if (result.activation === 'Prelu') {
    const consumed = ops[0] === 'BiasAdd' ? 1 : ops[0] === 'FusedBatchNorm' ? 4 : 0;
    result.activationArgs.preluAlpha = args[consumed];
    if (!result.activationArgs.preluAlpha) throw ctx.invalid('fused Prelu needs its alpha input');
  }
  return result;
}

/** Folds a per-output-channel scale into an ONNX [out, in, kh, kw] filter. */
function scaleFilter(values: Float32Array, outChannels: number, scale: Float32Array | undefined): Float32Array {
  if (!scale) return values;
  const perChannel = values.length / outChannels;
  return values.map((value, i) => value * scale[Math.floor(i / perChannel)]);
}

interface ConvolutionSpec {
  /** ONNX filter [out, in/group, (kd,) kh, kw]. */
  filter: KernelValues;
  outChannels: number;
  group: number;
  window: TfWindow;
}

/** Conv2D filter [kh, kw, in, out] → [out, in, kh, kw]; Conv3D's [kd, kh, kw, in, out] likewise. */
function convolutionSpec(ctx: TfOpContext, x: TfValue, spatialRank = 2): ConvolutionSpec {
  const filter = filterInput(ctx, 1, spatialRank + 2);
  const [inPerGroup, out] = filter.shape.slice(spatialRank);
  const window = readWindow(ctx, filter.shape.slice(0, spatialRank));
  const channels = channelsOf(ctx, x, window.channelsLast);
  if (channels % inPerGroup !== 0)
    throw ctx.invalid(`its filter takes ${inPerGroup} input channels, which does not divide the input's ${channels}`);
  return { filter: kernelToOnnx(filterValues(filter)), outChannels: out, group: channels / inPerGroup, window };
}

/** Depthwise filter [kh, kw, C, M] → grouped Conv weight [C·M, 1, kh, kw] (output channel c·M + m, TF's order). */
function depthwiseSpec(ctx: TfOpContext, x: TfValue): ConvolutionSpec {
  const filter = filterInput(ctx, 1);
  const [kh, kw, channels, multiplier] = filter.shape;
  const window = readWindow(ctx, [kh, kw]);
  if (channelsOf(ctx, x, window.channelsLast) !== channels)
    throw ctx.invalid(`its filter is for ${channels} channels, the input has ${channelsOf(ctx, x, window.channelsLast)}`);
  return { filter: depthwiseKernelToOnnx(filterValues(filter)), outChannels: channels * multiplier, group: channels, window };
}

function filterValues(filter: ConstantTensor): KernelValues {
  return { values: filter.values as Float32Array, shape: [...filter.shape] };
}

/** The convolution with its fused ops: a batch norm's scale folded into the filter, the shift as bias, then the activation. */
function fusedConvolution(ctx: TfOpContext, x: TfValue, spec: ConvolutionSpec, fused: FusedOps): TensorValue {
  ctx.requireRank(x, spec.window.kernel.length + 2);
  const { window } = spec;
  const filter = {
    name: 'filter',
    shape: spec.filter.shape,
    values: scaleFilter(spec.filter.values, spec.outChannels, fused.affine.scale),
  };
  const sizes = spatialSizes(x.shape, window.channelsLast);
  const y = emitConv(ctx.graph, ctx.channelsFirst(x, window.channelsLast), sizes, window, {
    weight: filter,
    bias: fused.affine.shift,
    group: spec.group,
  });
  const result = ctx.channelsFirstResult(
    y.output,
    imageShape(x.shape[0], spec.outChannels, y.sizes, window.channelsLast),
    'float32',
    window.channelsLast,
  );
  return fused.activation ? applyActivation(ctx, result, fused.activation, fused.activationArgs) : result;
}

const noFusedOps: FusedOps = { affine: {}, activationArgs: {} };

function convertConv2D(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  return fusedConvolution(ctx, x, convolutionSpec(ctx, x), noFusedOps);
}

function convertConv3D(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  ctx.requireRank(x, 5);
  return fusedConvolution(ctx, x, convolutionSpec(ctx, x, 3), noFusedOps);
}

function convertDepthwiseConv2D(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const x = ctx.input(0);
  return fusedConvolution(ctx, x, depthwiseSpec(ctx, x), noFusedOps);
}

function convertFusedConv2D(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2, true);
  const x = ctx.input(0);
  const spec = convolutionSpec(ctx, x);
  return fusedConvolution(ctx, x, spec, readFusedOps(ctx, spec.outChannels));
}

function convertFusedDepthwiseConv2D(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2, true);
  const x = ctx.input(0);
  const spec = depthwiseSpec(ctx, x);
  return fusedConvolution(ctx, x, spec, readFusedOps(ctx, spec.outChannels));
}

/**
 * Conv2DBackpropInput(input_sizes, filter [kh, kw, out_c, in_c], x) as ConvTranspose (weight
 * [in_c, out_c, kh, kw]). Pads are those of the forward convolution whose gradient this is;
 * output_padding makes up the rest of input_sizes.
 */
function convertConv2DBackpropInput(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const outputSizes = ctx.ints(0, 'input_sizes');
  const filter = filterInput(ctx, 1);
  const x = ctx.input(2);
  ctx.requireRank(x, 4);
  const [kh, kw, outChannels, inChannels] = filter.shape;
  const window = readWindow(ctx, [kh, kw]);
  if (channelsOf(ctx, x, window.channelsLast) !== inChannels)
    throw ctx.invalid(`its filter takes ${inChannels} channels, the input has ${channelsOf(ctx, x, window.channelsLast)}`);
  const targetSpatial = window.channelsLast ? outputSizes.slice(1, 3) : outputSizes.slice(2, 4);
  const inputSpatial = spatialSizes(x.shape, window.channelsLast);
  const explicit = typeof window.padding === 'object' ? window.padding.explicit : undefined;
  const begin: number[] = [];
  const end: number[] = [];
  const outputPadding: number[] = [];
  targetSpatial.forEach((size, i) => {
    const k = effectiveKernel(window.kernel[i], window.dilations[i]);
    const s = window.strides[i];
    let total = 0;
    if (window.padding === 'same') total = Math.max((Math.ceil(size / s) - 1) * s + k - size, 0);
    if (explicit) total = explicit[i] + explicit[i + 2];
    const before = explicit ? explicit[i] : Math.floor(total / 2);
    begin.push(before);
    end.push(total - before);
    const input = inputSpatial[i];
    if (input === null) throw ctx.unsupported("needs the input's spatial sizes to be known");
    outputPadding.push(size - (s * (input - 1) + k - total));
  });
  if (outputPadding.some((p) => p < 0))
    throw ctx.invalid(`input_sizes [${outputSizes.join(', ')}] is smaller than the transposed convolution's output`);
  const weight = { name: 'filter', ...kernelToOnnx(filterValues(filter)) };
  const y = emitConvTranspose(
    ctx.graph,
    ctx.channelsFirst(x, window.channelsLast),
    window,
    { weight },
    { pads: [...begin, ...end], outputPadding },
  );
  return ctx.channelsFirstResult(
    y,
    imageShape(x.shape[0], outChannels, targetSpatial, window.channelsLast),
    'float32',
    window.channelsLast,
  );
}

export const convolutionOps: TfOpTable = {
  Conv2D: convertConv2D,
  Conv3D: convertConv3D,
  DepthwiseConv2dNative: convertDepthwiseConv2D,
  _FusedConv2D: convertFusedConv2D,
  FusedDepthwiseConv2dNative: convertFusedDepthwiseConv2D,
  Conv2DBackpropInput: convertConv2DBackpropInput,
};
