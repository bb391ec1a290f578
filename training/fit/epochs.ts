/**
 * The epoch loop fit() ran, on the lean step: a seeded shuffle per epoch, the schedule's learning
 * rate, the progress bar, then the test set (and the held-out validation part, when there is one)
 * evaluated at the end of each epoch, as Keras does with validation_data.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '../data/datasets.ts';
import { RunningTotals, type LossAndAccuracy } from '../ops/softmaxCrossEntropy.ts';
import type { EpochFigures, TrainingReporter } from '../progress.ts';
import { createRandom, permutation } from '../random.ts';
import { batchRanges, batchTensors, type ImageShape } from './batches.ts';
import type { ClassifierTrainer } from './trainer.ts';

export interface EpochRecord extends EpochFigures {
  epoch: number;
  learningRate: number;
}

export interface EpochPlan {
  epochs: number;
  batchSize: number;
  seed: number;
  /** The learning rate of each epoch. */
  learningRates: number[];
}

export interface EpochData {
  shape: ImageShape;
  train: ImageSplit;
  validation?: ImageSplit;
  test: ImageSplit;
}

/** How often the loop lets the event loop run (the progress bar's timer, signal handlers): a few microseconds each time. */
const YIELD_MS = 100;

/** Trains for plan.epochs epochs and returns the history; `timing` collects the seconds spent evaluating. */
export async function fitEpochs(
  trainer: ClassifierTrainer,
  data: EpochData,
  plan: EpochPlan,
  reporter: TrainingReporter,
  timing = { evaluateSeconds: 0 },
): Promise<EpochRecord[]> {
  const random = createRandom(plan.seed);
  const steps = Math.ceil(data.train.count / plan.batchSize);
  const history: EpochRecord[] = [];
  for (let epoch = 0; epoch < plan.epochs; epoch++) {
    // Our own seeded shuffle (fit's is unseeded) makes a seeded run repeatable.
    const order = permutation(data.train.count, random);
    const learningRate = plan.learningRates[epoch];
    trainer.learningRate = learningRate;
    const epochStart = performance.now();
    reporter.startEpoch(epoch + 1, plan.epochs, steps);
    const totals = new RunningTotals();
    let training: LossAndAccuracy;
    let lastYield = performance.now();
    try {
      let step = 0;
      for (const [start, end] of batchRanges(data.train.count, plan.batchSize)) {
        const [images, labels] = batchTensors(data.train, data.shape, start, end, order);
        try {
          trainer.trainBatch(images, labels, totals);
        } finally {
          tf.dispose([images, labels]);
        }
        reporter.step(++step, () => totals.read());
        if (performance.now() - lastYield >= YIELD_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
      training = totals.read();
    } finally {
      totals.dispose();
    }
    const evaluateStart = performance.now();
    const validation = data.validation && trainer.evaluate(data.validation, data.shape);
    const test = trainer.evaluate(data.test, data.shape);
    timing.evaluateSeconds += secondsSince(evaluateStart);
    const figures: EpochFigures = {
      loss: training.loss,
      accuracy: training.accuracy,
      ...(validation && { val_loss: validation.loss, val_accuracy: validation.accuracy }),
      test_loss: test.loss,
      test_accuracy: test.accuracy,
      seconds: secondsSince(epochStart),
    };
    reporter.endEpoch(figures);
    history.push({ epoch: epoch + 1, learningRate, ...figures });
  }
  return history;
}

export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
