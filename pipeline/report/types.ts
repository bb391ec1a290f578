/**
 * The report's input: everything the pipeline has measured, as plain typed values. The report
 * only presents these facts; it computes nothing that another stage is the source of.
 */

import type { VariantsReport } from '../variants/types.ts';
import type { TrainingMetrics } from '../../training/metrics.ts';

/**
 * metrics.json is training's file (docs/architecture.md, contracts), so its types are training's: one epoch's
 * figures (`test_*` is the test set after the epoch, the lecture's validation_data; `val_*` only
 * with a validation split), the Keras-style model summary, and the whole file.
 */
export type { EpochRecord } from '../../training/fit/epochs.ts';
export type { LayerSummary, ModelSummary } from '../../training/summary.ts';

/**
 * metrics.json as validateMetricsJson() accepts it: training's type, with the backend and the loss
 * read as any name (the report shows them and does not depend on which). A figure that was NaN
 * (a diverged run; JSON stores it as null) reads as NaN.
 */
export type MetricsJson = Omit<TrainingMetrics, 'backend' | 'recipe'> & {
  backend: string;
  recipe: Omit<TrainingMetrics['recipe'], 'loss'> & { loss: string };
};
export type TrainingRecipe = MetricsJson['recipe'];
export type DatasetDescription = MetricsJson['dataset'];

/** The comparison of two runtimes' predictions on the same test samples. */
export interface ParityPair {
  a: string;
  b: string;
  samples: number;
  /** Fraction (0–1) of samples whose arg-max class is the same in both runtimes. */
  top1Agreement: number;
  /** Largest |Δp| over all samples and classes. */
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** Indices of the samples whose top-1 class differs. */
  disagreements: number[];
  worstSample: number;
  passed: boolean;
}

export interface ParityReport {
  thresholds: { minTop1Agreement: number; maxAbsDiff: number };
  pairs: ParityPair[];
  passed: boolean;
  /** Devices tried where available that could not run here (webgpu without an adapter), with why. */
  skipped?: { device: string; reason: string }[];
  /**
   * Outputs whose shape depends on the data (random parity of GraphModels: NMS boxes, a loop's
   * results): not per-sample rows, so compared by shape (equal on every runtime), then value by
   * value, their largest difference counted in each pair's maxAbsDiff.
   */
  wholeOutputs?: string[];
}

/** A test image the model got wrong; pixels are 0–255 in height × width × channels order. */
export interface MisclassifiedImage {
  index: number;
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
  trueLabel: string;
  predictedLabel: string;
  /** The model's probability for the predicted (wrong) class. */
  probability: number;
}

export interface StageSummary {
  stage: string;
  seconds: number;
  /** The stage's headline result in words, e.g. "test accuracy 98.1%". */
  figure: string;
}

export interface ReportInput {
  title: string;
  /** Training's record: recipe, dataset, model summary, history and test figures. */
  metrics: MetricsJson;
  /** confusion[true][predicted] counts on the test set, in the order of metrics.dataset.classNames. */
  confusion: number[][];
  /** Which model on which runtime made the confusion matrix's and the misclassified images' predictions, e.g. "model.onnx on onnxruntime-node". */
  predictedBy: string;
  misclassified: MisclassifiedImage[];
  parity?: ParityReport;
  /** The precision variants' figures (parity.json's `variants`). */
  variants?: VariantsReport;
  /** The manifest.json object, shown as readable tables. */
  manifest?: unknown;
  stages?: StageSummary[];
  generatedAt: string;
}
