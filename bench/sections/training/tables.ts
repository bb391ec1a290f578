/** The training section's tables: samples/s beside fit()'s, kernels per step, and the MLP epoch against PyTorch. */
import type { Spread } from '../../../common/stats.ts';
import { failed, formatNumber, formatSpread, type Table } from '../../report/table.ts';
import type { SectionRun } from '../definition.ts';
import type { PyTorchComparison, TrainingData } from './measure.ts';

export function trainingTables(run: SectionRun<TrainingData>): Table[] {
  const tables = [trainingTable(run)];
  // Older results files have neither of these.
  if (run.data?.kernelsPerStep) tables.push(kernelTable(run.data));
  if (run.data?.pytorch) tables.push(pytorchTable(run.data.pytorch));
  return tables;
}

function trainingTable(run: SectionRun<TrainingData>): Table {
  const table: Table = {
    title: 'Training (samples/s)',
    header: ['model', 'backend', 'steps (warm-up + timed)', 'samples/s', 'fit() samples/s', '× fit()', 'reps'],
    rows: [],
    notes: [],
  };
  if (!run.data) return failed(table, run);
  const { recipe, rows, skipped } = run.data;
  for (const row of rows) {
    const fit = row.fit ? [formatSpread(row.fit.samplesPerSecond), formatSpread(row.fit.speedup)] : ['—', '—'];
    table.rows.push([
      row.model,
      row.backend,
      `${row.warmupSteps} + ${row.steps}`,
      formatSpread(row.samplesPerSecond),
      ...fit,
      String(row.samplesPerSecond.repetitions),
    ]);
  }
  for (const skip of skipped) table.rows.push([skip.model, skip.backend, '—', `not measured: ${skip.reason}`, '—', '—', '—']);
  const recipeNote = `Recipe: batch ${recipe.batchSize}, ${recipe.optimizer} (learning rate ${recipe.learningRate}), ${recipe.loss}.`;
  table.notes.push(
    run.data.kernelsPerStep
      ? `${recipeNote} samples/s: train()'s step (fused Adam and loss kernels, loss and accuracy read back once per epoch); fit(): the model.fit() step it replaced, timed alternately with it, on the same kernels (our wasm BatchMatMul and MaxPoolGrad included), so × fit() is the gain of the training loop alone; × fit() is paired per repetition. Figures: median (min–max).`
      : // Results from before train() left fit(): their samples/s are fit()'s.
        `${recipeNote} samples/s: one model.fit() of the timed steps per repetition (results from before train() had its own step). Figures: median (min–max).`,
  );
  if (skipped.some((skip) => skip.backend === 'tensorflow')) {
    table.notes.push(
      'tensorflow is tfjs-node: train() uses it wherever it is installed, but its speed cannot be measured on this machine, where it does not install (its install script downloads libtensorflow).',
    );
  }
  return table;
}

function kernelTable(data: TrainingData): Table {
  const table: Table = {
    title: 'Kernels per training step',
    header: ['model', 'backend', 'fit()', "train()'s step", "train()'s step by kernel"],
    rows: [],
    notes: [],
  };
  for (const count of data.kernelsPerStep) {
    const byKernel = Object.entries(count.leanKernels)
      .map(([name, n]) => `${name} ${formatNumber(n)}`)
      .join(', ');
    table.rows.push([count.model, count.backend, formatNumber(count.fit), formatNumber(count.lean), byKernel]);
  }
  table.notes.push(
    'tf.profile over ten steps, divided by ten; kernels that a kernel runs inside itself are counted too (e.g. the Transpose before an untransposed BatchMatMul).',
  );
  return table;
}

function pytorchTable(comparison: PyTorchComparison): Table {
  const table: Table = {
    title: 'MLP epoch against PyTorch (seconds, same machine, same run)',
    header: ['what', 'epoch seconds', 'test accuracy'],
    rows: [],
    notes: [],
  };
  if (!comparison.measured) {
    table.rows.push(['PyTorch', `not measured: ${comparison.reason}`, '—']);
    return table;
  }
  const percent = (value: Spread) => `${formatNumber(value.median * 100)}%`;
  table.rows.push([
    `ours (tfjs ${comparison.ourBackend}, train()'s epoch loop)`,
    formatSpread(comparison.epochSeconds.ours),
    percent(comparison.testAccuracy.ours),
  ]);
  table.rows.push([
    `PyTorch ${comparison.torch} (${comparison.threads} thread${comparison.threads === 1 ? '' : 's'})`,
    formatSpread(comparison.epochSeconds.pytorch),
    percent(comparison.testAccuracy.pytorch),
  ]);
  const verdict = comparison.ratio.median <= comparison.goal ? 'meets' : 'misses';
  table.rows.push(['ours ÷ PyTorch, paired', `${formatSpread(comparison.ratio)} (${verdict} the goal of ≤ ${comparison.goal})`, '—']);
  table.notes.push(
    `The lecture's recipe on 60,000 MNIST images: batch 32, Adam 1e-3, one epoch from fresh weights, the 10,000 test images evaluated at its end; ${comparison.ratio.repetitions} pairs alternating which runs first, after ${comparison.warmupSteps} untimed steps on each side. PyTorch: bench/pytorch/mnist_mlp.py, batches cut by index (no DataLoader), its default initialisation.`,
  );
  return table;
}
