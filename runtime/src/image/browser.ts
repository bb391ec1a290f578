/**
 * Pictures in browsers: PNG/JPEG bytes and Blobs are decoded by the browser (createImageBitmap),
 * image elements, canvases and bitmaps are drawn onto a canvas and read back as RGBA, and URLs
 * are fetched. Sizes are checked before anything of that size is allocated: from the header for
 * encoded bytes, from the element's own width and height otherwise.
 */
import { describeError, ImageDecodeError, RuntimeInputError } from '../errors.js';
import { fetchBytes } from '../source.js';
import { checkedImageHeader, checkImageSize, type ImageLimits } from './limits.js';
import type { PixelImage } from './pixels.js';

type Drawable = CanvasImageSource & { width?: number; height?: number };

/** Same bound as the Node entry's: a few bytes per pixel at most. */
function maxEncodedBytes(limits: ImageLimits): number {
  return Math.ceil(limits.maxMegapixels * 1e6 * 8) + 1024 * 1024;
}

export async function decodeImageInBrowser(bytes: Uint8Array, limits: ImageLimits, name: string): Promise<PixelImage> {
  const header = checkedImageHeader(bytes, limits);
  let bitmap: ImageBitmap;
  try {
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: `image/${header.format}` });
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new ImageDecodeError(
      `${name}: the ${header.format.toUpperCase()} image (${bytes.length} bytes) cannot be decoded: ${describeError(error)}`,
      { cause: error },
    );
  }
  try {
    return drawToPixels(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** Bytes (still encoded) of a Blob or URL, pixels of an element or bitmap, or undefined for anything else. */
export async function readImageInBrowser(input: unknown, name: string, limits: ImageLimits): Promise<Uint8Array | PixelImage | undefined> {
  if (typeof input === 'string' || input instanceof URL) {
    const url = input instanceof URL ? input.href : input;
    return fetchBytes(url, `${name} (an image)`, (message, cause) => new RuntimeInputError(message, { cause }), maxEncodedBytes(limits));
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    if (input.size > maxEncodedBytes(limits))
      throw new RuntimeInputError(`${name} is a Blob of ${input.size} bytes, more than an image within the limits can have`);
    return new Uint8Array(await input.arrayBuffer());
  }
  const drawable = await asDrawable(input, name);
  if (!drawable) return undefined;
  checkImageSize(drawable.width, drawable.height, limits, name);
  return drawToPixels(drawable.source, drawable.width, drawable.height);
}

function isInstance(value: unknown, className: string): boolean {
  const type = (globalThis as Record<string, unknown>)[className];
  return typeof type === 'function' && value instanceof (type as new () => unknown);
}

async function asDrawable(input: unknown, name: string): Promise<{ source: Drawable; width: number; height: number } | undefined> {
  if (isInstance(input, 'HTMLImageElement')) {
    const image = input as HTMLImageElement;
    try {
      // Waits for an image still loading; fails for a broken one.
      await image.decode();
    } catch (error) {
      throw new ImageDecodeError(
        `${name} is an <img> that cannot be decoded (${image.currentSrc || image.src || 'no src'}): ${describeError(error)}`,
        { cause: error },
      );
    }
    return { source: image, width: image.naturalWidth, height: image.naturalHeight };
  }
  for (const className of ['HTMLCanvasElement', 'OffscreenCanvas', 'ImageBitmap', 'VideoFrame']) {
    if (isInstance(input, className)) {
      const source = input as Drawable & { displayWidth?: number; displayHeight?: number };
      return { source, width: source.displayWidth ?? source.width ?? 0, height: source.displayHeight ?? source.height ?? 0 };
    }
  }
  return undefined;
}

/** Draws onto a canvas of the picture's own size and reads RGBA back. */
function drawToPixels(source: Drawable, width: number, height: number): PixelImage {
  const canvas =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true }) as
    | CanvasRenderingContext2D
    | OffscreenCanvasRenderingContext2D
    | null;
  if (!context) throw new RuntimeInputError('this browser gives no 2D canvas to read the picture with');
  context.drawImage(source, 0, 0);
  const { data } = context.getImageData(0, 0, width, height);
  return { width, height, channels: 4, data };
}
