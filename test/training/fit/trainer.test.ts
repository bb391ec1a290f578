import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../training/backends/select.ts';
import { loadDataset, type ImageDataset } from '../../../training/data/datasets.ts';
import { batchTensors } from '../../../training/fit/batches.ts';
import { softmaxClassifier } from '../../../training/fit/classifier.ts';
import { ClassifierTrainer } from '../../../training/fit/trainer.ts';
import { buildModel, MODEL_NAMES } from '../../../training/models.ts';
import { ADAM_DEFAULTS } from '../../../training/ops/adam.ts';
import { RunningTotals } from '../../../training/ops/softmaxCrossEntropy.ts';

let mnist: ImageDataset;
const shape = { height: 28, width: 28, channels: 1, classCount: 10 };

beforeAll(async () => {
  await selectBackend('wasm');
  mnist = await loadDataset({ limit: 320 });
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

describe('the lean training step', () => {
  it('takes the same Adam steps from the same initial weights as model.fit() with the same recipe', async () => {
    const steps = 5;
    const ours = buildModel('mlp', shape, 2);
    const theirs = buildModel('mlp', shape, 2);
    expect(weightsOf(ours)).toEqual(weightsOf(theirs));

    const trainer = new ClassifierTrainer(ours, { learningRate: 1e-3, ...ADAM_DEFAULTS });
    const totals = new RunningTotals();
    for (let step = 0; step < steps; step++) {
      const [images, labels] = batchTensors(mnist.train, mnist, step * 32, (step + 1) * 32);
      trainer.trainBatch(images, labels, totals);
      tf.dispose([images, labels]);
    }
    const optimizer = tf.train.adam(1e-3);
    theirs.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const [xs, ys] = batchTensors(mnist.train, mnist, 0, steps * 32);
    const history = await theirs.fit(xs, ys, { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 });

    // Early in training no probability is near fit()'s clipping bounds, so the loss from logits has
    // the same gradient as fit()'s loss from probabilities: the weights agree to float rounding.
    const [a, b] = [weightsOf(ours), weightsOf(theirs)];
    const largestDifference = Math.max(...a.flatMap((weight, i) => weight.map((value, j) => Math.abs(value - b[i][j]))));
    expect(largestDifference).toBeLessThan(2e-6);
    expect(largestDifference).toBeGreaterThan(0); // two implementations, not one twice
    const initial = weightsOf(buildModel('mlp', shape, 2));
    expect(Math.max(...a[0].map((value, j) => Math.abs(value - initial[0][j])))).toBeGreaterThan(1e-3); // the steps moved the weights
    // And the epoch's loss and accuracy are fit()'s.
    const figures = totals.read();
    expect(figures.loss).toBeCloseTo(history.history.loss[0] as number, 5);
    expect(figures.accuracy).toBeCloseTo(history.history.acc[0] as number, 6);
    tf.dispose([xs, ys]);
    trainer.dispose();
    optimizer.dispose();
  });

  it('runs the fused kernels on wasm: a few dozen kernels per MLP step instead of fit()’s ~195', async () => {
    const model = buildModel('mlp', shape, 2);
    const trainer = new ClassifierTrainer(model, { learningRate: 1e-3, ...ADAM_DEFAULTS });
    const totals = new RunningTotals();
    const [images, labels] = batchTensors(mnist.train, mnist, 0, 32);
    trainer.trainBatch(images, labels, totals);
    const profile = await tf.profile(() => trainer.trainBatch(images, labels, totals));
    const names = profile.kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name === 'TfjsOnnxAdamUpdate')).toHaveLength(4); // one per variable
    expect(names.filter((name) => name === 'TfjsOnnxSparseSoftmaxCrossEntropy')).toHaveLength(1);
    // Adam's and the metric's elementwise arithmetic is gone.
    for (const gone of ['RealDiv', 'Sqrt', 'Square', 'ArgMax', 'Equal', 'Log', 'OneHot']) expect(names).not.toContain(gone);
    expect(names.length).toBeLessThan(60);
    tf.dispose([images, labels]);
    totals.dispose();
    trainer.dispose();
  });

  it("draws the CNN's dropout in one fused kernel instead of tf.dropout's add, floor, divide and multiply", async () => {
    const model = buildModel('cnn', shape, 2);
    const trainer = new ClassifierTrainer(model, { learningRate: 1e-3, ...ADAM_DEFAULTS });
    const totals = new RunningTotals();
    const [images, labels] = batchTensors(mnist.train, mnist, 0, 8);
    trainer.trainBatch(images, labels, totals);
    const names = (await tf.profile(() => trainer.trainBatch(images, labels, totals))).kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name === 'TfjsOnnxDropout')).toHaveLength(1);
    for (const gone of ['Floor', 'RealDiv']) expect(names).not.toContain(gone);
    tf.dispose([images, labels]);
    totals.dispose();
    trainer.dispose();
    model.dispose();
  });

  it('leaks no tensors across steps and evaluations', () => {
    const model = buildModel('cnn', shape, 3);
    const trainer = new ClassifierTrainer(model, { learningRate: 1e-3, ...ADAM_DEFAULTS });
    const totals = new RunningTotals();
    const step = () => {
      const [images, labels] = batchTensors(mnist.train, mnist, 0, 8);
      trainer.trainBatch(images, labels, totals);
      tf.dispose([images, labels]);
    };
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    trainer.evaluate({ ...mnist.train, count: 20 }, mnist);
    expect(tf.memory().numTensors).toBe(before);
    totals.dispose();
    trainer.dispose();
  });

  it('accepts every registered model and refuses a model that does not end in Dense(softmax)', () => {
    for (const name of MODEL_NAMES) expect(() => softmaxClassifier(buildModel(name, shape, 1))).not.toThrow();
    const sigmoid = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'sigmoid' })] });
    expect(() => softmaxClassifier(sigmoid)).toThrow(/needs a last layer Dense with softmax activation, found Dense \(sigmoid\)/);
    const regularized = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3, kernelRegularizer: tf.regularizers.l2(), name: 'regularized' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    expect(() => softmaxClassifier(regularized)).toThrow(
      /layer regularized uses kernelRegularizer, which the training loop does not apply/,
    );
    const withHead = (layer: tf.layers.Layer) =>
      tf.sequential({
        layers: [tf.layers.dense({ inputShape: [4], units: 3 }), layer, tf.layers.dense({ units: 2, activation: 'softmax' })],
      });
    expect(() => softmaxClassifier(withHead(tf.layers.gaussianNoise({ stddev: 0.1, name: 'noise' })))).toThrow(
      /layer noise is GaussianNoise, whose training noise the training loop does not draw/,
    );
    expect(() => softmaxClassifier(withHead(tf.layers.dropout({ rate: 0.5, noiseShape: [1, 3], name: 'shared' })))).toThrow(
      /layer shared uses noiseShape, which the training loop does not apply/,
    );
  });
});

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
