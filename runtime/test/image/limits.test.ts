/**
 * Picture bounds: sizes read from PNG's IHDR and JPEG's SOF without decoding, refusals before a
 * byte is decoded (a 20000×20000 header in 69 bytes, a 1×49,000,000 strip), the same bounds for
 * pixels given directly, limits as options, and an interlaced PNG whose data inflates past what
 * its header declares.
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkImageSize,
  RuntimeOptionError,
  decodeImage,
  DEFAULT_IMAGE_LIMITS,
  ImageDecodeError,
  ImageSizeError,
  loadClassifier,
  readImageHeader,
  type Classifier,
} from '../../src/index.node.ts';
import { encodeJpeg, encodePng, randomPixels } from '../../../test/helpers/fixtures/images.ts';
import { buildTinyClassifier } from '../../../test/helpers/fixtures/models.ts';
import { expectError } from '../../../test/helpers/expectError.ts';

/** A PNG of the given header, with `idat` as its (already deflated) data; CRCs are not checked before the size is. */
function pngWithHeader(width: number, height: number, options: { interlaced?: boolean; idat?: Buffer } = {}): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, options.interlaced ? 1 : 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', options.idat ?? Buffer.alloc(0)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('readImageHeader', () => {
  it('reads the size pngjs and jpeg-js encoded, for any size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom(1, 3, 4), (width, height, channels) => {
        const pixels = randomPixels(width * height * channels, width * 41 + height);
        expect(readImageHeader(encodePng(pixels, width, height, channels as 1 | 3 | 4))).toEqual({
          format: 'png',
          width,
          height,
          interlaced: false,
        });
        expect(readImageHeader(encodeJpeg(pixels, width, height, channels as 1 | 3 | 4))).toMatchObject({ format: 'jpeg', width, height });
      }),
      { numRuns: 15 },
    );
  });
});

describe('limits from the header, before decoding', () => {
  it('refuses a 69-byte PNG declaring 20000×20000 and a 1×49,000,000 strip at once', () => {
    const square = pngWithHeader(20_000, 20_000);
    expect(square.length).toBeLessThan(70);
    const started = performance.now();
    expect(() => decodeImage(square)).toThrow(ImageSizeError);
    expect(() => decodeImage(square)).toThrow('the PNG image is 20000×20000 pixels (400 megapixels), more than the limit of 50');
    expect(() => decodeImage(pngWithHeader(1, 49_000_000))).toThrow(
      'the PNG image is 1×49000000 pixels, an aspect ratio of 49000000:1, more than the limit of 100:1',
    );
    // Nothing was decoded: both refusals together take a few milliseconds, not seconds.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a JPEG from its SOF the same way', () => {
    const jpeg = Buffer.from(encodeJpeg(randomPixels(16 * 8 * 3, 1), 16, 8, 3));
    // Rewrite the frame header's size in place: 60000×1 (a 60000:1 strip).
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(1, sof + 5);
    jpeg.writeUInt16BE(60_000, sof + 7);
    expect(() => decodeImage(jpeg)).toThrow('the JPEG image is 60000×1 pixels, an aspect ratio of 60000:1, more than the limit of 100:1');
  });

  it('refuses an interlaced PNG whose data inflates past its declared size', () => {
    // 100×100 gray interlaced needs about 10 KB inflated; this deflates 10 MB of zeros.
    const bomb = pngWithHeader(100, 100, { interlaced: true, idat: deflateSync(Buffer.alloc(10_000_000)) });
    expect(() => decodeImage(bomb)).toThrow(ImageDecodeError);
    expect(() => decodeImage(bomb)).toThrow(/its data inflates to more than the 100×100 its header declares/);
  });

  it('names a broken header', () => {
    expect(() => decodeImage(pngWithHeader(0, 10))).toThrow('the PNG image is 0×10 pixels; width and height must be at least 1');
    expect(() => decodeImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]))).toThrow(
      /the PNG image \(12 bytes\) cannot be decoded: it ends after 12 bytes, inside the PNG header/,
    );
    expect(() => decodeImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toThrow(
      /it reaches scan data before a frame header \(SOF\)/,
    );
  });

  it('exports the limits and the check the server applies too', () => {
    expect(DEFAULT_IMAGE_LIMITS).toEqual({ maxMegapixels: 50, maxAspectRatio: 100 });
    expect(() => checkImageSize(8000, 6000, DEFAULT_IMAGE_LIMITS, 'x')).not.toThrow();
    expect(() => checkImageSize(8000, 6500, DEFAULT_IMAGE_LIMITS, 'x')).toThrow(
      'x is 8000×6500 pixels (52 megapixels), more than the limit of 50',
    );
  });
});

describe('limits in the classifier', () => {
  let classifier: Classifier;
  beforeAll(async () => {
    classifier = await loadClassifier(buildTinyClassifier({ inputShape: [null, 4, 4, 1], classCount: 2 }).bytes, {
      imageLimits: { maxMegapixels: 0.001, maxAspectRatio: 4 },
    });
  });
  afterAll(() => classifier.dispose());

  it('applies the given limits to encoded images and to pixels alike', async () => {
    await expectError(
      () => classifier.classify(encodePng(randomPixels(40 * 40, 2), 40, 40, 1)),
      ImageSizeError,
      /the PNG image is 40×40 pixels \(0\.0016 megapixels\), more than the limit of 0\.001/,
    );
    await expectError(
      () => classifier.classify({ data: new Uint8ClampedArray(20 * 2 * 4), width: 20, height: 2 }),
      ImageSizeError,
      /input is 20×2 pixels, an aspect ratio of 10:1, more than the limit of 4:1/,
    );
    expect(await classifier.classify(encodePng(randomPixels(16 * 16, 3), 16, 16, 1))).toHaveLength(1);
  });

  it('refuses limits that make no sense', async () => {
    const bytes = buildTinyClassifier({ inputShape: [null, 4, 4, 1], classCount: 2 }).bytes;
    await expectError(
      () => loadClassifier(bytes, { imageLimits: { maxMegapixels: 0 } }),
      RuntimeOptionError,
      /imageLimits\.maxMegapixels must be a finite number > 0, got 0/,
    );
    await expectError(
      () => loadClassifier(bytes, { imageLimits: { maxAspectRatio: 0.5 } }),
      RuntimeOptionError,
      /imageLimits\.maxAspectRatio must be a finite number ≥ 1/,
    );
  });
});
