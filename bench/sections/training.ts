/**
 * Training throughput: samples/s of the reference recipe (batch 32, Adam, sparse categorical
 * cross-entropy, accuracy metric — what train() compiles) for the MLP and the CNN on every tfjs
 * backend that loads. Each repetition is one fit() over a fixed number of steps, after untimed
 * warm-up steps that let tfjs compile its kernels and allocate.
 */
import * as tf from '@tensorflow/tfjs';
import { describeError } from '../../common/errors.ts';
import { BACKENDS, selectBackend, type BackendName } from '../../training/backends/select.ts';
import { loadDataset, type ImageDataset } from '../../training/data/datasets.ts';
import { toTensors } from '../../training/train.ts';
import type { SectionContext, TrainingData, TrainingRow } from '../results.ts';
import type { BenchSettings, ModelName } from '../settings.ts';
import { compileReferenceModel, firstSamples, fitOnce } from './recipe.ts';
import { spread } from '../stats.ts';

const MODELS: ModelName[] = ['mlp', 'cnn'];

export async function measureTraining(context: SectionContext): Promise<TrainingData> {
  const settings = context.settings.training;
  const dataset = await loadDataset({ limit: samplesNeeded(settings) });
  const data: TrainingData = {
    recipe: { batchSize: settings.batchSize, optimizer: 'adam', learningRate: settings.learningRate, loss: 'sparseCategoricalCrossentropy' },
    rows: [],
    skipped: [],
  };
  for (const backend of BACKENDS) {
    const unavailable = await activate(backend);
    for (const model of MODELS) {
      const plan = settings.plans[model][backend];
      const skipReason = unavailable ?? ('skip' in plan ? plan.skip : undefined);
      if (skipReason !== undefined || 'skip' in plan) {
        data.skipped.push({ model, backend, reason: skipReason ?? '' });
        process.stderr.write(`training: ${model} on ${backend} skipped: ${skipReason}\n`);
        continue;
      }
      const row = await timeTraining(model, backend, plan, dataset, settings);
      process.stderr.write(`training: ${model} on ${backend}: ${row.samplesPerSecond.median.toFixed(0)} samples/s\n`);
      data.rows.push(row);
    }
  }
  return data;
}

/** Switches tfjs to the backend; returns why it cannot be used, or undefined when it is active. */
async function activate(backend: BackendName): Promise<string | undefined> {
  try {
    await selectBackend(backend);
    return undefined;
  } catch (error) {
    // The first clause says what is missing; the rest (install hints, stack) is too long for a table cell.
    return `does not load here: ${describeError(error).split(/ \(|;|\n/)[0]}`;
  }
}

/** The most samples any plan feeds one fit() call; the training split is cut to that. */
function samplesNeeded(settings: BenchSettings['training']): number {
  const steps = Object.values(settings.plans).flatMap((byBackend) => Object.values(byBackend).map((plan) => ('skip' in plan ? 0 : Math.max(plan.steps, plan.warmupSteps))));
  return Math.max(...steps) * settings.batchSize;
}

async function timeTraining(
  name: ModelName,
  backend: BackendName,
  plan: { warmupSteps: number; steps: number; repetitions?: number },
  dataset: ImageDataset,
  settings: BenchSettings['training'],
): Promise<TrainingRow> {
  const compiled = compileReferenceModel(name, dataset, settings.learningRate);
  const warmup = toTensors(firstSamples(dataset.train, plan.warmupSteps * settings.batchSize, dataset), dataset);
  const timed = toTensors(firstSamples(dataset.train, plan.steps * settings.batchSize, dataset), dataset);
  try {
    await fitOnce(compiled.model, warmup, settings.batchSize);
    const samplesPerSecond: number[] = [];
    for (let repetition = 0; repetition < (plan.repetitions ?? settings.repetitions); repetition++) {
      const started = performance.now();
      await fitOnce(compiled.model, timed, settings.batchSize);
      samplesPerSecond.push((plan.steps * settings.batchSize) / ((performance.now() - started) / 1000));
    }
    return { model: name, backend, warmupSteps: plan.warmupSteps, steps: plan.steps, samplesPerSecond: spread(samplesPerSecond) };
  } finally {
    tf.dispose([...warmup, ...timed]);
    compiled.dispose();
  }
}
