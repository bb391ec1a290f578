import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../training/backends/select.ts';
import { FusedAdam, registerAdamKernel } from '../../../training/ops/adam.ts';
import { RunningTotals, registerSoftmaxCrossEntropyKernel, sparseSoftmaxCrossEntropy } from '../../../training/ops/softmaxCrossEntropy.ts';
import type { Implementation } from '../../../training/ops/tensorMemory.ts';
import { createRandom } from '../../../training/random.ts';

const random = createRandom(11);
const randomArray = (count: number, scale = 1) => Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);

// The fused kernels run on wasm and cpu; 'ops' is the composite that tfjs-node runs.
const cases: [string, Implementation][] = [
  ['wasm', 'kernel'],
  ['cpu', 'kernel'],
  ['cpu', 'ops'],
];

beforeAll(async () => {
  await selectBackend('wasm'); // registers the wasm backend
  registerAdamKernel();
  registerSoftmaxCrossEntropyKernel();
});

describe.each(cases)('fused Adam on %s (%s)', (backend, implementation) => {
  it("takes the same steps as tfjs's AdamOptimizer", async () => {
    await selectBackend(backend);
    const shapes = [[7, 5], [5], [3, 2, 4]];
    const initial = shapes.map((shape) => randomArray(shape.reduce((a, b) => a * b, 1)));
    const ours = shapes.map((shape, i) => tf.variable(tf.tensor(initial[i], shape), true, `ours${backend}${implementation}${i}`));
    const theirs = shapes.map((shape, i) => tf.variable(tf.tensor(initial[i], shape), true, `theirs${backend}${implementation}${i}`));
    const fused = new FusedAdam(ours, { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, implementation);
    const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    for (let step = 0; step < 6; step++) {
      const gradients = shapes.map((shape) =>
        tf.tensor(
          randomArray(
            shape.reduce((a, b) => a * b, 1),
            0.5,
          ),
          shape,
        ),
      );
      fused.update(Object.fromEntries(ours.map((variable, i) => [variable.name, gradients[i]])));
      reference.applyGradients(theirs.map((variable, i) => ({ name: variable.name, tensor: gradients[i] })));
      tf.dispose(gradients);
    }
    for (let i = 0; i < shapes.length; i++) {
      expect(ours[i].shape).toEqual(shapes[i]);
      expect(maxAbsDiff(ours[i].dataSync(), theirs[i].dataSync())).toBeLessThan(1e-6);
      // Six steps of 0.01 moved every weight: the comparison is not between two unchanged copies.
      expect(maxAbsDiff(ours[i].dataSync(), initial[i])).toBeGreaterThan(0.01);
    }
    fused.dispose();
    reference.dispose();
    tf.dispose([...ours, ...theirs]);
  });

  it('keeps its moments across a tidy and frees them on dispose', async () => {
    await selectBackend(backend);
    const variable = tf.variable(tf.ones([4]), true, `tidy${backend}${implementation}`);
    const before = tf.memory().numTensors;
    const fused = new FusedAdam([variable], { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, implementation);
    for (let step = 0; step < 3; step++) tf.tidy(() => fused.update({ [variable.name]: tf.fill([4], 1) }));
    expect(tf.memory().numTensors).toBe(before + 2);
    fused.dispose();
    expect(tf.memory().numTensors).toBe(before);
    variable.dispose();
  });
});

describe.each(cases)('sparse softmax cross-entropy on %s (%s)', (backend, implementation) => {
  it("gives tfjs's softmax cross-entropy from logits and its gradient, and counts correct predictions", async () => {
    await selectBackend(backend);
    const [batch, classes] = [6, 4];
    const logits = tf.tensor2d(randomArray(batch * classes, 5), [batch, classes]);
    const labels = tf.tensor1d([0, 3, 1, 1, 2, 3], 'int32');
    const totals = new RunningTotals();
    const ours = tf.valueAndGrad((x: tf.Tensor) => sparseSoftmaxCrossEntropy(x as tf.Tensor2D, labels, totals, implementation))(logits);
    const theirs = tf.valueAndGrad((x: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), x) as tf.Scalar)(logits);
    expect(ours.value.dataSync()[0]).toBeCloseTo(theirs.value.dataSync()[0], 5);
    expect(maxAbsDiff(ours.grad.dataSync(), theirs.grad.dataSync())).toBeLessThan(1e-6);
    const predicted = Array.from(tf.argMax(logits, 1).dataSync());
    const correct = predicted.filter((p, i) => p === labels.dataSync()[i]).length;
    expect(totals.read()).toEqual({ loss: expect.closeTo(theirs.value.dataSync()[0], 5), accuracy: correct / batch, samples: batch });
    totals.dispose();
  });

  it('accumulates the mean loss and accuracy over batches of different sizes without rounding drift', async () => {
    await selectBackend(backend);
    const totals = new RunningTotals();
    let lossSum = 0;
    let correct = 0;
    let samples = 0;
    for (let batchIndex = 0; batchIndex < 300; batchIndex++) {
      const batch = 1 + (batchIndex % 5);
      tf.tidy(() => {
        const logits = tf.tensor2d(randomArray(batch * 3, 3), [batch, 3]);
        const labels = tf.tensor1d(
          Array.from({ length: batch }, (_, i) => (batchIndex + i) % 3),
          'int32',
        );
        const loss = sparseSoftmaxCrossEntropy(logits, labels, totals, implementation);
        lossSum += loss.dataSync()[0] * batch;
        const predicted = tf.argMax(logits, 1).dataSync();
        labels.dataSync().forEach((label, i) => {
          correct += predicted[i] === label ? 1 : 0;
        });
        samples += batch;
      });
    }
    const figures = totals.read();
    expect(figures.samples).toBe(samples);
    expect(figures.accuracy).toBe(correct / samples);
    expect(Math.abs(figures.loss - lossSum / samples) / (lossSum / samples)).toBeLessThan(implementation === 'kernel' ? 1e-6 : 1e-5);
    totals.dispose();
  });
});
