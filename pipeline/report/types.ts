/**
 * The report's input: everything the pipeline has measured, as plain typed values. The report
 * only presents these facts; it computes nothing that another stage is the source of.
 */

/**
 * One epoch of training as metrics.json records it (CONTRACTS.md §4; accuracies are fractions
 * 0–1). `test_*` is the test set evaluated after the epoch, which the lecture passes to fit() as
 * validation_data; `val_*` exists only when training held out a validation split. A value that
 * was NaN (a diverged run) is stored as JSON null and reads as NaN here.
 */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  test_loss: number;
  test_accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  learningRate: number;
  seconds: number;
}

/** One row of the Keras-style model summary. */
export interface LayerSummary {
  name: string;
  className: string;
  /** Keras' output shape; null is the batch (or another unknown) dimension. */
  outputShape: (number | null)[];
  params: number;
  trainable: boolean;
}

export interface ModelSummary {
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export interface TrainingRecipe {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** The learning rate used in each epoch, first epoch first. */
  learningRateSchedule: number[];
  optimizer: { name: 'adam'; beta1: number; beta2: number; epsilon: number };
  loss: string;
  /** The held-out last fraction of the training data (Keras' validation_split), or null for none. */
  validationSplit: number | null;
  seed: number;
}

export interface DatasetDescription {
  name: string;
  /** Where the data came from: a name, or a path relative to the artifacts folder (never absolute). */
  source: string;
  trainSamples: number;
  validationSamples: number;
  testSamples: number;
  classNames: string[];
  height: number;
  width: number;
  channels: number;
}

/** Training's metrics.json (CONTRACTS.md §4), as validateMetricsJson() accepts it. */
export interface MetricsJson {
  model: string;
  dataset: DatasetDescription;
  backend: string;
  seed: number;
  recipe: TrainingRecipe;
  summary: ModelSummary;
  history: EpochRecord[];
  test: { loss: number; accuracy: number };
  durations: { loadSeconds: number; trainSeconds: number; evaluateSeconds: number; saveSeconds: number; totalSeconds: number };
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
  /** Training's record: recipe, dataset, model summary, history and test figures. */
  metrics: MetricsJson;
  /** confusion[true][predicted] counts on the test set, in the order of metrics.dataset.classNames. */
  confusion: number[][];
  /** Which model on which runtime made the confusion matrix's and the misclassified images' predictions, e.g. "model.onnx on onnxruntime-node". */
  predictedBy: string;
  misclassified: MisclassifiedImage[];
  parity?: ParityReport;
  /** The manifest.json object, shown as readable tables. */
  manifest?: unknown;
  stages?: StageSummary[];
  generatedAt: string;
}
