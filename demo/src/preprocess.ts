/**
 * Turns a picture of a digit into the model's input the way MNIST was made (LeCun et al.): the ink
 * is cropped to its bounding box, scaled into a 20×20 box keeping its aspect ratio (anti-aliased),
 * and placed in the 28×28 frame so that its centre of mass is at the centre; white ink on black.
 *
 * Pure array code with no DOM or Node APIs, so the same functions run in the page and in unit tests.
 * Intensities stay floats in 0–255 until the end, so resampling rounds only once.
 */
import { resizeImage } from '@tfjs-onnx/runtime';

/** One channel, row-major; 0 is background, 255 full ink once `toInk` has run. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** A rectangle of pixels: left/top inclusive, right/bottom exclusive. */
export interface PixelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface TargetSize {
  width: number;
  height: number;
}

/** MNIST's digits fill a 20×20 box inside the 28×28 frame; kept as a fraction for models of other sizes. */
export const DIGIT_BOX_FRACTION = 20 / 28;

/** Pixels fainter than this fraction of the strongest ink do not count when finding the digit's extent (anti-aliasing, sensor noise). */
export const INK_THRESHOLD_FRACTION = 0.1;

export function createGrayImage(width: number, height: number): GrayImage {
  return { width, height, data: new Float32Array(width * height) };
}

/** RGBA (as canvases give it) to gray with ITU-R BT.601 luma, the weights the runtime and PIL use; alpha is ignored. */
export function rgbaToGray(rgba: ArrayLike<number>, width: number, height: number): GrayImage {
  const image = createGrayImage(width, height);
  for (let p = 0; p < width * height; p += 1) {
    image.data[p] = 0.299 * rgba[p * 4]! + 0.587 * rgba[p * 4 + 1]! + 0.114 * rgba[p * 4 + 2]!;
  }
  return image;
}

/** The median intensity of the outermost rows and columns: what the paper (or screen) behind the digit looks like. */
export function borderMedian(image: GrayImage): number {
  const { width, height, data } = image;
  const border: number[] = [];
  for (let x = 0; x < width; x += 1) {
    border.push(data[x]!);
    if (height > 1) border.push(data[(height - 1) * width + x]!);
  }
  for (let y = 1; y < height - 1; y += 1) {
    border.push(data[y * width]!);
    if (width > 1) border.push(data[y * width + width - 1]!);
  }
  border.sort((a, b) => a - b);
  return border[Math.floor(border.length / 2)]!;
}

/** Dark ink on light paper is inverted, so the digit is always white on black as in MNIST. */
export function toInk(image: GrayImage): GrayImage {
  if (borderMedian(image) <= 127.5) return image;
  return { ...image, data: image.data.map((value) => 255 - value) };
}

/**
 * Maps the background level to 0 and the strongest ink to 255, so grey paper or faint pencil in a
 * photo look like MNIST's black background and full-strength strokes. A clean drawing is unchanged.
 */
export function stretchInk(image: GrayImage): GrayImage {
  const background = borderMedian(image);
  const strongest = image.data.reduce((max, value) => Math.max(max, value), 0);
  if (strongest <= background) return { ...image, data: new Float32Array(image.data.length) };
  const gain = 255 / (strongest - background);
  return { ...image, data: image.data.map((value) => clamp((value - background) * gain, 0, 255)) };
}

/** The smallest box holding every pixel of real ink, or null for a blank image. */
export function inkBoundingBox(image: GrayImage, thresholdFraction = INK_THRESHOLD_FRACTION): PixelBox | null {
  const { width, height, data } = image;
  const strongest = data.reduce((max, value) => Math.max(max, value), 0);
  if (strongest <= 0) return null;
  const threshold = strongest * thresholdFraction;
  let box: PixelBox | null = null;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if (data[y * width + x]! <= threshold) continue;
      box = box
        ? { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x + 1), bottom: Math.max(box.bottom, y + 1) }
        : { left: x, top: y, right: x + 1, bottom: y + 1 };
    }
  }
  return box;
}

export function cropImage(image: GrayImage, box: PixelBox): GrayImage {
  const cropped = createGrayImage(box.right - box.left, box.bottom - box.top);
  for (let y = 0; y < cropped.height; y += 1) {
    const from = (box.top + y) * image.width + box.left;
    cropped.data.set(image.data.subarray(from, from + cropped.width), y * cropped.width);
  }
  return cropped;
}

