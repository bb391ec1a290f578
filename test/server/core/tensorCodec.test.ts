/**
 * Tensor data in the protocol's three encodings, without a model: JSON elements per datatype, the
 * binary extension's layout (built byte by byte here, as Triton's client lays it out) and FP16.
 */
import { describe, expect, it } from 'vitest';
import { RequestError } from '../../../server/errors.ts';
import { cutBinaryChunks, splitBinaryBody } from '../../../server/http/binary.ts';
import { valuesFromRaw, valuesToRaw } from '../../../server/core/rawTensors.ts';
import { fromHalfBits, toHalfBits } from '../../../server/core/fp16.ts';
import { checkShape, elementCount, valuesFromJson, valuesToJsonText } from '../../../server/core/tensors.ts';
import { parseExactJson } from '../../../server/http/json.ts';
import type { PlannedInput } from '../../../server/core/requests.ts';
import { DATATYPE_INFO, type Datatype } from '../../../server/core/datatypes.ts';
import { lengthPrefixed } from '../helpers/client.ts';

function planned(datatype: Datatype, shape: number[]): PlannedInput {
  const count = shape.reduce((a, b) => a * b, 1);
  return {
    name: 'x',
    datatype,
    shape,
    count,
    byteSize: datatype === 'BYTES' ? undefined : DATATYPE_INFO[datatype].byteSize * count,
    position: 0,
  };
}

describe('FP16', () => {
  it('converts exactly representable values both ways and rounds the rest to nearest even', () => {
    for (const value of [0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 1000.5]) expect(fromHalfBits(toHalfBits(value))).toBe(value);
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65520)).toBe(0x7c00); // rounds up past the largest half: Infinity
    expect(fromHalfBits(toHalfBits(1 + 2 ** -11))).toBe(1); // halfway between 1 and its successor: even wins
    expect(fromHalfBits(toHalfBits(0.1))).toBeCloseTo(0.1, 3);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
  });
});

describe('shapes and element counts', () => {
  it('refuses shapes JavaScript cannot hold exactly, and counts past the limit without overflowing', () => {
    expect(checkShape('x', [1, 28, 28, 1])).toEqual([1, 28, 28, 1]);
    for (const shape of [[1e300], [2 ** 53], [-1], [1.5], ['2'], [null]])
      expect(() => checkShape('x', shape)).toThrow(/dimensions are whole numbers/);
    expect(() => elementCount('x', [1e9, 28, 28, 1], 4_000_000)).toThrow(
      /more than the 4000000 elements per tensor .*--max-tensor-elements/,
    );
    expect(() => elementCount('x', [2 ** 52, 2 ** 52, 0], 100)).toThrow(RequestError);
    expect(elementCount('x', [3, 0, 2 ** 52], 100)).toBe(0);
  });
});

