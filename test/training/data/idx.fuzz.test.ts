/**
 * Property-based fuzzing of the IDX loader: any bytes give a dataset or one InvalidInputError
 * naming the file, never another exception, a hang (each run is timed out) or an allocation the
 * file does not back. Each property runs 3 s in `npm test`, FUZZ_SECONDS in `npm run fuzz`
 * (test/helpers/fuzz.ts; FUZZ_SEED replays a failure).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../common/errors.ts';
import { assembleDataset, type DatasetContents } from '../../../training/data/datasets.ts';
import { decodeIdxFile, encodeIdx, type IdxArray } from '../../../training/data/idx.ts';
import { fuzzParameters, fuzzTestTimeoutMs } from '../../helpers/fuzz.ts';

const DTYPE_BYTES: Record<number, number> = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 };

/** A header a fuzzer would find hard to hit by chance: valid magic, a real or bogus dtype code, small or huge dimensions. */
const header = fc.record({
  dtype: fc.constantFrom(0x08, 0x08, 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x00, 0x42),
  dims: fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(0, 1, 28, 60000, 2 ** 31, 2 ** 32 - 1)), {
    minLength: 0,
    maxLength: 5,
  }),
  slack: fc.integer({ min: -3, max: 3 }),
});

function encodeHeader({ dtype, dims, slack }: { dtype: number; dims: number[]; slack: number }, fill: number): Uint8Array {
  const count = dims.reduce((product, size) => product * size, 1);
  // Data as long as the header claims when that is small, give or take a few bytes; else a few bytes only.
  const claimed = count * (DTYPE_BYTES[dtype] ?? 1);
  const length = Math.max(0, (claimed <= 4096 ? claimed : 8) + slack);
  const bytes = new Uint8Array(4 + 4 * dims.length + length).fill(fill);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 0);
  view.setUint8(2, dtype);
  view.setUint8(3, dims.length);
  dims.forEach((size, i) => {
    view.setUint32(4 + 4 * i, size);
  });
  return bytes;
}

/** Random flips, truncation and extension of a byte string. */
const mutation = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  extra: fc.uint8Array({ maxLength: 6 }),
  gzip: fc.boolean(),
});

function mutate(
  bytes: Uint8Array,
  { flips, cut, extra, gzip }: { flips: [number, number][]; cut: number | undefined; extra: Uint8Array; gzip: boolean },
): Uint8Array {
  let result = Uint8Array.from(bytes);
  for (const [at, value] of flips) if (result.length > 0) result[at % result.length] = value;
  if (cut !== undefined && result.length > 0) result = result.subarray(0, cut % (result.length + 1));
  result = Uint8Array.from([...result, ...extra]);
  return gzip ? gzipSync(result) : result;
}

const anyFile = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.tuple(header, fc.integer({ min: 0, max: 255 })).map(([h, fill]) => encodeHeader(h, fill)),
  fc.tuple(header, fc.integer({ min: 0, max: 255 }), mutation).map(([h, fill, m]) => mutate(encodeHeader(h, fill), m)),
);

/** Either the parsed array, or the InvalidInputError; anything else thrown fails the property. */
function decodeOrUserError(bytes: Uint8Array, source: string): IdxArray | InvalidInputError {
  try {
    return decodeIdxFile(bytes, source);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
}

/** An IDX file of `count` square images of `size` pixels a side. */
const images = (count: number, size: number) =>
  encodeIdx(
    [count, size, size],
    Uint8Array.from({ length: count * size * size }, (_, i) => i % 251),
  );
/** An IDX file of labels. */
const labels = (values: number[]) => encodeIdx([values.length], Uint8Array.from(values));
/** The four files of a valid dataset, in the order of `names`. */
const valid = [images(6, 3), labels([0, 1, 2, 0, 1, 2]), images(4, 3), labels([2, 1, 0, 1])];
const names = ['train-images', 'train-labels', 't10k-images', 't10k-labels'];
// Files that parse, with shapes and values a dataset may get wrong: counts, sizes and channels of
// 0 to 4, a type other than uint8, labels 0 to 12.
const wellFormed = fc
  .record({
    dtype: fc.constantFrom(0x08, 0x08, 0x08, 0x08, 0x09, 0x0d),
    dims: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
    salt: fc.nat(12),
  })
  .map(({ dtype, dims, salt }) => {
    const bytes = encodeHeader({ dtype, dims, slack: 0 }, 0);
    const data = bytes.subarray(4 + 4 * dims.length);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + salt) % 13;
    return bytes;
  });
