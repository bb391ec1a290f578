/** The one weight decoder's float16 form (tensorflowjs_converter --quantize_float16). */
import { describe, expect, it } from 'vitest';
import { decodeWeightShards } from '../../../export/backend/weights.ts';

/** Decodes half-precision bit patterns as one float16-quantized float32 weight. */
function decodeHalves(bits: readonly number[]): Float32Array {
  const shard = new Uint16Array(bits);
  const [weight] = decodeWeightShards(
    shard.buffer,
    [{ name: 'w', shape: [bits.length], dtype: 'float32', quantization: { dtype: 'float16' } }],
    'test',
    ['float32'],
  );
  return weight.values as Float32Array;
}

/** The number a half-precision bit pattern denotes, by IEEE 754's definition. */
function denoted(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return exponent === 0 ? sign * fraction * 2 ** -24 : sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

describe('float16 decoding', () => {
  it('decodes every finite half value to the number it denotes', () => {
    const every = Array.from({ length: 0x10000 }, (_, bits) => bits);
    const values = decodeHalves(every);
    const wrong = every.filter((bits) => !Object.is(values[bits], denoted(bits)) && values[bits] !== denoted(bits));
    expect(wrong).toEqual([]);
    expect([...decodeHalves([0x3c00, 0xc000, 0x7bff])]).toEqual([1, -2, 65504]);
  });
});
