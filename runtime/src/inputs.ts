/**
 * Turns what callers pass to classify() into one Float32Array of model input. All validation of
 * caller data happens here, before anything reaches onnxruntime, so a bad call fails with a
 * RuntimeInputError and leaves the session untouched.
 */
import { ImageDecodeError, RuntimeInputError } from './errors.js';
import { detectImageFormat, type ImageFormat } from './image/format.js';
import { fitImage, type PixelImage } from './image/pixels.js';
import type { ModelSignature } from './model/signature.js';
import type { ClassifierInput, ImageDataLike } from './types.js';

/** Decodes PNG/JPEG bytes; provided by the Node entry only. */
export type ImageDecoder = (bytes: Uint8Array, format: ImageFormat) => PixelImage;

export interface ModelInput {
  data: Float32Array;
  count: number;
}

export function describeImage(signature: ModelSignature): string {
  const { height, width, channels, layout } = signature.imageSize;
  return `${signature.imageElements} values (${height}×${width}×${channels}, ${layout})`;
}

/** Converts one input or a list of inputs; each may hold one image or a batch. */
export function toModelInput(input: ClassifierInput | ClassifierInput[], signature: ModelSignature, decode: ImageDecoder | undefined): ModelInput {
  const items = Array.isArray(input) ? input : [input];
  if (items.length === 0) throw new RuntimeInputError(`empty batch: expected at least one image of ${describeImage(signature)}`);
  if (typeof items[0] === 'number') {
    throw new RuntimeInputError(
      `input is an Array of ${items.length} numbers; wrap pixel values in a Uint8Array or normalized values in a Float32Array`,
    );
  }
  const parts = items.map((item, i) => convertItem(item, signature, decode, items.length > 1 ? `input ${i}` : 'input'));
  if (parts.length === 1) return parts[0]!;
  const count = parts.reduce((n, p) => n + p.count, 0);
  const data = new Float32Array(count * signature.imageElements);
  let offset = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
  }
  return { data, count };
}

function convertItem(item: ClassifierInput, signature: ModelSignature, decode: ImageDecoder | undefined, name: string): ModelInput {
  if (item instanceof Float32Array) return checkModelInput(item, undefined, signature, name);
  if (item instanceof Uint8Array || item instanceof Uint8ClampedArray) return convertBytes(item, signature, decode, name);
  if (isImageData(item)) return convertImageData(item, signature, name);
  throw new RuntimeInputError(
    `${name} is ${describeValue(item)}; expected a Uint8Array of pixels${decode ? ' or PNG/JPEG bytes' : ''}, a Float32Array of normalized values, or an ImageData`,
  );
}

/** Checks already-normalized input: type, whole number of images, finite values. */
export function checkModelInput(data: unknown, expectedCount: number | undefined, signature: ModelSignature, name: string): ModelInput {
  if (!(data instanceof Float32Array)) throw new RuntimeInputError(`${name} is ${describeValue(data)}; expected a Float32Array of normalized model input`);
  const per = signature.imageElements;
  if (data.length === 0) throw new RuntimeInputError(`${name} is empty: expected at least one image of ${describeImage(signature)}`);
  if (expectedCount !== undefined && data.length !== expectedCount * per) {
    throw new RuntimeInputError(`${name} has ${data.length} values; ${expectedCount} images of ${describeImage(signature)} need ${expectedCount * per}`);
  }
  if (data.length % per !== 0) {
    throw new RuntimeInputError(`${name} has ${data.length} values, not a whole number of images: one image is ${describeImage(signature)}`);
  }
  const bad = firstNonFinite(data);
  if (bad >= 0) {
    throw new RuntimeInputError(`${name} contains ${data[bad]} at index ${bad} (image ${Math.floor(bad / per)}); model input must be finite numbers`);
  }
  return { data, count: data.length / per };
}

