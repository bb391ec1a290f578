import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairedRatio, percentile, spread } from '../../common/stats.ts';

describe('bench statistics', () => {
  it('spread gives the median with the range and the count', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, repetitions: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, repetitions: 4 });
    expect(() => spread([])).toThrow(RangeError);
  });

  it('percentile is nearest-rank: p99 of fewer than 100 samples is the largest', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 50)).toBe(3);
    expect(percentile(samples, 99)).toBe(5);
    expect(percentile(samples, 0)).toBe(1);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 50)).toBe(50);
    expect(() => percentile(samples, 101)).toThrow(RangeError);
    expect(() => percentile([], 50)).toThrow(RangeError);
  });

  it('percentile is a sample, never below min nor above max, and grows with p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 99 }),
        (values, p) => {
          const low = percentile(values, p);
          expect(values).toContain(low);
          expect(percentile(values, p + 1)).toBeGreaterThanOrEqual(low);
        },
      ),
    );
  });

  it('pairedRatio divides repetition by repetition', () => {
    expect(pairedRatio([10, 30, 20], [5, 10, 20])).toEqual({ median: 2, min: 1, max: 3, repetitions: 3 });
    expect(() => pairedRatio([1, 2], [1])).toThrow(RangeError);
  });
});
