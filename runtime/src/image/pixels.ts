/**
 * Pixel conversion shared by every input path that carries a picture (decoded PNG/JPEG, ImageData):
 * channel conversion and resizing to the model's size. Pure array code, no Node or DOM APIs, so the
 * browser entry can use it for ImageData too. Values stay in 0–255 as floats until normalization,
 * so resizing does not round twice.
 */
import { RuntimeInputError } from '../errors.js';

/** An image with interleaved channels (height × width × channels). */
export interface PixelImage {
  width: number;
  height: number;
  channels: number;
  data: ArrayLike<number>;
}

export interface TargetSize {
  height: number;
  width: number;
  channels: number;
}

/** Converts channels and size to the target; returns height × width × channels floats in 0–255. */
export function fitImage(image: PixelImage, target: TargetSize): Float32Array {
  const converted = convertChannels(image, target.channels);
  return resizeImage(converted, target.height, target.width).data;
}

/**
 * Converts between gray (1), gray+alpha (2), RGB (3) and RGBA (4). Alpha is dropped, not composited:
 * a classifier trained on opaque images has no use for it.
 */
export function convertChannels(image: PixelImage, channels: number): PixelImage & { data: Float32Array } {
  const { width, height, channels: from, data } = image;
  if (![1, 2, 3, 4].includes(from)) throw new RuntimeInputError(`images must have 1 to 4 channels, got ${from}`);
  if (![1, 3, 4].includes(channels)) {
    throw new RuntimeInputError(`cannot convert images to ${channels} channels; pass pixels or Float32Array input for this model`);
  }
  const out = new Float32Array(width * height * channels);
  const sourceIsGray = from <= 2;
  for (let p = 0; p < width * height; p += 1) {
    const s = p * from;
    const r = data[s]!;
    const g = sourceIsGray ? r : data[s + 1]!;
    const b = sourceIsGray ? r : data[s + 2]!;
    const o = p * channels;
    if (channels === 1) {
      // ITU-R BT.601 luma, the weights of PIL's 'L' mode and tf.image.rgbToGrayscale.
      out[o] = sourceIsGray ? r : 0.299 * r + 0.587 * g + 0.114 * b;
    } else {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      if (channels === 4) out[o + 3] = from === 4 ? data[s + 3]! : from === 2 ? data[s + 1]! : 255;
    }
  }
  return { width, height, channels, data: out };
}

/** Per output index along one axis: source indices and their weights (summing to 1). */
type AxisWeights = { index: number[]; weight: number[] }[];

/**
 * Area averaging when shrinking (each output pixel is the mean of the source area it covers, so thin
 * strokes are not lost), bilinear with half-pixel centers when enlarging.
 */
export function axisWeights(sourceLength: number, targetLength: number): AxisWeights {
  const ratio = sourceLength / targetLength;
  const axis: AxisWeights = [];
  for (let i = 0; i < targetLength; i += 1) {
    if (ratio > 1) {
      const start = i * ratio;
      const end = start + ratio;
      const index: number[] = [];
      const weight: number[] = [];
      for (let j = Math.floor(start); j < Math.min(Math.ceil(end), sourceLength); j += 1) {
        const overlap = Math.min(end, j + 1) - Math.max(start, j);
        if (overlap > 1e-9) {
          index.push(j);
          weight.push(overlap / ratio);
        }
      }
      axis.push({ index, weight });
    } else {
      const position = Math.min(Math.max((i + 0.5) * ratio - 0.5, 0), sourceLength - 1);
      const low = Math.floor(position);
      const high = Math.min(low + 1, sourceLength - 1);
      const fraction = position - low;
      axis.push(fraction === 0 ? { index: [low], weight: [1] } : { index: [low, high], weight: [1 - fraction, fraction] });
    }
  }
  return axis;
}

export function resizeImage(image: PixelImage, height: number, width: number): PixelImage & { data: Float32Array } {
  const { channels } = image;
  if (image.height === height && image.width === width) {
    return { width, height, channels, data: Float32Array.from(image.data) };
  }
  const columns = axisWeights(image.width, width);
  const rows = axisWeights(image.height, height);
  // Separable: resize every row horizontally, then every column vertically.
  const horizontal = new Float32Array(image.height * width * channels);
  for (let y = 0; y < image.height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const { index, weight } = columns[x]!;
      for (let c = 0; c < channels; c += 1) {
        let sum = 0;
        for (let k = 0; k < index.length; k += 1) sum += image.data[(y * image.width + index[k]!) * channels + c]! * weight[k]!;
        horizontal[(y * width + x) * channels + c] = sum;
      }
    }
  }
  const out = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y += 1) {
    const { index, weight } = rows[y]!;
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < channels; c += 1) {
        let sum = 0;
        for (let k = 0; k < index.length; k += 1) sum += horizontal[(index[k]! * width + x) * channels + c]! * weight[k]!;
        out[(y * width + x) * channels + c] = sum;
      }
    }
  }
  return { width, height, channels, data: out };
}