describe('JSON tensor data', () => {
  it('reads every datatype, flat or nested, and writes it back', () => {
    const cases: [Datatype, unknown[], unknown[]][] = [
      ['BOOL', [true, false], [true, false]],
      ['UINT8', [0, 255], [0, 255]],
      ['INT8', [-128, 127], [-128, 127]],
      ['UINT16', [65535, 1], [65535, 1]],
      ['INT32', [-2147483648, 7], [-2147483648, 7]],
      ['UINT32', [4294967295, 0], [4294967295, 0]],
      ['INT64', [-9007199254740991, 3], [-9007199254740991, 3]],
      ['UINT64', [9007199254740991, 3], [9007199254740991, 3]],
      ['FP16', [0.5, -2], [0.5, -2]],
      ['FP32', [0.25, 1e-3], [0.25, Math.fround(1e-3)]],
      ['FP64', [0.1, 1e300], [0.1, 1e300]],
      ['BYTES', ['a', 'ünï'], ['a', 'ünï']],
    ];
    const written = (datatype: Datatype, values: ReturnType<typeof valuesFromJson>) => parseExactJson(valuesToJsonText(datatype, values));
    for (const [datatype, data, back] of cases) {
      const values = valuesFromJson(planned(datatype, [2]), data);
      expect(written(datatype, values)).toEqual(back);
      expect(written(datatype, valuesFromJson(planned(datatype, [1, 2]), [data]))).toEqual(back);
    }
  });

  it('reads and writes NaN, ±Infinity and the 64-bit extremes exactly, as Triton spells them', () => {
    const body = '[NaN, Infinity, -Infinity, -0.5, 9223372036854775807, -9223372036854775808, 18446744073709551615, 1.5e300]';
    const parsed = parseExactJson(body) as unknown[];
    expect(parsed.slice(0, 4)).toEqual([Number.NaN, Infinity, -Infinity, -0.5]);
    expect(parsed.slice(4, 7)).toEqual([2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n]);
    expect(valuesToJsonText('FP32', Float32Array.of(Number.NaN, Infinity, -Infinity, 0.5))).toBe('[NaN,Infinity,-Infinity,0.5]');
    expect(valuesToJsonText('FP64', Float64Array.of(-0, 0))).toBe('[-0,0]');
    expect(valuesToJsonText('FP16', Uint16Array.of(0x7e00, 0x7c00, 0xfc00))).toBe('[NaN,Infinity,-Infinity]');
    const int64 = valuesFromJson(planned('INT64', [2]), parsed.slice(4, 6));
    expect(valuesToJsonText('INT64', int64)).toBe('[9223372036854775807,-9223372036854775808]');
    const uint64 = valuesFromJson(planned('UINT64', [1]), [parsed[6]]);
    expect(valuesToJsonText('UINT64', uint64)).toBe('[18446744073709551615]');
    expect(Array.from(valuesFromJson(planned('FP64', [3]), parsed.slice(0, 3)) as Float64Array)).toEqual([Number.NaN, Infinity, -Infinity]);
    // A float written as a long integer literal reads as a bigint, and is still taken as that float.
    expect(Array.from(valuesFromJson(planned('FP64', [1]), [parseExactJson('[100000000000000000000]')].flat()) as Float64Array)).toEqual([
      1e20,
    ]);
    // RapidJSON's other spelling, and the fast path: plain JSON without huge integers.
    expect(parseExactJson('{"a": [-Inf, Inf], "b": 1}')).toEqual({ a: [-Infinity, Infinity], b: 1 });
    expect(parseExactJson('{"__proto__": 1}')).toHaveProperty('__proto__', 1);
    for (const bad of ['[NaN', '[nan]', '[- Infinity]', '[1,]', '{"a" 1}', '[01]', '/* c */ 1', '[1] 2', '"\\x"', '[Infinityx]']) {
      expect(() => parseExactJson(bad), bad).toThrow(/at position \d+/);
    }
    expect(() => parseExactJson(`${'['.repeat(100)}NaN${']'.repeat(100)}`)).toThrow(/nested deeper than 64/);
  });

  it('refuses elements of the wrong kind or range, wrong counts and nesting past the rank', () => {
    const bad = (datatype: Datatype, shape: number[], data: unknown, pattern: RegExp) =>
      expect(() => valuesFromJson(planned(datatype, shape), data)).toThrow(pattern);
    bad('UINT8', [1], [256], /element 0 is 256, not a UINT8 integer/);
    bad('INT8', [1], [1.5], /not an INT8 integer/);
    bad('FP32', [1], [1e39], /not an FP32 number \(finite within FP32/);
    bad('FP32', [1], ['1'], /the string "1"/);
    bad('INT64', [1], [2 ** 60], /not an INT64 integer/); // a double past 2^53: its digits may already be lost
    bad('INT64', [1], [2n ** 63n], /not an INT64 integer/);
    bad('UINT64', [1], [-1n], /not a UINT64 integer/);
    bad('INT64', [1], [1.5], /not an INT64 integer/);
    bad('BOOL', [1], [1], /true or false/);
    bad('BYTES', [1], [1], /not a string/);
    bad('FP16', [1], [70000], /FP16/);
    bad('FP32', [2], [1], /has 1 elements but its shape \[2\] holds 2/);
    bad('FP32', [1, 1], [[[1]]], /nests deeper than its 2 dimensions/);
    bad('FP32', [2], [1, [2]], /element 1 is a list/);
    bad('FP32', [1], 'abc', /is not a list/);
  });
});

describe('the binary tensor data extension', () => {
  it('splits a body at Inference-Header-Content-Length and cuts the tensors in input order', () => {
    const header = Buffer.from(JSON.stringify({ inputs: [] }));
    const floats = Buffer.alloc(8);
    floats.writeFloatLE(1.5, 0);
    floats.writeFloatLE(-2, 4);
    const strings = lengthPrefixed(['hello', '', 'wörld']);
    const { header: parsed, binary } = splitBinaryBody(Buffer.concat([header, floats, strings]), String(header.length));
    expect(parsed).toEqual({ inputs: [] });
    const [a, b] = cutBinaryChunks(binary, [
      { name: 'a', size: 8 },
      { name: 'b', size: strings.length },
    ]);
    expect(Array.from(valuesFromRaw(planned('FP32', [2]), a) as Float32Array)).toEqual([1.5, -2]);
    expect(valuesFromRaw(planned('BYTES', [3]), b)).toEqual(['hello', '', 'wörld']);
  });

  it('writes outputs in the same layout, BYTES with length prefixes', () => {
    expect(Buffer.from(valuesToRaw('BYTES', ['hi', 'é']))).toEqual(lengthPrefixed(['hi', 'é']));
    expect(Buffer.from(valuesToRaw('INT16', Int16Array.of(-1, 2)))).toEqual(Buffer.from([0xff, 0xff, 2, 0]));
    expect(Buffer.from(valuesToRaw('BOOL', Uint8Array.of(1, 0)))).toEqual(Buffer.from([1, 0]));
  });

  it('refuses lengths that disagree with the body, the shape or the BYTES prefixes', () => {
    expect(() => splitBinaryBody(Buffer.from('{}'), '100')).toThrow(
      /Inference-Header-Content-Length is 100, but the body has only 2 bytes/,
    );
    expect(() => splitBinaryBody(Buffer.from('{}'), '-1')).toThrow(/whole number of bytes/);
    expect(() => splitBinaryBody(Buffer.from('{}xx'), '3')).toThrow(/malformed JSON/);
    expect(() => cutBinaryChunks(Buffer.alloc(4), [{ name: 'a', size: 8 }])).toThrow(/binary_data_size 8, but only 4 bytes/);
    expect(() => cutBinaryChunks(Buffer.alloc(12), [{ name: 'a', size: 8 }])).toThrow(/4 bytes of binary data after the last tensor/);
    expect(() => valuesFromRaw(planned('FP32', [3]), Buffer.alloc(8))).toThrow(
      /binary_data_size 8, but shape \[3\] of FP32 needs 12 bytes/,
    );
    const truncated = lengthPrefixed(['hello']).subarray(0, 7);
    expect(() => valuesFromRaw(planned('BYTES', [1]), truncated)).toThrow(/declares 5 bytes, but only 3 are left/);
    expect(() => valuesFromRaw(planned('BYTES', [2]), lengthPrefixed(['a']))).toThrow(/ends after 1 of its 2 BYTES elements/);
    expect(() => valuesFromRaw(planned('BYTES', [1]), lengthPrefixed(['a', 'b']))).toThrow(/5 bytes after its 1 BYTES elements/);
  });
});
