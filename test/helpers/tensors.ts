/** Seeded input values and the comparisons the tests make on output arrays. */
import { expect } from 'vitest';
import { seededRandom } from './fixtures/models.ts';

export function randomFloats(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export function argmaxRows(values: ArrayLike<number>, classCount: number): number[] {
  const rows: number[] = [];
  for (let start = 0; start < values.length; start += classCount) {
    let best = 0;
    for (let c = 1; c < classCount; c += 1) if (values[start + c]! > values[start + best]!) best = c;
    rows.push(best);
  }
  return rows;
}
