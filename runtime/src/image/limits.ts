/**
 * Bounds on the pictures the runtime accepts, checked from the image header (PNG's IHDR, JPEG's
 * SOF) before anything is decoded, and on every picture given as pixels: decoding, conversion and
 * resizing then allocate in proportion to a bounded size, never to what a header claims.
 * The defaults are exported so the CLI and the server apply the same ones.
 */
import { DEFAULT_IMAGE_LIMITS } from '../constants.js';
import { RuntimeOptionError, ImageDecodeError, ImageSizeError } from '../errors.js';
import { detectImageFormat, HeaderError, readImageHeader, type ImageHeader } from './format.js';

export interface ImageLimits {
  /** Largest width × height, in millions of pixels. */
  maxMegapixels: number;
  /** Largest ratio of the longer side to the shorter one. */
  maxAspectRatio: number;
}

export function resolveImageLimits(given: Partial<ImageLimits> | undefined): ImageLimits {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...given };
  for (const key of ['maxMegapixels', 'maxAspectRatio'] as const) {
    const value = limits[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (key === 'maxAspectRatio' && value < 1)) {
      throw new RuntimeOptionError(
        `imageLimits.${key} must be a finite number ${key === 'maxAspectRatio' ? '≥ 1' : '> 0'}, got ${String(value)}`,
      );
    }
  }
  return limits;
}

/** Throws ImageSizeError unless a width × height picture is within the limits. `what` names it ("the PNG image"). */
export function checkImageSize(width: number, height: number, limits: ImageLimits, what: string): void {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new ImageSizeError(`${what} is ${width}×${height} pixels; width and height must be at least 1`);
  }
  const megapixels = (width * height) / 1e6;
  if (megapixels > limits.maxMegapixels) {
    throw new ImageSizeError(
      `${what} is ${width}×${height} pixels (${formatMegapixels(megapixels)} megapixels), more than the limit of ${limits.maxMegapixels}`,
    );
  }
  const aspect = Math.max(width, height) / Math.min(width, height);
  if (aspect > limits.maxAspectRatio) {
    throw new ImageSizeError(
      `${what} is ${width}×${height} pixels, an aspect ratio of ${Math.round(aspect)}:1, more than the limit of ${limits.maxAspectRatio}:1`,
    );
  }
}

function formatMegapixels(megapixels: number): string {
  return megapixels >= 10 ? megapixels.toFixed(0) : megapixels.toPrecision(2);
}

/** Reads and checks the header of PNG/JPEG bytes: ImageDecodeError when broken, ImageSizeError when too large. */
export function checkedImageHeader(bytes: Uint8Array, limits: ImageLimits): ImageHeader {
  let header: ImageHeader;
  try {
    header = readImageHeader(bytes);
  } catch (error) {
    if (!(error instanceof HeaderError)) throw error;
    const format = detectImageFormat(bytes);
    throw new ImageDecodeError(
      `the ${format ? `${format.toUpperCase()} ` : ''}image (${bytes.length} bytes) cannot be decoded: ${error.message}`,
    );
  }
  checkImageSize(header.width, header.height, limits, `the ${header.format.toUpperCase()} image`);
  return header;
}
