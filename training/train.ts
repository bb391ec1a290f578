/**
 * The training stage: data → model → fit → evaluate → save in the tfjs Layers format, plus
 * metrics.json. `train(options)` is the library entry; the CLI's `train` command is a thin layer.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic, ensureDirectory } from '../common/files.ts';
import { fileSystemSaver } from '../common/tfjsModelFiles.ts';
import { selectBackend, type BackendName } from './backends/select.ts';
import { loadDataset, type ImageDataset, type ImageSplit } from './data/datasets.ts';
import { buildModel, learningRateForEpoch } from './models.ts';
import { resolveTrainOptions, type TrainOptions } from './options.ts';
import { createReporter, type EpochFigures, type TrainingReporter } from './progress.ts';
import { createRandom, permutation } from './random.ts';

export interface TrainingMetrics {
  model: string;
  dataset: { name: string; directory: string; trainSamples: number; testSamples: number; classNames: string[] };
  backend: BackendName;
  seed: number;
  recipe: { epochs: number; batchSize: number; learningRate: number; optimizer: 'adam'; loss: 'sparseCategoricalCrossentropy' };
  history: (EpochFigures & { epoch: number; learningRate: number })[];
  test: { loss: number; accuracy: number };
  durations: { loadSeconds: number; trainSeconds: number; evaluateSeconds: number; saveSeconds: number; totalSeconds: number };
}

export interface TrainResult {
  metrics: TrainingMetrics;
  modelJsonPath: string;
  metricsPath: string;
}

/** What the runtime needs to feed the model raw 0–255 pixels: input = pixel * scale + offset. */
export const PIXEL_SCALE = 1 / 255;

export async function train(partialOptions: Partial<TrainOptions> = {}): Promise<TrainResult> {
  const options = resolveTrainOptions(partialOptions);
  const started = performance.now();
  const reporter = createReporter({ quiet: options.quiet });
  // Fail on an unwritable output directory before spending minutes on training.
  await ensureDirectory(options.out);
  const backend = await selectBackend(options.backend);
  reporter.line(`Backend: ${backend}${backend === 'tensorflow' ? ' (native TensorFlow via tfjs-node)' : ''}`);

  const dataset = await loadDataset({ dataset: options.dataset, dataDir: options.dataDir, limit: options.limit });
  const loadSeconds = secondsSince(started);
  reporter.line(`Dataset: ${dataset.name}, ${dataset.train.count} training and ${dataset.test.count} test images of ${dataset.height}×${dataset.width}×${dataset.channels}`);

  const model = buildModel(options.model, { height: dataset.height, width: dataset.width, channels: dataset.channels, classCount: dataset.classNames.length }, options.seed);
  const optimizer = tf.train.adam(options.learningRate);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });

  const trainStart = performance.now();
  const history = await fitEpochs(model, optimizer, dataset, options, reporter);
  const trainSeconds = secondsSince(trainStart);

  const evaluateStart = performance.now();
  const test = evaluate(model, dataset.test, dataset);
  const evaluateSeconds = secondsSince(evaluateStart);
  reporter.line(`Test Accuracy: ${(test.accuracy * 100).toFixed(2)}%`);

  const saveStart = performance.now();
  const modelDirectory = path.join(options.out, 'tfjs');
  model.setUserDefinedMetadata({
    labels: dataset.classNames,
    preprocess: { layout: 'NHWC', height: dataset.height, width: dataset.width, channels: dataset.channels, scale: PIXEL_SCALE, offset: 0 },
    dataset: dataset.name,
  });
  await model.save(fileSystemSaver(modelDirectory));
  model.dispose();
  const saveSeconds = secondsSince(saveStart);

  const metrics: TrainingMetrics = {
    model: options.model,
    dataset: { name: dataset.name, directory: dataset.directory, trainSamples: dataset.train.count, testSamples: dataset.test.count, classNames: dataset.classNames },
    backend,
    seed: options.seed,
    recipe: { epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate, optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' },
    history,
    test,
    durations: { loadSeconds, trainSeconds, evaluateSeconds, saveSeconds, totalSeconds: secondsSince(started) },
  };
  const metricsPath = path.join(options.out, 'metrics.json');
  await writeJsonAtomic(metricsPath, metrics);
  return { metrics, modelJsonPath: path.join(modelDirectory, 'model.json'), metricsPath };
}

