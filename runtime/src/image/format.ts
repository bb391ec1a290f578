/**
 * Recognizes encoded images by their magic bytes and reads their size from the header — PNG's IHDR,
 * JPEG's SOF segment — without decoding anything. Pure byte code, so the browser entry uses it too.
 */
import { IMAGE_MAGIC_BYTES, type ImageFormat } from '../constants.js';

export type { ImageFormat };

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** PNG only: Adam7 interlacing (pngjs inflates those without an output bound; see decode.ts). */
  interlaced: boolean;
}

function startsWith(bytes: ArrayLike<number>, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

export function detectImageFormat(bytes: ArrayLike<number>): ImageFormat | undefined {
  if (startsWith(bytes, IMAGE_MAGIC_BYTES.png)) return 'png';
  if (startsWith(bytes, IMAGE_MAGIC_BYTES.jpeg)) return 'jpeg';
  return undefined;
}

/** Why a header cannot be read; the caller turns it into an ImageDecodeError naming the input. */
export class HeaderError extends Error {}

/** The format and size an encoded image declares; throws HeaderError when the header is broken. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const format = detectImageFormat(bytes);
  if (format === 'png') return readPngHeader(bytes);
  if (format === 'jpeg') return readJpegHeader(bytes);
  throw new HeaderError('it is neither PNG nor JPEG');
}

function uint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function uint16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

const IHDR = 0x49484452;

/** The PNG spec requires IHDR first: 8-byte signature, length 13, 'IHDR', width, height, depth, colour, ..., interlace. */
function readPngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 8 + 8 + 13) throw new HeaderError(`it ends after ${bytes.length} bytes, inside the PNG header`);
  if (uint32(bytes, 12) !== IHDR || uint32(bytes, 8) !== 13)
    throw new HeaderError('its first chunk is not a 13-byte IHDR, as PNG requires');
  return { format: 'png', width: uint32(bytes, 16), height: uint32(bytes, 20), interlaced: bytes[28] === 1 };
}

/** SOF markers carry the frame size: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the marker segments from SOI to the first SOF (each step skips a whole segment: linear in the file). */
function readJpegHeader(bytes: Uint8Array): ImageHeader {
  let at = 2;
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) throw new HeaderError(`byte ${at} is not a JPEG marker`);
    while (bytes[at] === 0xff) at += 1; // fill bytes
    const marker = bytes[at];
    at += 1;
    if (marker === undefined) break;
    // Markers without a payload: TEM and RST0–7.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (marker === 0xd9 || marker === 0xda)
      throw new HeaderError(`it reaches ${marker === 0xda ? 'scan data' : 'its end'} before a frame header (SOF)`);
    if (at + 2 > bytes.length) break;
    const length = uint16(bytes, at);
    if (length < 2) throw new HeaderError(`a segment at byte ${at} has length ${length}`);
    if (isStartOfFrame(marker)) {
      if (at + 7 > bytes.length) break;
      return { format: 'jpeg', height: uint16(bytes, at + 3), width: uint16(bytes, at + 5), interlaced: false };
    }
    at += length;
  }
  throw new HeaderError(`it ends after ${bytes.length} bytes, before a frame header (SOF)`);
}
