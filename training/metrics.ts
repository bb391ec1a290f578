/**
 * metrics.json: what a training run measured and how it was set up, for the report and for
 * people. Written by train(); its shape is a contract with the report
 * (docs/architecture.md, contracts). No field holds an absolute path.
 */
import type { BackendName } from './backends/select.ts';
import type { EpochRecord } from './fit/epochs.ts';
import type { ModelSummary } from './summary.ts';

export interface TrainingMetrics {
  model: string;
  dataset: {
    name: string;
    /** The package the files come from, or their folder relative to the output folder. */
    source: string;
    trainSamples: number;
    /** Held out by --validation-split (0 without it). */
    validationSamples: number;
    testSamples: number;
    classNames: string[];
    height: number;
    width: number;
    channels: number;
  };
  backend: BackendName;
  seed: number;
  recipe: {
    epochs: number;
    batchSize: number;
    learningRate: number;
    /** The learning rate of each epoch. */
    learningRateSchedule: number[];
    optimizer: { name: 'adam'; beta1: number; beta2: number; epsilon: number };
    loss: 'sparseCategoricalCrossentropy';
    validationSplit: number | null;
    seed: number;
  };
  summary: ModelSummary;
  /**
   * Per epoch: loss and accuracy (training, mean over the epoch), test_loss and test_accuracy
   * (the test set after the epoch: the lecture's validation_data), val_loss and val_accuracy
   * only with --validation-split, the epoch's learning rate and seconds (test evaluation included).
   */
  history: EpochRecord[];
  /** The test set after the last epoch. */
  test: { loss: number; accuracy: number };
  durations: {
    loadSeconds: number;
    /** The epochs, including the evaluations after each. */
    trainSeconds: number;
    /** The part of trainSeconds spent evaluating the test set and the validation part. */
    evaluateSeconds: number;
    saveSeconds: number;
    totalSeconds: number;
  };
}
