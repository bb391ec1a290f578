/**
 * Training kernels for tfjs's WebAssembly backend. It implements inference and most gradients,
 * but not Conv2DBackpropFilter (the gradient of a convolution with respect to its filter), so a
 * convolutional model cannot train on it out of the box; and its Conv2DBackpropInput is a plain
 * loop, several times slower than its XNNPACK convolution.
 *
 * Both gradients are themselves convolutions, so we express them with wasm's fast conv2d:
 * - filter: with x as [Ci, H, W, N] (channels as batch, batch as channels) and dy as a filter
 *   [Ho, Wo, N, Co], a stride-1 convolution dilated by the forward stride gives dW as [Ci, Kh, Kw, Co];
 * - input (stride 1): dy padded by the kernel size minus the forward padding, convolved with the
 *   filter flipped in space and with its channel axes swapped, gives dx. Strided convolutions keep
 *   the backend's own kernel.
 */
import * as tf from '@tensorflow/tfjs';

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter as never });
  const builtIn = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
  if (builtIn) {
    tf.unregisterKernel(tf.Conv2DBackpropInput, 'wasm');
    tf.registerKernel({ ...builtIn, kernelFunc: (args) => conv2DBackpropInput(args as never, builtIn.kernelFunc) });
  }
}

interface BackpropInputArgs {
  inputs: { dy: tf.Tensor4D; filter: tf.Tensor4D };
  attrs: { strides: number | [number, number]; pad: 'same' | 'valid' | number; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: string; inputShape: [number, number, number, number] };
}

function conv2DBackpropInput(args: BackpropInputArgs, builtIn: tf.KernelFunc): tf.TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs;
  const [strideH, strideW] = typeof strides === 'number' ? [strides, strides] : strides;
  if (strideH !== 1 || strideW !== 1 || dataFormat !== 'NHWC' || dimRoundingMode) return builtIn(args as never) as tf.TensorInfo;
  const { dy, filter } = args.inputs;
  const [kernelH, kernelW] = filter.shape;
  const [top, bottom] = paddingFor(inputShape[1], kernelH, 1, pad);
  const [left, right] = paddingFor(inputShape[2], kernelW, 1, pad);
  return tf.tidy(() => {
    const padded = tf.pad(dy, [[0, 0], [kernelH - 1 - top, kernelH - 1 - bottom], [kernelW - 1 - left, kernelW - 1 - right], [0, 0]]);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(padded, flipped, 1, 'valid');
  });
}

interface BackpropFilterArgs {
  inputs: { x: tf.Tensor4D; dy: tf.Tensor4D };
  attrs: { strides: number | [number, number]; pad: 'same' | 'valid' | number; dataFormat: 'NHWC' | 'NCHW'; filterShape: [number, number, number, number] };
}

function conv2DBackpropFilter({ inputs, attrs }: BackpropFilterArgs): tf.Tensor4D {
  const { strides, pad, dataFormat, filterShape } = attrs;
  if (dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports NHWC only, got ${dataFormat}`);
  const [strideH, strideW] = typeof strides === 'number' ? [strides, strides] : strides;
  const [kernelH, kernelW] = filterShape;
  return tf.tidy(() => {
    const x = tf.pad(inputs.x, [[0, 0], paddingFor(inputs.x.shape[1], kernelH, strideH, pad), paddingFor(inputs.x.shape[2], kernelW, strideW, pad), [0, 0]]);
    const channelsAsBatch = tf.transpose(x, [3, 1, 2, 0]);
    const gradientAsFilter = tf.transpose(inputs.dy, [1, 2, 0, 3]);
    const full = tf.conv2d(channelsAsBatch, gradientAsFilter, 1, 'valid', 'NHWC', [strideH, strideW]);
    const filter = tf.slice(full, [0, 0, 0, 0], [-1, kernelH, kernelW, -1]);
    return tf.transpose(filter, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/** Top and bottom (or left and right) padding of one spatial axis, as tfjs pads in the forward pass. */
function paddingFor(size: number, kernel: number, stride: number, pad: 'same' | 'valid' | number): [number, number] {
  if (typeof pad === 'number') return [pad, pad];
  if (pad === 'valid') return [0, 0];
  const outSize = Math.ceil(size / stride);
  const total = Math.max((outSize - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}