/**
 * Index of the first NaN or ±Infinity, or -1. This check runs on every predictBatch call (the
 * server's hot path), so it first sums `x * 0`, which stays 0 unless some x is NaN or infinite —
 * about twice as fast as calling Number.isFinite per value — and only then looks for the index.
 */
function firstNonFinite(data: Float32Array): number {
  let probe = 0;
  for (let i = 0; i < data.length; i += 1) probe += data[i]! * 0;
  if (probe === 0) return -1;
  return data.findIndex((v) => !Number.isFinite(v));
}

function convertBytes(bytes: Uint8Array | Uint8ClampedArray, signature: ModelSignature, decode: ImageDecoder | undefined, name: string): ModelInput {
  const per = signature.imageElements;
  const isWholePixelBatch = bytes.length > 0 && bytes.length % per === 0;
  const format = detectImageFormat(bytes);
  if (format) {
    if (!decode) {
      if (isWholePixelBatch) return normalizeInterleaved(bytes, bytes.length / per, signature);
      throw new RuntimeInputError(`${name} is ${format.toUpperCase()} file bytes, which this entry point does not decode; in a browser pass an ImageData (draw the image on a canvas)`);
    }
    try {
      return fitAndNormalize(decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), format), signature);
    } catch (error) {
      // Raw pixels can start like a JPEG (255, 216, 255): if the length fits raw pixels exactly, they are pixels.
      if (error instanceof ImageDecodeError && isWholePixelBatch) return normalizeInterleaved(bytes, bytes.length / per, signature);
      throw error;
    }
  }
  if (bytes.length === 0) throw new RuntimeInputError(`${name} is empty: expected at least one image of ${describeImage(signature)}`);
  if (!isWholePixelBatch) {
    const { height, width, channels } = signature.imageSize;
    throw new RuntimeInputError(
      `${name} has ${bytes.length} bytes, which is neither raw pixels (a multiple of ${per} = ${height}×${width}×${channels}) nor ${decode ? 'PNG or JPEG bytes' : 'an ImageData'}`,
    );
  }
  return normalizeInterleaved(bytes, bytes.length / per, signature);
}

function isImageData(value: unknown): value is ImageDataLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ImageDataLike>;
  return v.data instanceof Uint8ClampedArray && typeof v.width === 'number' && typeof v.height === 'number';
}

function convertImageData(image: ImageDataLike, signature: ModelSignature, name: string): ModelInput {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data.length !== width * height * 4) {
    throw new RuntimeInputError(`${name} is an ImageData of ${width}×${height} with ${data.length} bytes; expected width × height × 4 (RGBA) bytes`);
  }
  return fitAndNormalize({ width, height, channels: 4, data }, signature);
}

function fitAndNormalize(image: PixelImage, signature: ModelSignature): ModelInput {
  const pixels = fitImage(image, signature.imageSize);
  return normalizeInterleaved(pixels, 1, signature);
}

/**
 * Applies `pixel * scale + offset` to interleaved (H×W×C) pixels and writes them in the model's
 * layout, transposing to C×H×W for NCHW models.
 */
export function normalizeInterleaved(pixels: ArrayLike<number>, count: number, signature: ModelSignature): ModelInput {
  const { scale, offset } = signature.preprocess;
  const { height, width, channels, layout } = signature.imageSize;
  const data = new Float32Array(count * signature.imageElements);
  if (layout === 'NHWC' || channels === 1) {
    for (let i = 0; i < data.length; i += 1) data[i] = pixels[i]! * scale + offset;
    return { data, count };
  }
  const plane = height * width;
  for (let n = 0; n < count; n += 1) {
    const base = n * signature.imageElements;
    for (let p = 0; p < plane; p += 1) {
      for (let c = 0; c < channels; c += 1) data[base + c * plane + p] = pixels[base + p * channels + c]! * scale + offset;
    }
  }
  return { data, count };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an Array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length ?? value.byteLength}`;
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof value}`;
}