/**
 * Resizes with the runtime's resampler (area averaging when shrinking, the anti-aliasing that
 * keeps thin strokes; bilinear when enlarging), so the page and the runtime scale images alike.
 */
export function resampleImage(image: GrayImage, width: number, height: number): GrayImage {
  const { data } = resizeImage({ ...image, channels: 1 }, height, width);
  return { width, height, data };
}

/** Scales the image so that it just fits the box, keeping its aspect ratio: the longer side fills the box. */
export function fitIntoBox(image: GrayImage, boxWidth: number, boxHeight: number): GrayImage {
  const scale = Math.min(boxWidth / image.width, boxHeight / image.height);
  const width = clamp(Math.round(image.width * scale), 1, boxWidth);
  const height = clamp(Math.round(image.height * scale), 1, boxHeight);
  return resampleImage(image, width, height);
}

/** The intensity-weighted mean position, in continuous coordinates where pixel (x, y) covers [x, x+1) × [y, y+1). */
export function centerOfMass(image: GrayImage): { x: number; y: number } {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < image.width; x += 1) {
      const value = image.data[y * image.width + x]!;
      mass += value;
      sumX += value * (x + 0.5);
      sumY += value * (y + 0.5);
    }
  }
  if (mass === 0) return { x: image.width / 2, y: image.height / 2 };
  return { x: sumX / mass, y: sumY / mass };
}

/**
 * Pastes the image into a black frame, shifted by whole pixels so its centre of mass lands as near
 * the frame's centre as possible. The shift is limited so that no ink is cut off: a lopsided digit
 * (a "7" with a long bar) stays whole rather than exactly centred.
 */
export function placeByCenterOfMass(image: GrayImage, frame: TargetSize): GrayImage {
  const mass = centerOfMass(image);
  const left = clamp(Math.round(frame.width / 2 - mass.x), 0, frame.width - image.width);
  const top = clamp(Math.round(frame.height / 2 - mass.y), 0, frame.height - image.height);
  const placed = createGrayImage(frame.width, frame.height);
  for (let y = 0; y < image.height; y += 1) {
    placed.data.set(image.data.subarray(y * image.width, (y + 1) * image.width), (top + y) * frame.width + left);
  }
  return placed;
}

/** Rounds to the 0–255 bytes the model's preprocessing expects. */
export function toPixels(image: GrayImage): Uint8ClampedArray {
  return Uint8ClampedArray.from(image.data, (value) => Math.round(value));
}

/** Gray ink (0–255, white on black) ready for the model: `pixels` holds width × height values. */
export interface DigitInput {
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
}

/** The MNIST recipe on a picture of any size: null when there is no ink. */
export function preprocessDigit(picture: GrayImage, target: TargetSize): DigitInput | null {
  const ink = stretchInk(toInk(picture));
  const box = inkBoundingBox(ink);
  if (!box) return null;
  const digit = fitIntoBox(
    cropImage(ink, box),
    Math.round(target.width * DIGIT_BOX_FRACTION),
    Math.round(target.height * DIGIT_BOX_FRACTION),
  );
  const placed = placeByCenterOfMass(digit, target);
  return { width: target.width, height: target.height, pixels: toPixels(placed) };
}

/**
 * What the page feeds the model for an RGBA picture. A picture already at the model's size is
 * taken as it is (only made gray, and inverted if its background is light), so an MNIST test image
 * is exactly the model's input; any other size goes through the MNIST recipe.
 */
export function pictureToDigitInput(rgba: ArrayLike<number>, width: number, height: number, target: TargetSize): DigitInput | null {
  const gray = rgbaToGray(rgba, width, height);
  if (width === target.width && height === target.height) return { width, height, pixels: toPixels(toInk(gray)) };
  return preprocessDigit(gray, target);
}

/**
 * Interleaved raw pixels for the model's channel count, as the runtime expects them: gray as is,
 * or the gray value repeated as R, G and B (with an opaque alpha for RGBA models).
 */
export function toChannels(pixels: Uint8ClampedArray, channels: number): Uint8ClampedArray {
  if (channels === 1) return pixels;
  if (channels !== 3 && channels !== 4) throw new RangeError(`a digit picture can feed a model with 1, 3 or 4 channels, not ${channels}`);
  const out = new Uint8ClampedArray(pixels.length * channels);
  for (let p = 0; p < pixels.length; p += 1) {
    out.fill(pixels[p]!, p * channels, p * channels + 3);
    if (channels === 4) out[p * channels + 3] = 255;
  }
  return out;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
