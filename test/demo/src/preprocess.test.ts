/** The demo's MNIST-style preprocessing, in Node: pure functions on arrays, no browser needed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  borderMedian,
  centerOfMass,
  createGrayImage,
  cropImage,
  fitIntoBox,
  inkBoundingBox,
  pictureToDigitInput,
  placeByCenterOfMass,
  preprocessDigit,
  resampleImage,
  rgbaToGray,
  stretchInk,
  toChannels,
  toInk,
  type GrayImage,
} from '../../../demo/src/preprocess.ts';

const MNIST_FRAME = { width: 28, height: 28 };

/** A black image with white rectangles [left, top, right, bottom) painted on it. */
function imageWithRectangles(width: number, height: number, rectangles: [number, number, number, number][], value = 255): GrayImage {
  const image = createGrayImage(width, height);
  for (const [left, top, right, bottom] of rectangles) {
    for (let y = top; y < bottom; y += 1) image.data.fill(value, y * width + left, y * width + right);
  }
  return image;
}

/** RGBA for a gray image, as a canvas would give it. */
function toRgba(image: GrayImage): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  image.data.forEach((value, p) => {
    rgba.set([value, value, value, 255], p * 4);
  });
  return rgba;
}

function invert(image: GrayImage): GrayImage {
  return { ...image, data: image.data.map((value) => 255 - value) };
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i += 1) total += values[i]!;
  return total;
}

function grayFromPixels(width: number, height: number, pixels: Uint8ClampedArray): GrayImage {
  return { width, height, data: Float32Array.from(pixels) };
}

describe('colour and ink', () => {
  it('converts RGBA to gray with BT.601 luma weights and ignores alpha', () => {
    const gray = rgbaToGray([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 128, 90, 90, 90, 255], 4, 1);
    expect(Array.from(gray.data)).toEqual([0.299 * 255, 0.587 * 255, 0.114 * 255, 90].map((v) => Math.fround(v)));
  });

  it('takes the median of the border as the background', () => {
    const image = imageWithRectangles(5, 5, [[0, 0, 1, 1]], 200); // one bright corner does not move the median
    expect(borderMedian(image)).toBe(0);
    expect(borderMedian(invert(image))).toBe(255);
  });

  it('inverts dark ink on light paper to white on black, and leaves white-on-black alone', () => {
    const whiteOnBlack = imageWithRectangles(10, 10, [[3, 3, 6, 8]]);
    expect(toInk(whiteOnBlack)).toBe(whiteOnBlack);
    expect(Array.from(toInk(invert(whiteOnBlack)).data)).toEqual(Array.from(whiteOnBlack.data));
  });

  it('stretches grey paper to black and the strongest ink to white', () => {
    const photo = createGrayImage(10, 10);
    photo.data.fill(40);
    photo.data[55] = 140;
    photo.data[56] = 90;
    const stretched = stretchInk(photo);
    expect(stretched.data[0]).toBe(0);
    expect(stretched.data[55]).toBe(255);
    expect(stretched.data[56]).toBeCloseTo(127.5, 4);
  });
});

describe('cropping to the ink', () => {
  it('finds the bounding box of the ink (right and bottom exclusive)', () => {
    const image = imageWithRectangles(40, 30, [
      [5, 7, 9, 20],
      [12, 3, 15, 4],
    ]);
    expect(inkBoundingBox(image)).toEqual({ left: 5, top: 3, right: 15, bottom: 20 });
  });

  it('ignores faint pixels (anti-aliasing, noise) below a tenth of the strongest ink', () => {
    const image = imageWithRectangles(20, 20, [[8, 8, 12, 12]]);
    image.data[0] = 20;
    image.data[19 * 20 + 19] = 25;
    expect(inkBoundingBox(image)).toEqual({ left: 8, top: 8, right: 12, bottom: 12 });
  });

  it('says there is no digit in a blank image', () => {
    expect(inkBoundingBox(createGrayImage(8, 8))).toBeNull();
    expect(preprocessDigit(createGrayImage(50, 50), MNIST_FRAME)).toBeNull();
    expect(preprocessDigit(invert(createGrayImage(50, 50)), MNIST_FRAME)).toBeNull();
  });

  it('crops exactly the box', () => {
    const image = createGrayImage(4, 3);
    image.data.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const cropped = cropImage(image, { left: 1, top: 1, right: 3, bottom: 3 });
    expect(cropped).toMatchObject({ width: 2, height: 2 });
    expect(Array.from(cropped.data)).toEqual([5, 6, 9, 10]);
  });
});

describe('scaling into the 20×20 box', () => {
  it('averages areas when shrinking: each output pixel is the mean of the pixels it covers', () => {
    const image = createGrayImage(4, 2);
    image.data.set([0, 100, 200, 40, 20, 80, 0, 0]);
    expect(Array.from(resampleImage(image, 2, 1).data)).toEqual([50, 60]);
  });

  it('keeps the aspect ratio: a tall stroke stays narrow, a wide one stays flat', () => {
    const tall = fitIntoBox(imageWithRectangles(20, 200, [[0, 0, 20, 200]]), 20, 20);
    expect(tall).toMatchObject({ width: 2, height: 20 });
    const wide = fitIntoBox(imageWithRectangles(150, 60, [[0, 0, 150, 60]]), 20, 20);
    expect(wide).toMatchObject({ width: 20, height: 8 });
    const small = fitIntoBox(imageWithRectangles(5, 10, [[0, 0, 5, 10]]), 20, 20);
    expect(small).toMatchObject({ width: 10, height: 20 });
  });

  it('anti-aliases: the mean intensity survives shrinking', () => {
    const strokes = imageWithRectangles(200, 200, [
      [10, 10, 30, 190],
      [60, 100, 190, 117],
    ]);
    const fitted = fitIntoBox(strokes, 20, 20);
    expect(sum(fitted.data) / fitted.data.length).toBeCloseTo(sum(strokes.data) / strokes.data.length, 3);
    // A 20-pixel-wide stroke scaled by 1/10 covers two output pixels fully.
    expect(fitted.data[5 * 20 + 1]).toBeCloseTo(255, 3);
  });
});

