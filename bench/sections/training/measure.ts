/**
 * Training speed, three ways, each measured side by side in this one process tree:
 * - samples/s of train()'s step (the lean trainer: fused Adam and loss kernels) for the MLP and
 *   the CNN on every tfjs backend that loads, and on wasm paired with the model.fit() step it
 *   replaced, with both steps' kernel counts (tf.profile, nested kernels included);
 * - an MLP epoch of the lecture's recipe (60,000 images, batch 32, Adam 1e-3, test set evaluated
 *   after the epoch) against the same recipe in PyTorch, one thread, epochs alternating.
 */
import * as tf from '@tensorflow/tfjs';
import { describeError } from '../../../common/errors.ts';
import { pairedRatio, spread, type Spread } from '../../../common/stats.ts';
import { BACKENDS, selectBackend, type BackendName } from '../../../training/backends/select.ts';
import { datasetFiles, loadDataset, type ImageDataset } from '../../../training/data/datasets.ts';
import { toTensors } from '../../../training/fit/batches.ts';
import { fitEpochs } from '../../../training/fit/epochs.ts';
import { TRAIN_DEFAULTS } from '../../../training/options.ts';
import { createReporter } from '../../../training/progress.ts';
import { compileReferenceModel, firstSamples, fitOnce, leanTrainer, seededTrainer } from '../../models/recipe.ts';
import type { BenchSettings, ModelName } from '../../settings.ts';
import type { SectionContext } from '../definition.ts';
import { PyTorchRunner } from './pytorch.ts';

export interface TrainingRow {
  model: ModelName;
  backend: string;
  warmupSteps: number;
  steps: number;
  /** train()'s step (the lean trainer). */
  samplesPerSecond: Spread;
  /** The model.fit() step it replaced, timed alternately with it: samples/s and lean ÷ fit() per repetition. */
  fit?: { samplesPerSecond: Spread; speedup: Spread };
}

/** Kernels per training step (tf.profile over ten steps, nested kernels included). */
export interface KernelCount {
  model: ModelName;
  backend: string;
  fit: number;
  lean: number;
  /** The lean step's kernels by name, per step. */
  leanKernels: Record<string, number>;
}

/** Our MLP epoch against PyTorch's, same recipe, alternating epochs; ratio = ours ÷ PyTorch per pair. */
export type PyTorchComparison =
  | { measured: false; reason: string }
  | {
      measured: true;
      ourBackend: string;
      torch: string;
      threads: number;
      warmupSteps: number;
      epochSeconds: { ours: Spread; pytorch: Spread };
      ratio: Spread;
      testAccuracy: { ours: Spread; pytorch: Spread };
      /** The ratio to reach: our epoch in at most three quarters of PyTorch's time on the same CPU. */
      goal: number;
    };

export interface TrainingData {
  recipe: { batchSize: number; optimizer: 'adam'; learningRate: number; loss: 'sparseCategoricalCrossentropy' };
  rows: TrainingRow[];
  skipped: { model: ModelName; backend: string; reason: string }[];
  kernelsPerStep: KernelCount[];
  pytorch: PyTorchComparison;
}

const MODELS: ModelName[] = ['mlp', 'cnn'];
/** The backend whose fit() step the lean step is compared with: the one train() uses here. */
const FIT_COMPARISON_BACKEND: BackendName = 'wasm';
type Settings = BenchSettings['training'];

export async function measureTraining(context: SectionContext): Promise<TrainingData> {
  const settings = context.settings.training;
  const dataset = await loadDataset({ limit: samplesNeeded(settings) });
  const data: TrainingData = {
    recipe: {
      batchSize: settings.batchSize,
      optimizer: 'adam',
      learningRate: settings.learningRate,
      loss: 'sparseCategoricalCrossentropy',
    },
    rows: [],
    skipped: [],
    kernelsPerStep: [],
    pytorch: { measured: false, reason: 'not run' },
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
      const row = await timeTraining(model, backend, plan, dataset, settings, backend === FIT_COMPARISON_BACKEND);
      process.stderr.write(
        `training: ${model} on ${backend}: ${row.samplesPerSecond.median.toFixed(0)} samples/s${row.fit ? ` (fit(): ${row.fit.samplesPerSecond.median.toFixed(0)})` : ''}\n`,
      );
      data.rows.push(row);
      if (backend === FIT_COMPARISON_BACKEND) data.kernelsPerStep.push(await countKernels(model, backend, dataset, settings));
    }
  }
  data.pytorch = await compareWithPyTorch(settings);
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

/** The most samples any plan trains on; the training split is cut to that. */
function samplesNeeded(settings: Settings): number {
  const steps = Object.values(settings.plans).flatMap((byBackend) =>
    Object.values(byBackend).map((plan) => ('skip' in plan ? 0 : Math.max(plan.steps, plan.warmupSteps))),
  );
  return Math.max(...steps) * settings.batchSize;
}

