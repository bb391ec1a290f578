/**
 * Dropout with a fresh mask at every training step, reproducibly: element i of step s's mask
 * comes from Philox keyed by (the layer's seed, s) and counted by i (see random.ts), as
 * TensorFlow's tf.nn.experimental.stateless_dropout takes its seed per call. tfjs's dropout takes
 * a seed too, but rebuilds its generator from that seed on every call, so a seeded Dropout layer
 * drops the same units at every step of a training run (fit() included). One kernel draws the
 * mask and applies it (tf.dropout runs four: add, floor, divide, multiply); the gradient is the
 * incoming gradient times the same mask. Backends without the JavaScript kernel (tfjs-node)
 * multiply by the same mask, built in JavaScript, so a seeded run drops the same units on every
 * backend.
 */
import * as tf from '@tensorflow/tfjs';
import { philox4x32 } from '../random.ts';
import { implementationOf, registerJsKernel, size, type Implementation, type Values } from './tensorMemory.ts';

const KERNEL = 'TfjsOnnxDropout';

export interface DropoutMaskKey {
  /** The fraction of units dropped, in (0, 1). */
  rate: number;
  /** The layer's seed (a uint32). */
  seed: number;
  /** The training step (a uint32): each step draws its own mask. */
  step: number;
}

export function registerDropoutKernel(): void {
  registerJsKernel<DropoutMaskKey>(
    KERNEL,
    ['x'],
    ([x]) => [0, 1].map(() => ({ shape: [...x.shape], dtype: 'float32' as const })),
    ([x], [y, mask], key) => {
      writeDropoutMask(key, mask);
      for (let i = 0; i < x.length; i++) y[i] = x[i] * mask[i];
    },
  );
}

/**
 * Fills `mask` with step `key.step`'s mask: 0 for a dropped unit, 1 / (1 − rate) for a kept one
 * (so the expected output is the input, as in tfjs and Keras). A unit is kept when its uniform
 * draw u ∈ [0, 1) is at least `rate`, as in tf.dropout.
 */
export function writeDropoutMask({ rate, seed, step }: DropoutMaskKey, mask: Values): void {
  const scale = 1 / (1 - rate);
  const threshold = rate * 0x100000000;
  const words = new Uint32Array(4);
  for (let block = 0; block * 4 < mask.length; block++) {
    philox4x32(block, 0, 0, 0, seed, step, words);
    const end = Math.min(4, mask.length - block * 4);
    for (let lane = 0; lane < end; lane++) mask[block * 4 + lane] = words[lane] >= threshold ? scale : 0;
  }
}

/** `x` with step `key.step`'s mask applied, differentiable with respect to `x`. */
export function dropout(x: tf.Tensor, key: DropoutMaskKey, implementation: Implementation = implementationOf(KERNEL)): tf.Tensor {
  const masked = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [y, mask] =
      implementation === 'kernel'
        ? (tf.engine().runKernel(KERNEL, { x: input }, key as unknown as tf.NamedAttrMap) as tf.Tensor[])
        : dropoutOps(input, key);
    save([mask]);
    return { value: y, gradFunc: (dy, [savedMask]) => tf.mul(dy, savedMask) };
  });
  return masked(x);
}

/** The same outputs with standard tfjs ops and the mask built in JavaScript. */
function dropoutOps(x: tf.Tensor, key: DropoutMaskKey): tf.Tensor[] {
  const values = new Float32Array(size(x.shape));
  writeDropoutMask(key, values);
  const mask = tf.tensor(values, x.shape, 'float32');
  return [tf.mul(x, mask), mask];
}
