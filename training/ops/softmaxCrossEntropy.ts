/**
 * Sparse softmax cross-entropy from logits, its gradient and the batch's accuracy in one kernel,
 * accumulating the epoch's loss and accuracy on the backend. fit() computes the loss from the
 * softmax output (normalise, clip, log, one-hot, mean: a dozen kernels and their gradients) and
 * the accuracy metric (argMax, equal, cast, mean), then reads both back to JavaScript after every
 * batch. Here the loss of a softmax layer is taken from its logits (log-sum-exp, as PyTorch's
 * CrossEntropyLoss and TensorFlow's from_logits do), its gradient (softmax − one-hot) / batch is
 * computed in the same pass, and the running totals stay in a tensor that is read only when
 * someone looks (a progress-bar refresh, the end of the epoch).
 */
import * as tf from '@tensorflow/tfjs';
import { implementationOf, registerJsKernel, type Implementation, type Values } from './tensorMemory.ts';

const KERNEL = 'TfjsOnnxSparseSoftmaxCrossEntropy';

/**
 * The running totals tensor: the loss sum as a float32 pair (high and low parts, so 60,000
 * additions lose nothing to rounding), the number of correct predictions, the number of samples.
 */
const TOTALS_LENGTH = 4;

export function registerSoftmaxCrossEntropyKernel(): void {
  registerJsKernel<Record<string, never>>(
    KERNEL,
    ['logits', 'labels', 'totals'],
    ([logits]) => [
      { shape: [], dtype: 'float32' },
      { shape: [...logits.shape], dtype: 'float32' },
      { shape: [TOTALS_LENGTH], dtype: 'float32' },
    ],
    ([logits, labels, totals], [loss, backprop, newTotals]) => softmaxCrossEntropy(logits, labels, totals, loss, backprop, newTotals),
  );
}

function softmaxCrossEntropy(logits: Values, labels: Values, totals: Values, loss: Values, backprop: Values, newTotals: Values): void {
  const batch = labels.length;
  const classes = logits.length / batch;
  let lossSum = 0;
  let correct = 0;
  for (let row = 0; row < batch; row++) {
    const offset = row * classes;
    const label = labels[row];
    if (!(label >= 0 && label < classes)) throw new RangeError(`label ${label} is outside the model's ${classes} classes`);
    let max = -Infinity;
    let predicted = 0;
    for (let c = 0; c < classes; c++) {
      if (logits[offset + c] > max) {
        max = logits[offset + c];
        predicted = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(logits[offset + c] - max);
      backprop[offset + c] = e;
      sum += e;
    }
    for (let c = 0; c < classes; c++) backprop[offset + c] = (backprop[offset + c] / sum - (c === label ? 1 : 0)) / batch;
    lossSum += max + Math.log(sum) - logits[offset + label];
    if (predicted === label) correct++;
  }
  loss[0] = lossSum / batch;
  const total = totals[0] + totals[1] + lossSum;
  newTotals[0] = total;
  newTotals[1] = total - newTotals[0];
  newTotals[2] = totals[2] + correct;
  newTotals[3] = totals[3] + batch;
}

/** The same outputs as standard tfjs ops, for backends without the fused kernel. */
function softmaxCrossEntropyOps(logits: tf.Tensor2D, labels: tf.Tensor1D, totals: tf.Tensor1D): tf.Tensor[] {
  return tf.tidy(() => {
    const [batch, classes] = logits.shape;
    const logProbabilities = tf.logSoftmax(logits);
    const indices = tf.cast(labels, 'int32');
    const oneHot = tf.oneHot(indices, classes);
    const lossSum = tf.neg(tf.sum(tf.mul(oneHot, logProbabilities)));
    const backprop = tf.div(tf.sub(tf.exp(logProbabilities), oneHot), batch);
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), indices), 'float32'));
    const batchTotals = tf.stack([lossSum, tf.scalar(0), correct, tf.scalar(batch)]);
    return [tf.div(lossSum, batch), backprop, tf.add(totals, batchTotals)];
  });
}

export interface LossAndAccuracy {
  loss: number;
  accuracy: number;
  samples: number;
}

/** The loss and accuracy accumulated over the batches seen so far, kept on the backend. */
export class RunningTotals {
  private totals: tf.Tensor1D = tf.keep(tf.zeros([TOTALS_LENGTH]));

  /** Mean loss and accuracy so far: the one read-back from the backend. */
  read(): LossAndAccuracy {
    const [high, low, correct, samples] = this.totals.dataSync();
    return { loss: (high + low) / samples, accuracy: correct / samples, samples };
  }

  /** Internal: the loss op hands over the updated totals. */
  replace(totals: tf.Tensor1D): void {
    this.totals.dispose();
    this.totals = tf.keep(totals);
  }

  get tensor(): tf.Tensor1D {
    return this.totals;
  }

  dispose(): void {
    this.totals.dispose();
  }
}

/**
 * The batch's mean cross-entropy of softmax(logits) against class-index labels (int32 or float32), differentiable with
 * respect to the logits; adds the batch's loss and accuracy to `totals` as a side effect.
 */
export function sparseSoftmaxCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  totals: RunningTotals,
  implementation: Implementation = implementationOf(KERNEL),
): tf.Scalar {
  const lossOfLogits = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const [loss, backprop, newTotals] =
      implementation === 'kernel'
        ? (tf.engine().runKernel(KERNEL, { logits: input, labels, totals: totals.tensor }) as tf.Tensor[])
        : softmaxCrossEntropyOps(input, labels, totals.tensor);
    totals.replace(newTotals as tf.Tensor1D);
    save([backprop]);
    return { value: loss as tf.Scalar, gradFunc: (dy, [saved]) => tf.mul(dy, saved) };
  });
  return lossOfLogits(logits) as tf.Scalar;
}
