/**
 * The report's input: everything the pipeline has measured, as plain typed values. The report
 * only presents these facts; it computes nothing that another stage is the source of.
 */

/** One epoch of training, as metrics.json records it (accuracy as a fraction 0–1; val_* only with --validation-split). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  test_loss: number;
  test_accuracy: number;
  seconds: number;
}

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
  history: EpochRecord[];
  test: { loss: number; accuracy: number };
  labels: string[];
  /** confusion[true][predicted] counts on the test set. */
  confusion: number[][];
  misclassified: MisclassifiedImage[];
  parity?: ParityReport;
  /** The manifest.json object, shown as a table of files plus its other fields. */
  manifest?: unknown;
  stages?: StageSummary[];
  generatedAt: string;
}