async function timeTraining(
  name: ModelName,
  backend: BackendName,
  plan: { warmupSteps: number; steps: number; repetitions?: number },
  dataset: ImageDataset,
  settings: Settings,
  withFit: boolean,
): Promise<TrainingRow> {
  const lean = leanTrainer(name, dataset, settings.learningRate);
  const compiled = withFit ? compileReferenceModel(name, dataset, settings.learningRate) : undefined;
  const fitData = compiled && toTensors(firstSamples(dataset.train, plan.steps * settings.batchSize, dataset), dataset);
  const fitWarmup = compiled && toTensors(firstSamples(dataset.train, plan.warmupSteps * settings.batchSize, dataset), dataset);
  const samplesPerSecond = (seconds: number) => (plan.steps * settings.batchSize) / seconds;
  try {
    lean.run(plan.warmupSteps, settings.batchSize);
    if (compiled) await fitOnce(compiled.model, fitWarmup!, settings.batchSize);
    const leanRates: number[] = [];
    const fitRates: number[] = [];
    for (let repetition = 0; repetition < (plan.repetitions ?? settings.repetitions); repetition++) {
      // Alternate which goes first, so load that drifts during a pair favours neither.
      const order = repetition % 2 === 0 ? ['lean', 'fit'] : ['fit', 'lean'];
      for (const which of order) {
        const started = performance.now();
        if (which === 'lean') lean.run(plan.steps, settings.batchSize);
        else if (compiled) await fitOnce(compiled.model, fitData!, settings.batchSize);
        else continue;
        (which === 'lean' ? leanRates : fitRates).push(samplesPerSecond((performance.now() - started) / 1000));
      }
    }
    const row: TrainingRow = {
      model: name,
      backend,
      warmupSteps: plan.warmupSteps,
      steps: plan.steps,
      samplesPerSecond: spread(leanRates),
    };
    if (compiled) row.fit = { samplesPerSecond: spread(fitRates), speedup: pairedRatio(leanRates, fitRates) };
    return row;
  } finally {
    lean.dispose();
    compiled?.dispose();
    tf.dispose([...(fitData ?? []), ...(fitWarmup ?? [])]);
  }
}

/** Kernels one training step runs (tf.profile, nested kernels included), fit() against the lean step, over ten steps. */
async function countKernels(name: ModelName, backend: BackendName, dataset: ImageDataset, settings: Settings): Promise<KernelCount> {
  const steps = 10;
  const lean = leanTrainer(name, dataset, settings.learningRate);
  const compiled = compileReferenceModel(name, dataset, settings.learningRate);
  const tensors = toTensors(firstSamples(dataset.train, steps * settings.batchSize, dataset), dataset);
  try {
    lean.run(1, settings.batchSize);
    await fitOnce(compiled.model, tensors, settings.batchSize);
    // tf.profile hands back the same object each time: take what is needed before profiling again.
    const leanKernels = [...(await tf.profile(() => lean.run(steps, settings.batchSize))).kernels];
    const fitKernels = [...(await tf.profile(() => fitOnce(compiled.model, tensors, settings.batchSize))).kernels];
    return {
      model: name,
      backend,
      fit: fitKernels.length / steps,
      lean: leanKernels.length / steps,
      leanKernels: kernelHistogram(leanKernels, steps),
    };
  } finally {
    tf.dispose(tensors);
    compiled.dispose();
    lean.dispose();
  }
}

function kernelHistogram(kernels: { name: string }[], steps: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { name } of kernels) counts[name] = (counts[name] ?? 0) + 1 / steps;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

/**
 * MLP epochs of the lecture's recipe on the backend train() picks, alternating with PyTorch's
 * (pair i: ours then PyTorch's, or the reverse on odd pairs); each epoch starts from a fresh model.
 */
async function compareWithPyTorch(settings: Settings): Promise<PyTorchComparison> {
  const runner = await PyTorchRunner.start(datasetFiles({ dataset: 'mnist' }));
  if ('unavailable' in runner) {
    process.stderr.write(`training: PyTorch comparison not measured: ${runner.unavailable}\n`);
    return { measured: false, reason: runner.unavailable };
  }
  try {
    const backend = await selectBackend();
    const mnist = await loadDataset({ dataset: 'mnist' });
    const { warmupSteps, pairs } = settings.pytorch;
    const warmup = leanTrainer('mlp', mnist, settings.learningRate);
    warmup.run(warmupSteps, settings.batchSize);
    warmup.dispose();
    await runner.warmup(warmupSteps);
    const ours: { seconds: number; testAccuracy: number }[] = [];
    const theirs: { seconds: number; testAccuracy: number }[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      const runOurs = async () => ours.push(await ourEpoch(mnist, settings));
      const runTheirs = async () => {
        const epoch = await runner.epoch();
        theirs.push({ seconds: epoch.seconds, testAccuracy: epoch.test_accuracy });
      };
      if (pair % 2 === 0) await runOurs().then(runTheirs);
      else await runTheirs().then(runOurs);
      process.stderr.write(
        `training: MLP epoch pair ${pair + 1}/${pairs}: ours ${ours.at(-1)!.seconds.toFixed(2)} s, PyTorch ${theirs.at(-1)!.seconds.toFixed(2)} s\n`,
      );
    }
    return {
      measured: true,
      ourBackend: backend,
      torch: runner.torchVersion,
      threads: runner.threads,
      warmupSteps,
      epochSeconds: { ours: spread(ours.map((e) => e.seconds)), pytorch: spread(theirs.map((e) => e.seconds)) },
      ratio: pairedRatio(
        ours.map((e) => e.seconds),
        theirs.map((e) => e.seconds),
      ),
      testAccuracy: { ours: spread(ours.map((e) => e.testAccuracy)), pytorch: spread(theirs.map((e) => e.testAccuracy)) },
      goal: 0.75,
    };
  } finally {
    runner.stop();
  }
}

/** One epoch as train() runs it: fitEpochs on a fresh seeded model, test set evaluated at the end. */
async function ourEpoch(mnist: ImageDataset, settings: Settings): Promise<{ seconds: number; testAccuracy: number }> {
  const { model, trainer } = seededTrainer('mlp', mnist, settings.learningRate);
  try {
    const [epoch] = await fitEpochs(
      trainer,
      { shape: mnist, train: mnist.train, test: mnist.test },
      { epochs: 1, batchSize: settings.batchSize, seed: TRAIN_DEFAULTS.seed, learningRates: [settings.learningRate] },
      createReporter({ quiet: true }),
    );
    return { seconds: epoch.seconds, testAccuracy: epoch.test_accuracy };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
