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

/**
 * Converts channels and size to the target in one pass; returns height × width × channels floats in
 * 0–255. Channels are converted as each source pixel is read, so nothing the size of the source
 * is allocated: memory is source height × target width plus the target.
 */
export function fitImage(image: PixelImage, target: TargetSize): Float32Array {
  checkChannels(image.channels, target.channels);
  return resample(image, target.height, target.width, target.channels);
}

function checkChannels(from: number, to: number): void {
  if (![1, 2, 3, 4].includes(from)) throw new RuntimeInputError(`images must have 1 to 4 channels, got ${from}`);
  if (![1, 3, 4].includes(to))
    throw new RuntimeInputError(`cannot convert images to ${to} channels; pass pixels or Float32Array input for this model`);
}

/**
 * Converts between gray (1), gray+alpha (2), RGB (3) and RGBA (4). Alpha is dropped, not composited:
 * a classifier trained on opaque images has no use for it.
 */
export function convertChannels(image: PixelImage, channels: number): PixelImage & { data: Float32Array } {
  const { width, height, channels: from } = image;
  checkChannels(from, channels);
  const out = new Float32Array(width * height * channels);
  const pixel = new Float32Array(channels);
  for (let p = 0; p < width * height; p += 1) {
    readPixel(image, p, channels, pixel);
    out.set(pixel, p * channels);
  }
  return { width, height, channels, data: out };
}

/** Source pixel `p` of `image` converted to `channels` channels, written into `out`. */
function readPixel(image: PixelImage, p: number, channels: number, out: Float32Array): void {
  const { channels: from, data } = image;
  const s = p * from;
  if (from === channels) {
    for (let c = 0; c < channels; c += 1) out[c] = data[s + c]!;
    return;
  }
  const r = data[s]!;
  if (from <= 2) {
    // Gray (with or without alpha) → gray, RGB or RGBA.
    if (channels === 1) out[0] = r;
    else {
      out[0] = r;
      out[1] = r;
      out[2] = r;
      if (channels === 4) out[3] = from === 2 ? data[s + 1]! : 255;
    }
    return;
  }
  const g = data[s + 1]!;
  const b = data[s + 2]!;
  if (channels === 1) {
    // ITU-R BT.601 luma, the weights of PIL's 'L' mode and tf.image.rgbToGrayscale.
    out[0] = 0.299 * r + 0.587 * g + 0.114 * b;
    return;
  }
  out[0] = r;
  out[1] = g;
  out[2] = b;
  if (channels === 4) out[3] = from === 4 ? data[s + 3]! : 255;
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
  if (![1, 2, 3, 4].includes(image.channels)) throw new RuntimeInputError(`images must have 1 to 4 channels, got ${image.channels}`);
  return { width, height, channels: image.channels, data: resample(image, height, width, image.channels) };
}

/** Separable resize with channel conversion on read: every row horizontally, then every column vertically. */
function resample(image: PixelImage, height: number, width: number, channels: number): Float32Array {
  const sameChannels = image.channels === channels;
  if (image.height === height && image.width === width && sameChannels) return Float32Array.from(image.data);
  const columns = axisWeights(image.width, width);
  const rows = axisWeights(image.height, height);
  const pixel = new Float32Array(channels);
  const sum = new Float64Array(channels);
  const horizontal = new Float32Array(image.height * width * channels);
  for (let y = 0; y < image.height; y += 1) {
    const rowStart = y * image.width;
    for (let x = 0; x < width; x += 1) {
      const { index, weight } = columns[x]!;
      sum.fill(0);
      for (let k = 0; k < index.length; k += 1) {
        readPixel(image, rowStart + index[k]!, channels, pixel);
        for (let c = 0; c < channels; c += 1) sum[c]! += pixel[c]! * weight[k]!;
      }
      const o = (y * width + x) * channels;
      for (let c = 0; c < channels; c += 1) horizontal[o + c] = sum[c]!;
    }
  }
  const out = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y += 1) {
    const { index, weight } = rows[y]!;
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < channels; c += 1) {
        let total = 0;
        for (let k = 0; k < index.length; k += 1) total += horizontal[(index[k]! * width + x) * channels + c]! * weight[k]!;
        out[(y * width + x) * channels + c] = total;
      }
    }
  }
  return out;
}
