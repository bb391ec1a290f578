import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../training/backends/select.ts';
import { loadDataset, type ImageDataset } from '../../../training/data/datasets.ts';
import { batchTensors } from '../../../training/fit/batches.ts';
import { ClassifierTrainer } from '../../../training/fit/trainer.ts';
import { buildModel } from '../../../training/models.ts';
import { ADAM_DEFAULTS } from '../../../training/ops/adam.ts';
import { RunningTotals } from '../../../training/ops/softmaxCrossEntropy.ts';

let mnist: ImageDataset;
const shape = { height: 28, width: 28, channels: 1, classCount: 10 };

beforeAll(async () => {
  await selectBackend('wasm');
  mnist = await loadDataset({ limit: 64 });
});

const weightsOf = (model: tf.LayersModel) => model.getWeights().map((weight) => Array.from(weight.dataSync()));

/** The loss of each of `steps` training steps on the same batch. */
function stepLosses(trainer: ClassifierTrainer, steps: number, batch = 16): number[] {
  const [images, labels] = batchTensors(mnist.train, mnist, 0, batch);
  const losses = [];
  for (let step = 0; step < steps; step++) {
    const totals = new RunningTotals();
    trainer.trainBatch(images, labels, totals);
    losses.push(totals.read().loss);
    totals.dispose();
  }
  tf.dispose([images, labels]);
  return losses;
}

describe('dropout in the lean training step', () => {
  it("sees the limitation it works around: tfjs's seeded Dropout layer drops the same units on every call", () => {
    const layer = tf.layers.dropout({ rate: 0.5, seed: 7 });
    const x = tf.ones([4, 64]);
    const [first, second] = [0, 1].map(() => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync()));
    expect(first.filter((value) => value === 0).length).toBeGreaterThan(64); // it does drop units...
    expect(second).toEqual(first); // ...but the same ones each time
  });

  it('drops different units at every step of a CNN', () => {
    const model = buildModel('cnn', shape, 2);
    const initial = weightsOf(model);
    // A zero learning rate keeps the weights: the same batch then has the same loss unless the mask changes.
    const trainer = new ClassifierTrainer(model, { learningRate: 0, ...ADAM_DEFAULTS });
    const losses = stepLosses(trainer, 3);
    expect(weightsOf(model)).toEqual(initial);
    expect(new Set(losses).size).toBe(3);
    // And evaluation drops nothing: its loss is none of the training steps'.
    const { loss } = trainer.evaluate({ ...mnist.train, count: 16 }, mnist);
    expect(losses).not.toContain(loss);
    expect(trainer.evaluate({ ...mnist.train, count: 16 }, mnist).loss).toBe(loss);
    trainer.dispose();
    model.dispose();
  });

  it('repeats a seeded run exactly: the same seed takes the same steps', () => {
    const run = (seed: number) => {
      const model = buildModel('cnn', shape, seed);
      const trainer = new ClassifierTrainer(model, { learningRate: 1e-3, ...ADAM_DEFAULTS });
      const losses = stepLosses(trainer, 3, 8);
      const weights = weightsOf(model);
      trainer.dispose();
      model.dispose();
      return { losses, weights };
    };
    const first = run(2);
    expect(run(2)).toEqual(first);
    expect(run(3).losses).not.toEqual(first.losses);
  });
});
