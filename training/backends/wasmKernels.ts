/**
 * Training kernels for tfjs's WebAssembly backend. It implements inference and most gradients,
 * but not Conv2DBackpropFilter (the gradient of a convolution with respect to its filter), so a
 * convolutional model cannot train on it out of the box; its Conv2DBackpropInput is a plain
 * loop, several times slower than its XNNPACK convolution; its BatchMatMul leaves XNNPACK for a
 * plain loop whenever an operand is transposed (as in every Dense layer's gradient); and its
 * MaxPoolGrad rescans each pooling window per input pixel. We replace all four.
 *
 * The convolution gradients are themselves convolutions, so we express them with wasm's fast conv2d:
 * - filter: with x as [Ci, H, W, N] (channels as batch, batch as channels) and dy as a filter
 *   [Ho, Wo, N, Co], a stride-1 convolution dilated by the forward stride gives dW as [Ci, Kh, Kw, Co];
 * - input (stride 1): dy padded by the kernel size minus the forward padding, convolved with the
 *   filter flipped in space and with its channel axes swapped, gives dx. Strided convolutions keep
 *   the backend's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { jsKernelFunc, type Values } from '../ops/tensorMemory.ts';

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter as never });
  wrapBuiltIn(tf.Conv2DBackpropInput, (args, builtIn) => conv2DBackpropInput(args as never, builtIn));
  wrapBuiltIn(tf.BatchMatMul, (args, builtIn) => batchMatMul(args as never, builtIn));
  wrapBuiltIn(
    tf.MaxPoolGrad,
    jsKernelFunc('wasm', ['dy', 'input'], ([, input]) => [{ shape: [...input.shape], dtype: 'float32' }], maxPoolGrad),
  );
}

/** Replaces a wasm kernel by `kernelFunc`, which may hand cases it does not improve to the original. */
function wrapBuiltIn(
  name: string,
  kernelFunc: (args: Parameters<tf.KernelFunc>[0], builtIn: tf.KernelFunc) => tf.TensorInfo | tf.TensorInfo[],
): void {
  const builtIn = tf.getKernel(name, 'wasm');
  if (!builtIn) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...builtIn, kernelFunc: (args) => kernelFunc(args, builtIn.kernelFunc) });
}

interface BatchMatMulArgs {
  inputs: { a: tf.Tensor; b: tf.Tensor };
  attrs: { transposeA: boolean; transposeB: boolean };
}

/**
 * wasm's BatchMatMul is fast (XNNPACK) only without transposes; with transposeA or transposeB it
 * runs a plain loop about ten times slower (3 ms against 0.3 ms for MNIST's 32×784 by 784×128),
 * and every Dense layer's gradient asks for both. Transposing the operand first is a cheap copy.
 */
function batchMatMul(args: BatchMatMulArgs, builtIn: tf.KernelFunc): tf.TensorInfo {
  const { transposeA, transposeB } = args.attrs;
  if (!transposeA && !transposeB) return builtIn(args as never) as tf.TensorInfo;
  return tf.tidy(() =>
    tf.matMul(transposeA ? swapLastAxes(args.inputs.a) : args.inputs.a, transposeB ? swapLastAxes(args.inputs.b) : args.inputs.b),
  );
}

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The gradient of max pooling: each output's gradient goes to the input position that was the
 * window's maximum (the first one in scan order on ties, as TensorFlow and tfjs's cpu backend
 * choose). wasm's own kernel rescans every window for every input pixel; this makes one pass over
 * the windows, the channels innermost so that memory is read in order.
 */
function maxPoolGrad([dy, input]: Values[], [dx]: Values[], attrs: MaxPoolGradAttrs, [, inputInfo]: tf.TensorInfo[]): void {
  const info = tf.backend_util.computePool2DInfo(
    inputInfo.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    effectiveFilterHeight,
    effectiveFilterWidth,
  } = info;
  const { top, left } = info.padInfo;
  dx.fill(0);
  const best = new Float32Array(channels);
  const bestAt = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = Math.max(0, oh * strideHeight - top);
      const rowEnd = Math.min(inHeight, oh * strideHeight - top + effectiveFilterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const columnStart = Math.max(0, ow * strideWidth - left);
        const columnEnd = Math.min(inWidth, ow * strideWidth - left + effectiveFilterWidth);
        if (rowStart >= rowEnd || columnStart >= columnEnd) continue; // a window wholly in the padding
        const first = ((b * inHeight + rowStart) * inWidth + columnStart) * channels;
        for (let c = 0; c < channels; c++) {
          best[c] = input[first + c];
          bestAt[c] = first + c;
        }
        for (let row = rowStart; row < rowEnd; row++) {
          for (let column = columnStart; column < columnEnd; column++) {
            const base = ((b * inHeight + row) * inWidth + column) * channels;
            for (let c = 0; c < channels; c++) {
              if (input[base + c] > best[c]) {
                best[c] = input[base + c];
                bestAt[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) dx[bestAt[c]] += dy[dyBase + c];
      }
    }
  }
}

function swapLastAxes(x: tf.Tensor): tf.Tensor {
  const axes = x.shape.map((_, i) => i);
  [axes[axes.length - 2], axes[axes.length - 1]] = [axes[axes.length - 1], axes[axes.length - 2]];
  return tf.transpose(x, axes);
}

interface BackpropInputArgs {
  inputs: { dy: tf.Tensor4D; filter: tf.Tensor4D };
  attrs: {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: string;
    inputShape: [number, number, number, number];
  };
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
    const padded = tf.pad(dy, [
      [0, 0],
      [kernelH - 1 - top, kernelH - 1 - bottom],
      [kernelW - 1 - left, kernelW - 1 - right],
      [0, 0],
    ]);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(padded, flipped, 1, 'valid');
  });
}

interface BackpropFilterArgs {
  inputs: { x: tf.Tensor4D; dy: tf.Tensor4D };
  attrs: {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number;
    dataFormat: 'NHWC' | 'NCHW';
    filterShape: [number, number, number, number];
  };
}

function conv2DBackpropFilter({ inputs, attrs }: BackpropFilterArgs): tf.Tensor4D {
  const { strides, pad, dataFormat, filterShape } = attrs;
  if (dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports NHWC only, got ${dataFormat}`);
  const [strideH, strideW] = typeof strides === 'number' ? [strides, strides] : strides;
  const [kernelH, kernelW] = filterShape;
  return tf.tidy(() => {
    const x = tf.pad(inputs.x, [
      [0, 0],
      paddingFor(inputs.x.shape[1], kernelH, strideH, pad),
      paddingFor(inputs.x.shape[2], kernelW, strideW, pad),
      [0, 0],
    ]);
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
