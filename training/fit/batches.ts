/**
 * Batches as tensors, built per step from the dataset's uint8 pixels: images scaled to 0–1 (the
 * lecture's preprocessing) as float32 [N, H, W, C], labels as float32 [N] (class indices, as fit() takes them). Building each batch
 * on demand keeps one batch of floats in memory instead of a shuffled float copy of the whole
 * training set per epoch (188 MB for MNIST).
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '../data/datasets.ts';

/** What the runtime needs to feed the model raw 0–255 pixels: input = pixel * scale + offset. */
export const PIXEL_SCALE = 1 / 255;

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * Samples `start` to `end` of `split` (in `order` when given: order[i] is the i-th sample to
 * take) as [images, labels].
 */
export function batchTensors(
  split: ImageSplit,
  shape: ImageShape,
  start: number,
  end: number,
  order?: Uint32Array,
): [tf.Tensor4D, tf.Tensor1D] {
  const pixels = shape.height * shape.width * shape.channels;
  const count = end - start;
  const images = new Float32Array(count * pixels);
  const labels = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const source = order ? order[start + i] : start + i;
    const from = source * pixels;
    const to = i * pixels;
    for (let p = 0; p < pixels; p++) images[to + p] = split.images[from + p] * PIXEL_SCALE;
    labels[i] = split.labels[source];
  }
  return [tf.tensor4d(images, [count, shape.height, shape.width, shape.channels]), tf.tensor1d(labels)];
}

/** A whole split as [images, labels] (in `order` when given). */
export function toTensors(split: ImageSplit, shape: ImageShape, order?: Uint32Array): [tf.Tensor4D, tf.Tensor1D] {
  return batchTensors(split, shape, 0, split.count, order);
}

/** The [start, end) ranges of consecutive batches over `count` samples; the last may be smaller. */
export function* batchRanges(count: number, batchSize: number): Generator<[number, number]> {
  for (let start = 0; start < count; start += batchSize) yield [start, Math.min(start + batchSize, count)];
}
