/**
 * The reference training recipe as train() runs it — the seeded architecture, Adam, sparse
 * categorical cross-entropy with an accuracy metric, unshuffled epochs — for the sections that
 * train: the timing of training and the quick models the other sections measure.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset, ImageSplit } from '../../training/data/datasets.ts';
import { buildModel } from '../../training/models.ts';
import { TRAIN_DEFAULTS } from '../../training/options.ts';

export interface CompiledModel {
  model: tf.LayersModel;
  dispose(): void;
}

export function compileReferenceModel(name: string, dataset: ImageDataset, learningRate: number): CompiledModel {
  const model = buildModel(name, { height: dataset.height, width: dataset.width, channels: dataset.channels, classCount: dataset.classNames.length }, TRAIN_DEFAULTS.seed);
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return {
    model,
    dispose() {
      model.dispose();
      // compile() does not own an optimizer it was handed, so its Adam moments are freed here.
      optimizer.dispose();
    },
  };
}

/** One epoch over the given tensors, unshuffled and silent, as train() runs each epoch (without its validation pass). */
export async function fitOnce(model: tf.LayersModel, [xs, ys]: [tf.Tensor, tf.Tensor], batchSize: number): Promise<void> {
  await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
}

export function firstSamples(split: ImageSplit, count: number, shape: { height: number; width: number; channels: number }): ImageSplit {
  const pixels = shape.height * shape.width * shape.channels;
  return { images: split.images.subarray(0, count * pixels), labels: split.labels.subarray(0, count), count };
}