async function fitEpochs(
  model: tf.LayersModel,
  optimizer: tf.AdamOptimizer,
  dataset: ImageDataset,
  options: TrainOptions,
  reporter: TrainingReporter,
): Promise<TrainingMetrics['history']> {
  const random = createRandom(options.seed);
  const validation = toTensors(dataset.test, dataset);
  const history: TrainingMetrics['history'] = [];
  const steps = Math.ceil(dataset.train.count / options.batchSize);
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      // Our own seeded shuffle (fit's is unseeded) makes a seeded run repeatable.
      const order = permutation(dataset.train.count, random);
      const [xs, ys] = toTensors(dataset.train, dataset, order);
      const learningRate = learningRateForEpoch(options.model, options.learningRate, epoch);
      // Adam reads its rate on every step, so setting it between epochs applies the schedule.
      (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
      const epochStart = performance.now();
      reporter.startEpoch(epoch + 1, options.epochs, steps);
      let result: tf.History;
      try {
        result = await model.fit(xs, ys, {
          batchSize: options.batchSize,
          epochs: epoch + 1,
          initialEpoch: epoch,
          shuffle: false,
          verbose: 0,
          validationData: validation,
          callbacks: { onBatchEnd: async (batch, logs) => reporter.step(batch + 1, logs?.loss ?? NaN, logs?.acc ?? NaN) },
        });
      } finally {
        tf.dispose([xs, ys]);
      }
      const figures: EpochFigures = {
        loss: last(result.history.loss),
        accuracy: last(result.history.acc),
        val_loss: last(result.history.val_loss),
        val_accuracy: last(result.history.val_acc),
        seconds: secondsSince(epochStart),
      };
      reporter.endEpoch(figures);
      history.push({ epoch: epoch + 1, learningRate, ...figures });
    }
  } finally {
    tf.dispose(validation);
  }
  return history;
}

function evaluate(model: tf.LayersModel, split: ImageSplit, dataset: ImageDataset): { loss: number; accuracy: number } {
  const [xs, ys] = toTensors(split, dataset);
  try {
    const [loss, accuracy] = model.evaluate(xs, ys, { batchSize: 256 }) as tf.Scalar[];
    const figures = { loss: loss.dataSync()[0], accuracy: accuracy.dataSync()[0] };
    tf.dispose([loss, accuracy]);
    return figures;
  } finally {
    tf.dispose([xs, ys]);
  }
}

/** Images as float32 [N, H, W, C] scaled to 0–1 (the lecture's preprocessing) and labels as float32 [N]. */
export function toTensors(split: ImageSplit, shape: { height: number; width: number; channels: number }, order?: Uint32Array): [tf.Tensor4D, tf.Tensor1D] {
  const pixels = shape.height * shape.width * shape.channels;
  const images = new Float32Array(split.count * pixels);
  const labels = new Float32Array(split.count);
  for (let i = 0; i < split.count; i++) {
    const source = order ? order[i] : i;
    const from = source * pixels;
    for (let p = 0; p < pixels; p++) images[i * pixels + p] = split.images[from + p] * PIXEL_SCALE;
    labels[i] = split.labels[source];
  }
  return [tf.tensor4d(images, [split.count, shape.height, shape.width, shape.channels]), tf.tensor1d(labels)];
}

function last(values: (number | tf.Tensor)[]): number {
  const value = values[values.length - 1];
  return typeof value === 'number' ? value : value.dataSync()[0];
}

function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
