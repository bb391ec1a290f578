/**
 * The training stage: data → model → epochs → save the tfjs Layers model and metrics.json as one.
 * `train(options)` is the library entry; the CLI's `train` command is a thin layer.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Sequential } from '@tensorflow/tfjs';
import { ensureDirectory } from '../common/files.ts';
import { checkReplaceable, recoverInterruptedReplacements, replaceTogether } from '../common/replaceTogether.ts';
import { newFolderSaver } from '../common/tfjsModelFiles.ts';
import { selectBackend, type BackendName } from './backends/select.ts';
import { holdOutLast, loadDataset, type ImageDataset, type ImageSplit } from './data/datasets.ts';
import { PIXEL_SCALE } from './fit/batches.ts';
import { fitEpochs, secondsSince, type EpochRecord } from './fit/epochs.ts';
import { ClassifierTrainer } from './fit/trainer.ts';
import type { TrainingMetrics } from './metrics.ts';
import { buildModel, learningRateForEpoch } from './models.ts';
import { ADAM_DEFAULTS, type AdamSettings } from './ops/adam.ts';
import { resolveTrainOptions, type TrainOptions } from './options.ts';
import { createReporter, type TrainingReporter } from './progress.ts';
import { summarizeModel } from './summary.ts';

export type { TrainingMetrics } from './metrics.ts';
export { PIXEL_SCALE, toTensors } from './fit/batches.ts';

export interface TrainResult {
  metrics: TrainingMetrics;
  modelJsonPath: string;
  metricsPath: string;
}

const MODEL_FOLDER = 'tfjs';
const METRICS_FILE = 'metrics.json';
const OUTPUTS = [
  { name: MODEL_FOLDER, kind: 'directory' },
  { name: METRICS_FILE, kind: 'file' },
] as const;

export async function train(partialOptions: Partial<TrainOptions> = {}): Promise<TrainResult> {
  const options = resolveTrainOptions(partialOptions);
  const started = performance.now();
  const reporter = createReporter({ quiet: options.quiet });
  await prepareOutput(options.out);
  const backend = await selectBackend(options.backend);
  reporter.line(`Backend: ${backend}${backend === 'tensorflow' ? ' (native TensorFlow via tfjs-node)' : ''}`);

  const dataset = await loadDataset({ dataset: options.dataset, dataDir: options.dataDir, limit: options.limit });
  const splits = splitForValidation(dataset, options.validationSplit);
  const loadSeconds = secondsSince(started);
  reporter.line(
    `Dataset: ${dataset.name}, ${splits.train.count} training${splits.validation ? `, ${splits.validation.count} validation` : ''} and ${dataset.test.count} test images of ${dataset.height}×${dataset.width}×${dataset.channels}`,
  );

  const model = buildModel(
    options.model,
    { height: dataset.height, width: dataset.width, channels: dataset.channels, classCount: dataset.classNames.length },
    options.seed,
  );
  try {
    const fitted = await fitModel(model, dataset, splits, options, reporter);
    reporter.line(`Test Accuracy: ${(fitted.test.accuracy * 100).toFixed(2)}%`);
    const run: TrainingRun = { options, backend, dataset, splits, model, ...fitted, loadSeconds, started };
    return await saveTrainedModel(run);
  } finally {
    model.dispose();
  }
}

/**
 * Fails on an unwritable output directory before spending minutes on training, and finishes (or
 * discards) a save that a killed earlier run left half done.
 */
async function prepareOutput(out: string): Promise<void> {
  await ensureDirectory(out);
  await recoverInterruptedReplacements(out);
  await checkReplaceable(out, OUTPUTS);
}

interface Splits {
  train: ImageSplit;
  validation?: ImageSplit;
}

interface FitOutcome {
  history: EpochRecord[];
  test: { loss: number; accuracy: number };
  optimizer: AdamSettings;
  learningRates: number[];
  trainSeconds: number;
  evaluateSeconds: number;
}

/** Everything metrics.json describes, gathered as the run goes. */
interface TrainingRun extends FitOutcome {
  options: TrainOptions;
  backend: BackendName;
  dataset: ImageDataset;
  splits: Splits;
  model: Sequential;
  loadSeconds: number;
  started: number;
}

