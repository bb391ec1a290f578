/**
 * Turns what callers pass to classify() into one Float32Array of model input. All validation of
 * caller data happens here, before anything reaches onnxruntime, so a bad call fails with a
 * RuntimeInputError and leaves the session untouched.
 */
import { RuntimeInputError } from './errors.js';
import { detectImageFormat } from './image/format.js';
import { checkImageSize, type ImageLimits } from './image/limits.js';
import { fitImage, type PixelImage } from './image/pixels.js';
import type { ModelSignature } from './model/signature.js';
import { describe } from './options.js';
import type { Platform } from './platform.js';
import type { ClassifierInput, ImageDataLike } from './types.js';

export interface ModelInput {
  data: Float32Array;
  count: number;
}

export function describeImage(signature: ModelSignature): string {
  const { height, width, channels, layout } = signature.imageSize;
  return `${signature.imageElements} values (${height}×${width}×${channels}, ${layout})`;
}

/** Converts one input or a list of inputs; each may hold one image or a batch. */
export async function toModelInput(
  input: ClassifierInput | ClassifierInput[],
  signature: ModelSignature,
  platform: Platform,
  limits: ImageLimits,
): Promise<ModelInput> {
  const items = Array.isArray(input) ? input : [input];
  if (items.length === 0) throw new RuntimeInputError(`empty batch: expected at least one image of ${describeImage(signature)}`);
  if (typeof items[0] === 'number') {
    throw new RuntimeInputError(
      `input is an Array of ${items.length} numbers; wrap pixel values in a Uint8Array or normalized values in a Float32Array`,
    );
  }
  const converter = new InputConverter(signature, platform, limits);
  // One at a time: a batch of encoded files is decoded one after another, never all held decoded at once.
  const parts: ModelInput[] = [];
  for (const [i, item] of items.entries()) parts.push(await converter.convert(item, items.length > 1 ? `input ${i}` : 'input'));
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

class InputConverter {
  constructor(
    private readonly signature: ModelSignature,
    private readonly platform: Platform,
    private readonly limits: ImageLimits,
  ) {}

  async convert(item: unknown, name: string): Promise<ModelInput> {
    if (item instanceof Float32Array) return checkModelInput(item, undefined, this.signature, name);
    if (item instanceof Uint8Array || item instanceof Uint8ClampedArray) return this.convertBytes(item, name);
    if (isImageData(item)) return this.fromPicture({ width: item.width, height: item.height, channels: 4, data: item.data }, name, true);
    const read = await this.platform.readImage(item, name, this.limits);
    if (read === undefined) {
      throw new RuntimeInputError(
        `${name} is ${describeValue(item)}; expected a Uint8Array of pixels, a Float32Array of normalized values, an ImageData, ${this.platform.imageInputs}`,
      );
    }
    if (read instanceof Uint8Array) return this.convertEncoded(read, name);
    return this.fromPicture(read, name, false);
  }

  private async convertBytes(bytes: Uint8Array | Uint8ClampedArray, name: string): Promise<ModelInput> {
    const { signature } = this;
    const per = signature.imageElements;
    const isWholePixelBatch = bytes.length > 0 && bytes.length % per === 0;
    if (detectImageFormat(bytes)) {
      try {
        return await this.convertEncoded(
          bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
          name,
        );
      } catch (error) {
        // Raw pixels can start like a JPEG (255, 216, 255): if the length fits raw pixels exactly, they are pixels.
        if (error instanceof RuntimeInputError && isWholePixelBatch) return normalizeInterleaved(bytes, bytes.length / per, signature);
        throw error;
      }
    }
    if (bytes.length === 0) throw new RuntimeInputError(`${name} is empty: expected at least one image of ${describeImage(signature)}`);
    if (!isWholePixelBatch) {
      const { height, width, channels } = signature.imageSize;
      throw new RuntimeInputError(
        `${name} has ${bytes.length} bytes, which is neither raw pixels (a multiple of ${per} = ${height}×${width}×${channels}) nor PNG or JPEG bytes`,
      );
    }
    return normalizeInterleaved(bytes, bytes.length / per, signature);
  }

  private async convertEncoded(bytes: Uint8Array, name: string): Promise<ModelInput> {
    const picture = await this.platform.decodeImage(bytes, this.limits, name);
    return this.fromPicture(picture, name, false);
  }

  /** A picture of any size and 1–4 channels, fitted to the model. Decoders check the limits from the header already. */
  private fromPicture(image: PixelImage, name: string, checkLimits: boolean): ModelInput {
    if (checkLimits) {
      if (
        !Number.isInteger(image.width) ||
        !Number.isInteger(image.height) ||
        image.width < 1 ||
        image.height < 1 ||
        image.data.length !== image.width * image.height * image.channels
      ) {
        throw new RuntimeInputError(
          `${name} is an ImageData of ${image.width}×${image.height} with ${image.data.length} bytes; expected width × height × 4 (RGBA) bytes`,
        );
      }
      checkImageSize(image.width, image.height, this.limits, name);
    }
    return normalizeInterleaved(fitImage(image, this.signature.imageSize), 1, this.signature);
  }
}

/** The cheap checks of already-normalized input: type, and a whole number of images (or exactly `expectedCount`). */
export function checkInputLength(
  data: unknown,
  expectedCount: number | undefined,
  signature: ModelSignature,
  name: string,
): asserts data is Float32Array {
  if (!(data instanceof Float32Array))
    throw new RuntimeInputError(`${name} is ${describeValue(data)}; expected a Float32Array of normalized model input`);
  const per = signature.imageElements;
  if (data.length === 0) throw new RuntimeInputError(`${name} is empty: expected at least one image of ${describeImage(signature)}`);
  if (expectedCount !== undefined && data.length !== expectedCount * per) {
    throw new RuntimeInputError(
      `${name} has ${data.length} values; ${expectedCount} images of ${describeImage(signature)} need ${expectedCount * per}`,
    );
  }
  if (data.length % per !== 0) {
    throw new RuntimeInputError(
      `${name} has ${data.length} values, not a whole number of images: one image is ${describeImage(signature)}`,
    );
  }
}

/** Checks already-normalized input: type, whole number of images, finite values. */
export function checkModelInput(data: unknown, expectedCount: number | undefined, signature: ModelSignature, name: string): ModelInput {
  checkInputLength(data, expectedCount, signature, name);
  const per = signature.imageElements;
  const bad = firstNonFinite(data);
  if (bad >= 0) {
    throw new RuntimeInputError(
      `${name} contains ${data[bad]} at index ${bad} (image ${Math.floor(bad / per)}); model input must be finite numbers`,
    );
  }
  return { data, count: data.length / per };
}

/**
 * Index of the first NaN or ±Infinity, or -1. It first sums `x * 0`, which stays 0 unless some x is
 * NaN or infinite — about twice as fast as calling Number.isFinite per value — and only then looks
 * for the index. Four running sums instead of one let the CPU overlap the additions (one sum is a
 * chain, each addition waiting for the last): about three times faster again.
 */
export function firstNonFinite(data: Float32Array): number {
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  const whole = data.length - (data.length % 4);
  for (let i = 0; i < whole; i += 4) {
    p0 += data[i]! * 0;
    p1 += data[i + 1]! * 0;
    p2 += data[i + 2]! * 0;
    p3 += data[i + 3]! * 0;
  }
  for (let i = whole; i < data.length; i += 1) p0 += data[i]! * 0;
  if (p0 + p1 + p2 + p3 === 0) return -1;
  return data.findIndex((v) => !Number.isFinite(v));
}

function isImageData(value: unknown): value is ImageDataLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<ImageDataLike>;
  return v.data instanceof Uint8ClampedArray && typeof v.width === 'number' && typeof v.height === 'number';
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
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length ?? value.byteLength}`;
  return describe(value);
}
