/**
 * The window of a convolution or pooling op, however the front end spelled it (a Keras config's
 * kernel_size/strides/dilation_rate/padding, a TF node's ksize/strides/dilations/padding/
 * explicit_paddings), and what ONNX Conv, ConvTranspose, MaxPool and AveragePool make of it: the
 * kernel_shape/strides/dilations/pads attributes and the output's spatial sizes.
 */
import { effectiveKernel, onnxPads, windowOutputSize, type Padding } from '../graph/convolutionMath.ts';
import { attr, type AttributeValue } from '../graph/graphBuilder.ts';
import type { Dim } from '../graph/tensorValue.ts';

/** TensorFlow's padding modes, or explicit pads in ONNX's order ([begin..., end...]). */
export type WindowPadding = Padding | { explicit: number[] };

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padding: WindowPadding;
}

/** ONNX `pads`, or undefined where 'same' meets an unknown size at a stride above 1 (then auto_pad SAME_UPPER). */
export function windowPads(window: Window, input: Dim[]): number[] | undefined {
  const { padding } = window;
  return typeof padding === 'object' ? padding.explicit : onnxPads(input, window.kernel, window.strides, window.dilations, padding);
}

/** kernel_shape, strides, dilations (left out for pooling: AveragePool has none before opset 19) and pads. */
export function windowAttributes(window: Window, input: Dim[], options: { dilations?: boolean } = {}): Record<string, AttributeValue> {
  const pads = windowPads(window, input);
  return {
    kernel_shape: attr.ints(window.kernel),
    strides: attr.ints(window.strides),
    ...(options.dilations === false ? {} : { dilations: attr.ints(window.dilations) }),
    ...(pads ? { pads: attr.ints(pads) } : { auto_pad: attr.string('SAME_UPPER') }),
  };
}

/** The output's spatial sizes (null where the input's is unknown). */
export function windowOutputSizes(window: Window, input: Dim[]): Dim[] {
  const { padding } = window;
  return input.map((size, i) => {
    if (typeof padding !== 'object') return windowOutputSize(size, window.kernel[i], window.strides[i], window.dilations[i], padding);
    if (size === null) return null;
    const padded = size + padding.explicit[i] + padding.explicit[i + input.length];
    return Math.floor((padded - effectiveKernel(window.kernel[i], window.dilations[i])) / window.strides[i]) + 1;
  });
}

/** The spatial sizes of a channels-last ([N, spatial..., C]) or channels-first ([N, C, spatial...]) shape. */
export function spatialSizes(shape: readonly Dim[], channelsLast: boolean): Dim[] {
  return channelsLast ? shape.slice(1, -1) : shape.slice(2);
}

/** The channel count of such a shape (null when unknown). */
export function channelSize(shape: readonly Dim[], channelsLast: boolean): Dim {
  return channelsLast ? shape[shape.length - 1] : shape[1];
}

/** A shape from batch, channels and spatial sizes, channels last or first. */
export function imageShape(batch: Dim, channels: Dim, spatial: Dim[], channelsLast: boolean): Dim[] {
  return channelsLast ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
}
