import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../training/backends/select.ts';
import { createRandom } from '../../../training/random.ts';

const random = createRandom(5);

/** Runs `f` on the cpu backend (tfjs's reference) and on wasm with our kernels, returning both results. */
async function onCpuAndWasm(f: () => tf.Tensor): Promise<[Float32Array, Float32Array, number[]]> {
  await selectBackend('cpu');
  const reference = tf.tidy(f);
  const expected = reference.dataSync() as Float32Array;
  const shape = reference.shape;
  reference.dispose();
  await selectBackend('wasm');
  const actual = tf.tidy(f);
  expect(actual.shape).toEqual(shape);
  const values = actual.dataSync() as Float32Array;
  actual.dispose();
  return [expected, values, shape];
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);
const values = (count: number, levels?: number) =>
  Float32Array.from({ length: count }, () => (levels ? Math.floor(random() * levels) : random() * 2 - 1));

describe("wasm's BatchMatMul with transposed operands", () => {
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['aᵀb (a Dense kernel gradient)', [32, 20], [32, 12], true, false],
    ['abᵀ (a Dense input gradient)', [32, 12], [20, 12], false, true],
    ['aᵀbᵀ', [7, 5], [3, 7], true, true],
    ['batched aᵀb', [3, 6, 4], [3, 6, 5], true, false],
    ['broadcast batch abᵀ', [2, 4, 6], [1, 5, 6], false, true],
  ];
  it.each(cases)('computes %s as the cpu backend does', async (_, aShape, bShape, transposeA, transposeB) => {
    const a = values(aShape.reduce((x, y) => x * y, 1));
    const b = values(bShape.reduce((x, y) => x * y, 1));
    const [expected, actual] = await onCpuAndWasm(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB));
    expect(maxAbsDiff(expected, actual)).toBeLessThan(1e-5);
  });
});

describe("wasm's MaxPoolGrad", () => {
  // Pixel values from a few levels make ties in the windows common: the gradient must go to the first maximum.
  const cases: [string, number[], number, number, 'valid' | 'same'][] = [
    ['2×2 windows, stride 2 (the CNN)', [2, 8, 8, 3], 2, 2, 'valid'],
    ['odd input, 2×2 stride 2', [1, 7, 9, 2], 2, 2, 'valid'],
    ['overlapping 3×3 windows, stride 1, same padding', [2, 6, 5, 4], 3, 1, 'same'],
    ['3×3 windows, stride 2, same padding', [1, 9, 7, 3], 3, 2, 'same'],
  ];
  it.each(cases)('routes the gradient as the cpu backend does for %s', async (_, shape, filter, stride, pad) => {
    const x = values(
      shape.reduce((a, b) => a * b, 1),
      4,
    );
    const outShape = await onCpuAndWasm(() =>
      tf.maxPool(tf.tensor4d(x, shape as [number, number, number, number]), filter, stride, pad),
    ).then(([, , s]) => s);
    const dy = values(outShape.reduce((a, b) => a * b, 1));
    const gradient = () =>
      tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, filter, stride, pad), tf.tensor(dy, outShape))))(
        tf.tensor4d(x, shape as [number, number, number, number]),
      );
    const [expected, actual] = await onCpuAndWasm(gradient);
    expect(maxAbsDiff(expected, actual)).toBeLessThan(1e-6);
    expect(expected.some((value) => value !== 0)).toBe(true);
  });
});
