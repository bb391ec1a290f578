/**
 * Window arithmetic shared by convolution and pooling, following TensorFlow's padding rules:
 * 'valid' uses no padding; 'same' pads so the output is ceil(input / stride), with the odd
 * extra row/column at the end (ONNX's SAME_UPPER).
 */
import type { Dim } from './tensorValue.ts';

export type Padding = 'valid' | 'same' | 'causal';

export function effectiveKernel(kernel: number, dilation: number): number {
  return (kernel - 1) * dilation + 1;
}

export function windowOutputSize(input: Dim, kernel: number, stride: number, dilation: number, padding: Padding): Dim {
  if (input === null) return null;
  // Causal padding adds k_eff − 1 on the left, which gives the same size as 'same'.
  if (padding === 'same' || padding === 'causal') return Math.ceil(input / stride);
  return Math.ceil((input - effectiveKernel(kernel, dilation) + 1) / stride);
}

/**
 * ONNX `pads` ([begin..., end...]) for the spatial sizes, or undefined when 'same' padding meets an
 * unknown size at a stride above 1 (then the node uses auto_pad SAME_UPPER and the runtime computes
 * the same pads). At stride 1, 'same' pads k_eff − 1 whatever the size.
 */
export function onnxPads(inputs: Dim[], kernels: number[], strides: number[], dilations: number[], padding: Padding): number[] | undefined {
  const n = inputs.length;
  if (padding === 'valid') return new Array<number>(2 * n).fill(0);
  if (padding === 'causal') {
    // Causal (Conv1D only): everything on the left, so output t sees inputs ≤ t.
    return [...kernels.map((k, i) => effectiveKernel(k, dilations[i]) - 1), ...new Array<number>(n).fill(0)];
  }
  if (inputs.some((size, i) => size === null && strides[i] !== 1)) return undefined;
  const begin: number[] = [];
  const end: number[] = [];
  inputs.forEach((size, i) => {
    const kernel = effectiveKernel(kernels[i], dilations[i]);
    const total = size === null ? kernel - 1 : Math.max((Math.ceil(size / strides[i]) - 1) * strides[i] + kernel - size, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  });
  return [...begin, ...end];
}

/** tfjs's deconvLength: the output size of a transposed convolution. */
export function transposedOutputSize(input: Dim, kernel: number, stride: number, padding: 'valid' | 'same'): Dim {
  if (input === null) return null;
  return padding === 'same' ? input * stride : input * stride + Math.max(kernel - stride, 0);
}

/**
 * ConvTranspose pads and output_padding that reproduce TensorFlow's conv2d_transpose (the
 * adjoint of a forward convolution with TF padding). They depend on kernel and stride only:
 * 'same' crops max(k − s, 0) split begin-low like forward SAME; both modes then add max(s − k, 0)
 * at the end so the output reaches tfjs's size.
 */
export function transposedConvolutionPads(
  kernels: number[],
  strides: number[],
  padding: 'valid' | 'same',
): { pads: number[]; outputPadding: number[] } {
  const begin: number[] = [];
  const end: number[] = [];
  const outputPadding: number[] = [];
  kernels.forEach((kernel, i) => {
    const total = padding === 'same' ? Math.max(kernel - strides[i], 0) : 0;
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
    outputPadding.push(Math.max(strides[i] - kernel, 0));
  });
  return { pads: [...begin, ...end], outputPadding };
}
