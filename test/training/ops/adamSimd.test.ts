import { describe, expect, it } from 'vitest';
import { simdAdamFor } from '../../../training/ops/adamSimd.ts';

describe("Adam's WebAssembly SIMD loop", () => {
  it('assembles into a module Node runs, and computes the moments and the step as the scalar formula does', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const adam = simdAdamFor(memory);
    expect(adam).toBeTypeOf('function');
    const count = 64;
    // Seven arrays of `count` floats laid out one after another, at byte addresses 16 × k.
    const arrays = Array.from({ length: 7 }, (_, k) => new Float32Array(memory.buffer, k * count * 4, count));
    const [value, m, v, gradient, newValue, newM, newV] = arrays;
    for (let i = 0; i < count; i++) {
      value[i] = Math.sin(i);
      m[i] = Math.cos(i) * 0.1;
      v[i] = 0.01 + (i % 5) * 0.001;
      gradient[i] = Math.sin(3 * i) * 0.5;
    }
    newValue.fill(Number.NaN);
    const [beta1, beta2, stepSize, epsilon] = [0.9, 0.999, 0.002, 1e-7];
    adam!(
      ...([0, 1, 2, 3, 4, 5, 6].map((k) => k * count * 4) as [number, number, number, number, number, number, number]),
      count,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      stepSize,
      epsilon,
    );
    for (let i = 0; i < count; i++) {
      const first = beta1 * m[i] + (1 - beta1) * gradient[i];
      const second = beta2 * v[i] + (1 - beta2) * gradient[i] * gradient[i];
      expect(newM[i]).toBeCloseTo(first, 6);
      expect(newV[i]).toBeCloseTo(second, 7);
      expect(newValue[i]).toBeCloseTo(value[i] - (stepSize * first) / (Math.sqrt(second) + epsilon), 6);
    }
  });

  it('builds one instance per memory', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(simdAdamFor(memory)).toBe(simdAdamFor(memory));
    expect(simdAdamFor(new WebAssembly.Memory({ initial: 1 }))).not.toBe(simdAdamFor(memory));
  });
});
