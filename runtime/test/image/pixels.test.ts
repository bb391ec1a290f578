import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisWeights, convertChannels, resizeImage } from '../../src/image/pixels.ts';

describe('axisWeights', () => {
  it('gives weights summing to 1 with indices inside the source, shrinking or enlarging', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), (from, to) => {
        for (const { index, weight } of axisWeights(from, to)) {
          expect(weight.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
          for (const i of index) expect(i >= 0 && i < from).toBe(true);
        }
      }),
    );
  });
});

describe('resizeImage', () => {
  it('averages areas when shrinking by a whole factor', () => {
    const image = { width: 4, height: 2, channels: 1, data: [0, 10, 20, 30, 40, 50, 60, 70] };
    expect(Array.from(resizeImage(image, 1, 2).data)).toEqual([25, 45]);
  });

  it('shrinks by fractional factors with partial coverage', () => {
    const image = { width: 3, height: 1, channels: 1, data: [0, 30, 90] };
    // Output pixel 0 covers source [0, 1.5): 0 × 1 + 30 × 0.5, over 1.5.
    const out = resizeImage(image, 1, 2).data;
    expect(out[0]).toBeCloseTo(10, 5);
    expect(out[1]).toBeCloseTo(70, 5);
  });

  it('keeps a constant image constant and preserves the mean under whole-factor shrinking', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 255 }),
        (w, h, factor, value) => {
          const constant = { width: w * factor, height: h * factor, channels: 3, data: new Array(w * h * factor * factor * 3).fill(value) };
          for (const [th, tw] of [
            [h, w],
            [h * 3, w * 2],
            [1, 1],
          ] as const) {
            for (const v of resizeImage(constant, th, tw).data) expect(v).toBeCloseTo(value, 3);
          }
          const ramp = {
            width: w * factor,
            height: h * factor,
            channels: 1,
            data: Array.from({ length: w * h * factor * factor }, (_, i) => (i * 7) % 256),
          };
          const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0) / a.length;
          expect(mean(resizeImage(ramp, h, w).data)).toBeCloseTo(mean(ramp.data), 3);
        },
      ),
    );
  });

  it('interpolates bilinearly when enlarging', () => {
    const out = resizeImage({ width: 2, height: 1, channels: 1, data: [0, 100] }, 1, 4).data;
    expect(Array.from(out)).toEqual([0, 25, 75, 100]);
  });
});

describe('convertChannels', () => {
  it('converts RGB(A) to gray with BT.601 weights, dropping alpha', () => {
    const out = convertChannels({ width: 2, height: 1, channels: 4, data: [255, 0, 0, 10, 10, 20, 30, 255] }, 1).data;
    expect(out[0]).toBeCloseTo(0.299 * 255, 4);
    expect(out[1]).toBeCloseTo(0.299 * 10 + 0.587 * 20 + 0.114 * 30, 4);
  });

  it('replicates gray to RGB and adds opaque alpha for RGBA', () => {
    expect(Array.from(convertChannels({ width: 1, height: 1, channels: 1, data: [42] }, 3).data)).toEqual([42, 42, 42]);
    expect(Array.from(convertChannels({ width: 1, height: 1, channels: 3, data: [1, 2, 3] }, 4).data)).toEqual([1, 2, 3, 255]);
  });
});