describe('centring by centre of mass', () => {
  it('computes the centre of mass with pixel centres at x + 0.5', () => {
    const image = imageWithRectangles(10, 10, [[2, 6, 3, 7]]);
    expect(centerOfMass(image)).toEqual({ x: 2.5, y: 6.5 });
    const twoDots = imageWithRectangles(10, 10, [
      [0, 0, 1, 1],
      [9, 0, 10, 1],
    ]);
    twoDots.data[9] = 85; // a third of the left dot's mass
    expect(centerOfMass(twoDots).x).toBeCloseTo((0.5 * 255 + 9.5 * 85) / 340, 9);
  });

  it('moves the centre of mass to the frame centre, not the bounding box centre', () => {
    // An "L": heavy on the left, so its centre of mass is left of its box centre.
    const ell = imageWithRectangles(20, 20, [
      [0, 0, 4, 20],
      [4, 16, 20, 20],
    ]);
    const placed = placeByCenterOfMass(ell, MNIST_FRAME);
    const mass = centerOfMass(placed);
    expect(Math.abs(mass.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(mass.y - 14)).toBeLessThanOrEqual(0.5);
    expect(sum(placed.data)).toBe(sum(ell.data));
  });

  it('never cuts ink off: a lopsided digit is shifted only as far as the frame allows', () => {
    const lopsided = imageWithRectangles(20, 20, [[0, 0, 2, 2]]);
    const placed = placeByCenterOfMass(lopsided, MNIST_FRAME);
    expect(sum(placed.data)).toBe(sum(lopsided.data));
    expect(inkBoundingBox(placed)).toEqual({ left: 8, top: 8, right: 10, bottom: 10 });
  });
});

describe('the whole MNIST recipe', () => {
  it('turns a dark "1" drawn on a light 280×280 pad into a centred white stroke 20 pixels tall', () => {
    const pad = invert(imageWithRectangles(280, 280, [[40, 30, 62, 250]]));
    const input = preprocessDigit(pad, MNIST_FRAME)!;
    const image = grayFromPixels(28, 28, input.pixels);
    const box = inkBoundingBox(image)!;
    expect(box.bottom - box.top).toBe(20);
    expect(box.right - box.left).toBe(2);
    const mass = centerOfMass(image);
    expect(Math.abs(mass.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(mass.y - 14)).toBeLessThanOrEqual(0.5);
    expect(image.data[0]).toBe(0);
    expect(Math.max(...input.pixels)).toBe(255);
  });

  it('puts any drawing, however lopsided, in a 20×20 box inside the 28×28 frame', () => {
    const rectangle = fc
      .record({
        left: fc.integer({ min: 1, max: 200 }),
        top: fc.integer({ min: 1, max: 200 }),
        width: fc.integer({ min: 1, max: 78 }),
        height: fc.integer({ min: 1, max: 78 }),
      })
      .map(({ left, top, width, height }): [number, number, number, number] => [left, top, left + width, top + height]);
    fc.assert(
      fc.property(fc.array(rectangle, { minLength: 1, maxLength: 4 }), (rectangles) => {
        const input = preprocessDigit(invert(imageWithRectangles(280, 280, rectangles)), MNIST_FRAME)!;
        expect(input.pixels).toHaveLength(28 * 28);
        // Threshold 0: even the faintest anti-aliased pixel stays inside the box.
        const box = inkBoundingBox(grayFromPixels(28, 28, input.pixels), 0)!;
        expect(Math.max(box.right - box.left, box.bottom - box.top)).toBeLessThanOrEqual(20);
        expect(Math.max(...input.pixels)).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });

  it('takes a picture already at the model size as it is', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 28 * 28, maxLength: 28 * 28 }), (bytes) => {
        // MNIST digits sit in a black frame; a dark border keeps the picture from being read as paper.
        const digit = createGrayImage(28, 28);
        for (let y = 4; y < 24; y += 1) for (let x = 4; x < 24; x += 1) digit.data[y * 28 + x] = bytes[y * 28 + x]!;
        const input = pictureToDigitInput(toRgba(digit), 28, 28, MNIST_FRAME)!;
        expect(Array.from(input.pixels)).toEqual(Array.from(digit.data));
      }),
      { numRuns: 50 },
    );
  });

  it('inverts a 28×28 picture with a light background, without moving it', () => {
    const digit = imageWithRectangles(28, 28, [[2, 3, 9, 25]]);
    const input = pictureToDigitInput(toRgba(invert(digit)), 28, 28, MNIST_FRAME)!;
    expect(Array.from(input.pixels)).toEqual(Array.from(digit.data));
  });

  it('repeats gray values for RGB and RGBA models', () => {
    const gray = Uint8ClampedArray.from([10, 200]);
    expect(toChannels(gray, 1)).toBe(gray);
    expect(Array.from(toChannels(gray, 3))).toEqual([10, 10, 10, 200, 200, 200]);
    expect(Array.from(toChannels(gray, 4))).toEqual([10, 10, 10, 255, 200, 200, 200, 255]);
    expect(() => toChannels(gray, 2)).toThrow(/1, 3 or 4 channels, not 2/);
  });
});
