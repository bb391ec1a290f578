import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../training/backends/select.ts';
import { dropout, registerDropoutKernel, writeDropoutMask, type DropoutMaskKey } from '../../../training/ops/dropout.ts';
import type { Implementation } from '../../../training/ops/tensorMemory.ts';
import { createRandom, philox4x32 } from '../../../training/random.ts';

const random = createRandom(5);
const randomArray = (count: number) => Float32Array.from({ length: count }, () => random() * 2 - 1);
const maskOf = (key: DropoutMaskKey, count: number) => {
  const mask = new Float32Array(count);
  writeDropoutMask(key, mask);
  return mask;
};
const fractionWhere = (count: number, predicate: (i: number) => boolean) => {
  let hits = 0;
  for (let i = 0; i < count; i++) if (predicate(i)) hits++;
  return hits / count;
};

beforeAll(async () => {
  await selectBackend('wasm'); // registers the wasm backend
  registerDropoutKernel();
});

describe('Philox4x32-10', () => {
  // Known answers from the Random123 distribution's kat_vectors (counter, key → output).
  it.each([
    [
      [0, 0, 0, 0],
      [0, 0],
      [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
    ],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    ],
  ])('gives the reference output for counter %j and key %j', (counter, key, expected) => {
    const out = new Uint32Array(4);
    philox4x32(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
    expect(Array.from(out)).toEqual(expected);
  });
});

describe('dropout masks', () => {
  const count = 51_200; // a CNN batch: 32 × 1600 units
  const key = { rate: 0.25, seed: 4, step: 1 };

  it('drop the rate’s fraction of units and scale the kept ones by 1 / (1 − rate)', () => {
    const mask = maskOf(key, count);
    expect(new Set(mask)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    // 51,200 draws: the dropped fraction's standard deviation is 0.002.
    expect(fractionWhere(count, (i) => mask[i] === 0)).toBeCloseTo(0.25, 2);
    const heavier = maskOf({ ...key, rate: 0.6 }, count);
    expect(fractionWhere(count, (i) => heavier[i] === 0)).toBeCloseTo(0.6, 2);
    expect(new Set(heavier)).toEqual(new Set([0, Math.fround(1 / 0.4)]));
  });

  it('are a function of (seed, step): the same key repeats its mask, another step or seed draws an independent one', () => {
    const mask = maskOf(key, count);
    expect(maskOf(key, count)).toEqual(mask);
    for (const other of [
      { ...key, step: 2 },
      { ...key, step: 1000 },
      { ...key, seed: 5 },
    ]) {
      const otherMask = maskOf(other, count);
      // Independent masks agree where both keep or both drop: 0.75² + 0.25² = 62.5% of units.
      expect(fractionWhere(count, (i) => (mask[i] === 0) === (otherMask[i] === 0))).toBeCloseTo(0.625, 1);
    }
  });

  it('fill lengths that are not a multiple of four', () => {
    expect(maskOf(key, 7)).toEqual(maskOf(key, 8).subarray(0, 7));
  });
});

// The fused kernel runs on wasm and cpu; 'ops' is what tfjs-node runs.
const cases: [string, Implementation][] = [
  ['wasm', 'kernel'],
  ['cpu', 'kernel'],
  ['cpu', 'ops'],
];

describe.each(cases)('dropout on %s (%s)', (backend, implementation) => {
  it('multiplies by the key’s mask, and so does its gradient', async () => {
    await selectBackend(backend);
    const shape = [6, 35];
    const key = { rate: 0.3, seed: 11, step: 7 };
    const mask = maskOf(key, 6 * 35);
    const x = tf.tensor(randomArray(6 * 35), shape);
    const dy = tf.tensor(randomArray(6 * 35), shape);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.valueAndGrads((input: tf.Tensor) => tf.sum(tf.mul(dropout(input, key, implementation), dy)) as tf.Scalar)([
      x,
    ]);
    const y = tf.tidy(() => dropout(x, key, implementation));
    expect(y.shape).toEqual(shape);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync(), (v, i) => Math.fround(v * mask[i])));
    expect(Array.from(grads[0].dataSync())).toEqual(Array.from(dy.dataSync(), (v, i) => Math.fround(v * mask[i])));
    expect(value.dataSync()[0]).toBeCloseTo(
      Array.from(y.dataSync()).reduce((sum, v, i) => sum + v * dy.dataSync()[i], 0),
      4,
    );
    tf.dispose([y, value, ...grads]);
    expect(tf.memory().numTensors).toBe(before); // the saved mask goes with the gradient tape
    tf.dispose([x, dy]);
  });
});