async function fitModel(
  model: Sequential,
  dataset: ImageDataset,
  splits: Splits,
  options: TrainOptions,
  reporter: TrainingReporter,
): Promise<FitOutcome> {
  const optimizer = { learningRate: options.learningRate, ...ADAM_DEFAULTS };
  const learningRates = Array.from({ length: options.epochs }, (_, epoch) =>
    learningRateForEpoch(options.model, options.learningRate, epoch),
  );
  const trainer = new ClassifierTrainer(model, optimizer);
  const timing = { evaluateSeconds: 0 };
  const trainStart = performance.now();
  let history: EpochRecord[];
  try {
    const data = { shape: dataset, train: splits.train, validation: splits.validation, test: dataset.test };
    history = await fitEpochs(
      trainer,
      data,
      { epochs: options.epochs, batchSize: options.batchSize, seed: options.seed, learningRates },
      reporter,
      timing,
    );
  } finally {
    trainer.dispose();
  }
  const last = history[history.length - 1]!;
  const test = { loss: last.test_loss, accuracy: last.test_accuracy };
  return { history, test, optimizer, learningRates, trainSeconds: secondsSince(trainStart), evaluateSeconds: timing.evaluateSeconds };
}

/** Saves the model folder and metrics.json as one: a kill at any moment leaves both old or both new. */
async function saveTrainedModel(run: TrainingRun): Promise<TrainResult> {
  const { options, dataset, model } = run;
  const saveStart = performance.now();
  model.setUserDefinedMetadata({
    labels: dataset.classNames,
    preprocess: { layout: 'NHWC', height: dataset.height, width: dataset.width, channels: dataset.channels, scale: PIXEL_SCALE, offset: 0 },
    dataset: dataset.name,
  });
  let metrics: TrainingMetrics | undefined;
  await replaceTogether(options.out, [
    { name: MODEL_FOLDER, kind: 'directory', write: async (staging) => void (await model.save(newFolderSaver(staging))) },
    {
      name: METRICS_FILE,
      kind: 'file',
      write: async (staging) => {
        metrics = describeRun(run, secondsSince(saveStart));
        await fs.writeFile(staging, `${JSON.stringify(metrics, null, 2)}\n`);
      },
    },
  ]);
  return {
    metrics: metrics!,
    modelJsonPath: path.join(options.out, MODEL_FOLDER, 'model.json'),
    metricsPath: path.join(options.out, METRICS_FILE),
  };
}

/** metrics.json's content; the save's own duration is known only once the model folder is written. */
function describeRun(run: TrainingRun, saveSeconds: number): TrainingMetrics {
  const { options, dataset, splits, optimizer } = run;
  return {
    model: options.model,
    dataset: {
      name: dataset.name,
      source: datasetSource(dataset, options.out),
      trainSamples: splits.train.count,
      validationSamples: splits.validation?.count ?? 0,
      testSamples: dataset.test.count,
      classNames: dataset.classNames,
      height: dataset.height,
      width: dataset.width,
      channels: dataset.channels,
    },
    backend: run.backend,
    seed: options.seed,
    recipe: {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      learningRateSchedule: run.learningRates,
      optimizer: { name: 'adam', beta1: optimizer.beta1, beta2: optimizer.beta2, epsilon: optimizer.epsilon },
      loss: 'sparseCategoricalCrossentropy',
      validationSplit: options.validationSplit ?? null,
      seed: options.seed,
    },
    summary: summarizeModel(run.model),
    history: run.history,
    test: run.test,
    durations: {
      loadSeconds: run.loadSeconds,
      trainSeconds: run.trainSeconds,
      evaluateSeconds: run.evaluateSeconds,
      saveSeconds,
      totalSeconds: secondsSince(run.started),
    },
  };
}

function splitForValidation(dataset: ImageDataset, fraction: number | undefined): Splits {
  if (fraction === undefined) return { train: dataset.train };
  return holdOutLast(dataset.train, fraction, dataset.height * dataset.width * dataset.channels);
}

/** Where the data came from, without an absolute path: the package, else the folder relative to the output. */
function datasetSource(dataset: ImageDataset, out: string): string {
  return dataset.package ?? (path.relative(path.resolve(out), dataset.directory) || '.');
}
