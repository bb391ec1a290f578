/**
 * PNG and JPEG decoding for the Node entry point (pngjs needs Node's zlib; browsers decode with
 * createImageBitmap). Images are recognized by their magic bytes, not by file names, and their
 * declared size is checked against the limits before a byte is decoded.
 */
import { inflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { describeError, ImageDecodeError } from '../errors.js';
import type { ImageHeader } from './format.js';
import { DEFAULT_IMAGE_LIMITS } from '../constants.js';
import { checkedImageHeader, type ImageLimits } from './limits.js';
import type { PixelImage } from './pixels.js';

/** Decodes PNG or JPEG bytes within the limits; PNG gives RGBA (4 channels), JPEG gives RGB (3 channels). */
export function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): PixelImage {
  const header = checkedImageHeader(bytes, limits);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const what = `the ${header.format.toUpperCase()} image (${bytes.length} bytes)`;
  let image: PixelImage;
  try {
    image =
      header.format === 'png'
        ? decodePng(buffer, header)
        : { ...jpeg.decode(buffer, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: limits.maxMegapixels }), channels: 3 };
  } catch (error) {
    throw new ImageDecodeError(`${what} cannot be decoded: ${describeError(error)}`, { cause: error });
  }
  // The decoders must agree with the header that was checked; anything else is a malformed file.
  if (image.width !== header.width || image.height !== header.height || image.data.length !== image.width * image.height * image.channels) {
    throw new ImageDecodeError(
      `${what} declares ${header.width}×${header.height} but decoded to an inconsistent ${image.width}×${image.height} picture`,
    );
  }
  return image;
}

function decodePng(buffer: Buffer, header: ImageHeader): PixelImage {
  if (header.interlaced) checkInterlacedSize(buffer, header);
  const png = pngjs.PNG.sync.read(buffer);
  return { width: png.width, height: png.height, channels: 4, data: png.data };
}

const SAMPLES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/**
 * pngjs bounds the inflated data of plain PNGs by the size the header implies, but inflates
 * interlaced ones without a bound, so a small deflate bomb could take gigabytes. Inflate those
 * once with the exact bound first (interlaced PNGs are rare; the extra pass is their price).
 */
function checkInterlacedSize(buffer: Buffer, header: ImageHeader): void {
  const depth = buffer[24]!;
  const samples = SAMPLES_PER_PIXEL[buffer[25]!] ?? 4;
  let expected = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil((header.width - x0) / dx);
    const h = Math.ceil((header.height - y0) / dy);
    if (w > 0 && h > 0) expected += h * (((w * samples * depth + 7) >> 3) + 1);
  }
  const chunks: Buffer[] = [];
  for (let at = 8; at + 8 <= buffer.length; ) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') chunks.push(buffer.subarray(at + 8, Math.min(at + 8 + length, buffer.length)));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(chunks), { maxOutputLength: Math.max(expected, 1) });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new Error(
      tooLarge ? `its data inflates to more than the ${header.width}×${header.height} its header declares` : describeError(error),
    );
  }
}