/** A valid file as it is, a well-formed one, a mutation of it, or any file. */
const fileOrMutation = (bytes: Uint8Array) =>
  fc.oneof(
    { arbitrary: fc.constant(bytes), weight: 3 },
    { arbitrary: wellFormed, weight: 3 },
    { arbitrary: mutation.map((m) => mutate(bytes, m)), weight: 1 },
    { arbitrary: anyFile, weight: 1 },
  );

describe('IDX loader fuzzing', () => {
  it(
    'decodes any bytes to an array the bytes hold, or refuses them with one line naming the file',
    () => {
      fc.assert(
        fc.property(anyFile, (bytes) => {
          const result = decodeOrUserError(bytes, 'fuzzed-file');
          if (result instanceof InvalidInputError) {
            expect(result.message).toContain('fuzzed-file');
            expect(result.message).not.toContain('\n');
            return;
          }
          const count = result.dims.reduce((product, size) => product * size, 1);
          expect(result.data.length).toBe(count);
          // Nothing larger than the file: every value came from its bytes.
          expect(result.data.byteLength).toBeLessThanOrEqual(Math.max(bytes.length, gzipSize(bytes)) * 8);
        }),
        fuzzParameters(),
      );
    },
    fuzzTestTimeoutMs(),
  );

  it(
    'assembles any four fuzzed files (and labels.txt) into a usable dataset, or refuses them with an InvalidInputError',
    () => {
      fc.assert(
        fc.property(
          fc.tuple(...valid.map(fileOrMutation)),
          fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
          (files, labelsText) => {
            const parsed = files.map((bytes, i) => decodeOrUserError(bytes, names[i]));
            const refusal = parsed.find((result) => result instanceof InvalidInputError);
            if (refusal) return;
            const [trainImages, trainLabels, testImages, testLabels] = parsed as IdxArray[];
            let dataset: DatasetContents;
            try {
              dataset = assembleDataset(
                { trainImages, trainLabels, testImages, testLabels },
                { trainImages: names[0], trainLabels: names[1], testImages: names[2], testLabels: names[3] },
                labelsText,
              );
            } catch (error) {
              if (!(error instanceof InvalidInputError)) throw error;
              expect(error.message).not.toContain('\n');
              return;
            }
            // What training relies on.
            const pixels = dataset.height * dataset.width * dataset.channels;
            expect(pixels).toBeGreaterThan(0);
            for (const split of [dataset.train, dataset.test]) {
              expect(split.count).toBeGreaterThan(0);
              expect(split.images.length).toBe(split.count * pixels);
              expect(split.labels.length).toBe(split.count);
              for (const label of split.labels) expect(label).toBeLessThan(dataset.classNames.length);
            }
            expect(new Set(dataset.train.labels).size).toBeGreaterThanOrEqual(2);
          },
        ),
        fuzzParameters(),
      );
    },
    fuzzTestTimeoutMs(),
  );

  it('stops gunzipping at the size limit instead of allocating what a small file claims', () => {
    const bomb = gzipSync(new Uint8Array(4 * 1024 * 1024)); // 4 MiB of zeros in about 4 KB
    expect(bomb.length).toBeLessThan(10_000);
    expect(() => decodeIdxFile(bomb, 'bomb.gz', 1024 * 1024)).toThrow(/bomb\.gz expands to more than 1 MiB when gunzipped/);
    expect(() => decodeIdxFile(bomb, 'bomb.gz', 1024 * 1024)).toThrow(InvalidInputError);
  });
});

function gzipSize(bytes: Uint8Array): number {
  // A gzipped input decodes to at most its stored size (ISIZE, the last four bytes, little-endian).
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes.length < 4) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4).getUint32(0, true);
}
