/**
 * PNG and JPEG decoding for the Node entry point (pngjs needs Node's zlib, so browsers use
 * ImageData instead). Images are recognized by their magic bytes, not by file names.
 */
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { describeError, ImageDecodeError } from '../errors.js';
import type { ImageFormat } from './format.js';
import type { PixelImage } from './pixels.js';

/** Larger images are refused before decoding, so a hostile file cannot exhaust memory. */
const MAX_MEGAPIXELS = 50;

/** Decodes PNG or JPEG bytes; PNG gives RGBA (4 channels), JPEG gives RGB (3 channels). */
export function decodeImage(bytes: Uint8Array, format: ImageFormat): PixelImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let image: PixelImage;
  try {
    image =
      format === 'png'
        ? decodePng(buffer)
        : { ...jpeg.decode(buffer, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_MEGAPIXELS }), channels: 3 };
  } catch (error) {
    throw new ImageDecodeError(`the ${format.toUpperCase()} image (${bytes.length} bytes) cannot be decoded: ${describeError(error)}`, { cause: error });
  }
  if (image.width <= 0 || image.height <= 0 || image.data.length !== image.width * image.height * image.channels) {
    throw new ImageDecodeError(`the ${format.toUpperCase()} image decoded to an empty or inconsistent ${image.width}×${image.height} picture`);
  }
  return image;
}

function decodePng(buffer: Buffer): PixelImage {
  const png = pngjs.PNG.sync.read(buffer);
  if (png.width * png.height > MAX_MEGAPIXELS * 1e6) throw new Error(`${png.width}×${png.height} is larger than ${MAX_MEGAPIXELS} megapixels`);
  return { width: png.width, height: png.height, channels: 4, data: png.data };
}
