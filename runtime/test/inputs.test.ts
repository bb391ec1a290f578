import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuntimeInputError } from '../src/errors.ts';
import { checkModelInput, firstNonFinite, normalizeInterleaved } from '../src/inputs.ts';
import { describeClassifierModel } from '../src/model/signature.ts';

const signature = describeClassifierModel(
  {
    inputs: [{ name: 'x', type: 'float32', shape: [null, 2, 2, 3] }],
    outputs: [{ name: 'y', type: 'float32', shape: [null, 4] }],
  },
  new Map([['tfjs_onnx.preprocess', JSON.stringify({ layout: 'NCHW', scale: 0.5, offset: 1 })]]),
  'model',
);

describe('checkModelInput', () => {
  it('finds the first NaN or infinity wherever it is, and accepts all-finite input', () => {
    const bad = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.nat(), bad), { maxLength: 3 }),
        fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) }),
        (count, injections, fill) => {
          const data = new Float32Array(count * 12).fill(fill);
          for (const [at, value] of injections) data[at % data.length] = value;
          const first = data.findIndex((v) => !Number.isFinite(v));
          if (first < 0) {
            expect(checkModelInput(data, count, signature, 'input').count).toBe(count);
          } else {
            expect(() => checkModelInput(data, count, signature, 'input')).toThrow(RuntimeInputError);
            expect(() => checkModelInput(data, count, signature, 'input')).toThrow(`at index ${first} (image ${Math.floor(first / 12)})`);
          }
        },
      ),
    );
  });
});

describe('firstNonFinite', () => {
  it('agrees with findIndex(!isFinite) for any length (its four-way unrolled sum has a tail) and any values', () => {
    const value = fc.oneof(fc.float(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 3.4e38));
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 41 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY)), { maxLength: 2 }),
        (values, injections) => {
          const data = Float32Array.from(values);
          for (const [at, bad] of injections) if (data.length > 0) data[at % data.length] = bad;
          expect(firstNonFinite(data)).toBe(data.findIndex((v) => !Number.isFinite(v)));
        },
      ),
    );
  });
});

describe('normalizeInterleaved', () => {
  it('applies scale and offset and transposes H×W×C pixels to C×H×W for NCHW', () => {
    expect(signature.imageSize).toEqual({ height: 2, width: 3, channels: 2, layout: 'NCHW' });
    const pixels = Array.from({ length: 24 }, (_, i) => i);
    const { data } = normalizeInterleaved(pixels, 2, signature);
    for (let n = 0; n < 2; n += 1) {
      for (let p = 0; p < 6; p += 1) {
        for (let c = 0; c < 2; c += 1) expect(data[n * 12 + c * 6 + p]).toBe(pixels[n * 12 + p * 2 + c]! * 0.5 + 1);
      }
    }
  });
});
