/**
 * One training step of a softmax classifier, lean: the forward pass to the logits, the fused
 * loss-gradient-accuracy kernel, tfjs's automatic differentiation for the layers, and one fused
 * Adam update per variable. Loss and accuracy accumulate on the backend and are read only when
 * asked for. This replaces model.fit(), which runs about 195 kernels per MLP step (Adam's
 * per-variable arithmetic, the metric's bookkeeping, a read-back per batch) where this runs 49,
 * counting the kernels that kernels run inside themselves (tf.profile, as the bench does). Each
 * step numbers itself, and its Dropout layers draw that step's masks (one fused kernel each: see
 * ops/dropout.ts), which fit() could not: it reused one mask for the whole run.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSplit } from '../data/datasets.ts';
import { FusedAdam, registerAdamKernel, type AdamSettings } from '../ops/adam.ts';
import { registerDropoutKernel } from '../ops/dropout.ts';
import {
  RunningTotals,
  registerSoftmaxCrossEntropyKernel,
  sparseSoftmaxCrossEntropy,
  type LossAndAccuracy,
} from '../ops/softmaxCrossEntropy.ts';
import { batchRanges, batchTensors, type ImageShape } from './batches.ts';
import { classifierLogits, softmaxClassifier, type SoftmaxClassifier } from './classifier.ts';

/** Batch size of evaluation passes: large enough to amortise per-kernel cost, small enough for the CNN's activations. */
const EVALUATION_BATCH = 256;

export class ClassifierTrainer {
  private readonly classifier: SoftmaxClassifier;
  private readonly variables: tf.Variable[];
  private readonly optimizer: FusedAdam;
  /** Steps taken so far: the next step's number keys its dropout masks, so a seeded run repeats them. */
  private steps = 0;

  constructor(model: tf.Sequential, adam: AdamSettings) {
    registerAdamKernel();
    registerSoftmaxCrossEntropyKernel();
    registerDropoutKernel();
    this.classifier = softmaxClassifier(model);
    this.variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    this.optimizer = new FusedAdam(this.variables, adam);
  }

  /** The rate of the next steps (a schedule sets it between epochs). */
  set learningRate(rate: number) {
    this.optimizer.learningRate = rate;
  }

  /** One Adam step on a batch; adds the batch's loss and accuracy to `totals`. */
  trainBatch(images: tf.Tensor, labels: tf.Tensor1D, totals: RunningTotals): void {
    const pass = { training: true, step: ++this.steps } as const;
    const { value, grads } = tf.variableGrads(
      () => sparseSoftmaxCrossEntropy(classifierLogits(this.classifier, images, pass), labels, totals),
      this.variables,
    );
    this.optimizer.update(grads);
    tf.dispose([value, ...Object.values(grads)]);
  }

  /** Mean loss and accuracy over a whole split, in inference mode. */
  evaluate(split: ImageSplit, shape: ImageShape): LossAndAccuracy {
    const totals = new RunningTotals();
    try {
      for (const [start, end] of batchRanges(split.count, EVALUATION_BATCH)) {
        tf.tidy(() => {
          const [images, labels] = batchTensors(split, shape, start, end);
          sparseSoftmaxCrossEntropy(classifierLogits(this.classifier, images, { training: false }), labels, totals);
        });
      }
      return totals.read();
    } finally {
      totals.dispose();
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
