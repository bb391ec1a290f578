/**
 * The reference training recipe as train() runs it — the seeded architecture, Adam, sparse
 * categorical cross-entropy — for the sections that train: the timing of training and the quick
 * models the other sections measure. Two ways to run it: train()'s own lean trainer (fused Adam
 * and loss kernels), and model.fit() with an accuracy metric and unshuffled epochs, the step
 * train() used before.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset, ImageSplit } from '../../training/data/datasets.ts';
import { batchTensors } from '../../training/fit/batches.ts';
import { ClassifierTrainer } from '../../training/fit/trainer.ts';
import { buildModel } from '../../training/models.ts';
import { ADAM_DEFAULTS } from '../../training/ops/adam.ts';
import { RunningTotals } from '../../training/ops/softmaxCrossEntropy.ts';
import { TRAIN_DEFAULTS } from '../../training/options.ts';

export interface CompiledModel {
  model: tf.LayersModel;
  dispose(): void;
}

/** The architecture `name` with train()'s seeded initial weights, shaped for the dataset. */
function seededModel(name: string, dataset: ImageDataset): tf.Sequential {
  return buildModel(
    name,
    { height: dataset.height, width: dataset.width, channels: dataset.channels, classCount: dataset.classNames.length },
    TRAIN_DEFAULTS.seed,
  );
}

/** train()'s trainer (Adam with its defaults) on a fresh seeded model; dispose both. */
export function seededTrainer(
  name: string,
  dataset: ImageDataset,
  learningRate: number,
): { model: tf.Sequential; trainer: ClassifierTrainer } {
  const model = seededModel(name, dataset);
  return { model, trainer: new ClassifierTrainer(model, { learningRate, ...ADAM_DEFAULTS }) };
}

/** A lean trainer on a fresh seeded model, as train() builds it. */
export function leanTrainer(name: string, dataset: ImageDataset, learningRate: number) {
  const { model, trainer } = seededTrainer(name, dataset, learningRate);
  const totals = new RunningTotals();
  return {
    /** `steps` steps over the first samples, as train()'s epoch loop runs them (a tensor pair built per batch). */
    run(steps: number, batchSize: number) {
      for (let step = 0; step < steps; step++) {
        const [images, labels] = batchTensors(dataset.train, dataset, step * batchSize, (step + 1) * batchSize);
        trainer.trainBatch(images, labels, totals);
        tf.dispose([images, labels]);
      }
      totals.read(); // the epoch's one read-back
    },
    dispose() {
      totals.dispose();
      trainer.dispose();
      model.dispose();
    },
  };
}

/** model.fit() on a fresh seeded model, compiled as train() compiled it before it had its own step. */
export function compileReferenceModel(name: string, dataset: ImageDataset, learningRate: number): CompiledModel {
  const model = seededModel(name, dataset);
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
