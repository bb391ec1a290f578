import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, loadClassifier, RuntimeInputError, type Classifier } from '../../src/index.node.ts';
import { blockUpscale, encodeJpeg, encodePng, randomPixels } from '../../../test/helpers/fixtures/images.ts';
import { buildTinyClassifier } from '../../../test/helpers/fixtures/models.ts';
import { expectError } from '../../../test/helpers/expectError.ts';
import { maxAbsDiff } from '../../../test/helpers/tensors.ts';

const gray = buildTinyClassifier({ inputShape: [null, 8, 8, 1], classCount: 5, seed: 13 });
const rgb = buildTinyClassifier({ inputShape: [null, 8, 8, 3], classCount: 5, seed: 14 });
let grayClassifier: Classifier;
let rgbClassifier: Classifier;

beforeAll(async () => {
  grayClassifier = await loadClassifier(gray.bytes);
  rgbClassifier = await loadClassifier(rgb.bytes, { device: 'wasm' });
});
afterAll(async () => {
  await grayClassifier.dispose();
  await rgbClassifier.dispose();
});

/** Probabilities for raw interleaved pixels already at the model's size. */
async function fromPixels(classifier: Classifier, pixels: Uint8Array): Promise<Float32Array> {
  return (await classifier.classify(pixels))[0]!.probabilities;
}

describe('PNG input', () => {
  it('decodes a grayscale PNG at the model size exactly like its raw pixels', async () => {
    const pixels = randomPixels(64, 1);
    const [fromPng] = await grayClassifier.classify(encodePng(pixels, 8, 8, 1));
    expect(maxAbsDiff(fromPng!.probabilities, await fromPixels(grayClassifier, pixels))).toBeLessThanOrEqual(1e-6);
  });

  it('converts an RGBA PNG to gray for a one-channel model', async () => {
    const rgba = randomPixels(64 * 4, 2);
    const luma = new Float32Array(64);
    for (let p = 0; p < 64; p += 1) luma[p] = (0.299 * rgba[p * 4]! + 0.587 * rgba[p * 4 + 1]! + 0.114 * rgba[p * 4 + 2]!) / 255;
    const [result] = await grayClassifier.classify(Buffer.from(encodePng(rgba, 8, 8, 4)));
    expect(maxAbsDiff(result!.probabilities, gray.reference(luma, 1))).toBeLessThanOrEqual(1e-5);
  });

  it('resizes a larger PNG to the model size by area averaging', async () => {
    const pixels = randomPixels(64 * 3, 3);
    const large = encodePng(blockUpscale(pixels, 8, 8, 3, 4), 32, 32, 3);
    const [result] = await rgbClassifier.classify(large);
    expect(maxAbsDiff(result!.probabilities, await fromPixels(rgbClassifier, pixels))).toBeLessThanOrEqual(1e-5);
  });

  it('enlarges a smaller PNG and replicates gray into RGB', async () => {
    const flat = new Uint8Array(16).fill(200);
    const [result] = await rgbClassifier.classify(encodePng(flat, 4, 4, 1));
    expect(maxAbsDiff(result!.probabilities, await fromPixels(rgbClassifier, new Uint8Array(64 * 3).fill(200)))).toBeLessThanOrEqual(1e-5);
  });
});

describe('JPEG input', () => {
  it('decodes, converts to gray and resizes a JPEG close to the source pixels', async () => {
    // Smooth content: JPEG's loss on it is a few levels, far below what would change the class.
    const pixels = Uint8Array.from({ length: 64 }, (_, i) => 40 + (i % 8) * 20 + Math.floor(i / 8) * 5);
    const colour = new Uint8Array(64 * 3);
    pixels.forEach((v, p) => {
      colour.set([v, v, v], p * 3);
    });
    const jpeg = encodeJpeg(blockUpscale(colour, 8, 8, 3, 2), 16, 16, 3, 100);
    const [result] = await grayClassifier.classify(jpeg);
    const expected = await fromPixels(grayClassifier, pixels);
    expect(maxAbsDiff(result!.probabilities, expected)).toBeLessThanOrEqual(0.01);
    expect(result!.top[0]!.index).toBe(Array.from(expected).indexOf(Math.max(...expected)));
  });

  it('classifies a batch of PNG and JPEG files given as an array', async () => {
    const results = await grayClassifier.classify([
      encodePng(randomPixels(64, 4), 8, 8, 1),
      encodeJpeg(randomPixels(100 * 3, 5), 10, 10, 3),
    ]);
    expect(results).toHaveLength(2);
  });
});

describe('undecodable bytes', () => {
  it('fails with ImageDecodeError and keeps working', async () => {
    const png = encodePng(randomPixels(64, 6), 8, 8, 1);
    const truncatedPng = png.subarray(0, 40);
    const fakeJpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6]);
    await expectError(() => grayClassifier.classify(truncatedPng), ImageDecodeError, /the PNG image \(40 bytes\) cannot be decoded/);
    await expectError(() => grayClassifier.classify(fakeJpeg), ImageDecodeError, /the JPEG image \(10 bytes\) cannot be decoded/);
    expect((await grayClassifier.classify(png))[0]!.probabilities).toHaveLength(5);
  });

  it('treats bytes that only start like a JPEG as raw pixels when their length fits', async () => {
    const pixels = randomPixels(64, 7);
    pixels.set([0xff, 0xd8, 0xff]);
    const [result] = await grayClassifier.classify(pixels);
    expect(
      maxAbsDiff(
        result!.probabilities,
        gray.reference(
          Float32Array.from(pixels, (p) => p / 255),
          1,
        ),
      ),
    ).toBeLessThanOrEqual(1e-5);
  });

  it('converts ImageData-like RGBA input', async () => {
    const rgba = randomPixels(16 * 16 * 4, 8);
    const [result] = await grayClassifier.classify({ data: new Uint8ClampedArray(rgba), width: 16, height: 16 });
    const [viaPng] = await grayClassifier.classify(encodePng(rgba, 16, 16, 4));
    expect(maxAbsDiff(result!.probabilities, viaPng!.probabilities)).toBeLessThanOrEqual(1e-6);
    await expectError(
      () => grayClassifier.classify({ data: new Uint8ClampedArray(10), width: 16, height: 16 }),
      RuntimeInputError,
      /ImageData of 16×16 with 10 bytes; expected width × height × 4/,
    );
  });
});
