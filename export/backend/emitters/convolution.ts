/**
 * The ONNX nodes a convolution or pooling becomes, for both front ends: the kernel reordered once,
 * at conversion, from TensorFlow's (and Keras's) [spatial..., in, out] to ONNX's
 * [out, in, spatial...], then one Conv, MaxPool or AveragePool on a channels-first input with the
 * window's attributes. Front ends fetch the input channels first and wrap the result in their own
 * layout; activations follow through emitters/activations.ts.
 */
import { attr, type AttributeValue, type GraphBuilder } from '../graph/graphBuilder.ts';
import { identityPermutation, transposeData } from '../graph/layout.ts';
import type { Dim } from '../graph/tensorValue.ts';
import { windowAttributes, windowOutputSizes, type Window } from './window.ts';

export interface KernelValues {
  values: Float32Array;
  shape: number[];
}

/**
 * [spatial..., in, out] → [out, in, spatial...] (Conv's weight). The same reordering turns a
 * transposed convolution's [spatial..., out, in] into ConvTranspose's [in, out, spatial...].
 */
export function kernelToOnnx(kernel: KernelValues): KernelValues {
  const n = kernel.shape.length - 2;
  return transposeData(kernel.values, kernel.shape, [n + 1, n, ...identityPermutation(n)]);
}

/**
 * Depthwise kernel [spatial..., C, M] → grouped Conv weight [C·M, 1, spatial...]: output channel
 * c·M + m, TensorFlow's order, which is the flat order of the last two axes.
 */
export function depthwiseKernelToOnnx(kernel: KernelValues): KernelValues {
  const spatial = kernel.shape.slice(0, -2);
  return kernelToOnnx({
    values: kernel.values,
    shape: [...spatial, 1, kernel.shape[kernel.shape.length - 2] * kernel.shape[kernel.shape.length - 1]],
  });
}

export interface ConvWeights {
  /** The weight in ONNX order, and the initializer's base name (`kernel`, `filter`). */
  weight: KernelValues & { name: string };
  bias?: Float32Array;
  /** Input channels ÷ the weight's second axis (the channel count for a depthwise convolution). */
  group?: number;
}

/** What an emitter made: the channels-first output and its spatial sizes. */
export interface WindowResult {
  output: string;
  sizes: Dim[];
}

/** One Conv on a channels-first input whose spatial sizes are `sizes`. */
export function emitConv(
  graph: GraphBuilder,
  input: string,
  sizes: Dim[],
  window: Window,
  { weight, bias, group = 1 }: ConvWeights,
): WindowResult {
  const inputs = [input, graph.floatConstant(weight.name, weight.shape, weight.values)];
  if (bias) inputs.push(graph.floatConstant('bias', [bias.length], bias));
  const output = graph.node('Conv', inputs, { ...windowAttributes(window, sizes), group: attr.int(group) });
  return { output, sizes: windowOutputSizes(window, sizes) };
}

/**
 * One MaxPool or AveragePool on a channels-first input. Average pooling divides by the inputs
 * inside the window only, as TensorFlow's 'same' pooling does (count_include_pad 0).
 */
export function emitPool(
  graph: GraphBuilder,
  opType: 'MaxPool' | 'AveragePool',
  input: string,
  sizes: Dim[],
  window: Window,
): WindowResult {
  const extra: Record<string, AttributeValue> = opType === 'AveragePool' ? { count_include_pad: attr.int(0) } : {};
  const output = graph.node(opType, [input], { ...windowAttributes(window, sizes, { dilations: false }), ...extra });
  return { output, sizes: windowOutputSizes(window, sizes) };
}

/**
 * One ConvTranspose on a channels-first input: the weight in ONNX order [in, out/group, spatial...]
 * (kernelToOnnx of a [spatial..., out, in] kernel), and the pads and output_padding the front end
 * worked out from its own rule (Keras's deconv length, TF's input_sizes).
 */
export function emitConvTranspose(
  graph: GraphBuilder,
  input: string,
  window: Omit<Window, 'padding'>,
  { weight, bias }: ConvWeights,
  padding: { pads: number[]; outputPadding: number[] },
): string {
  const inputs = [input, graph.floatConstant(weight.name, weight.shape, weight.values)];
  if (bias) inputs.push(graph.floatConstant('bias', [bias.length], bias));
  return graph.node('ConvTranspose', inputs, {
    kernel_shape: attr.ints(window.kernel),
    strides: attr.ints(window.strides),
    dilations: attr.ints(window.dilations),
    pads: attr.ints(padding.pads),
    output_padding: attr.ints(padding.outputPadding),
  });
}
