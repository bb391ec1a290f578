/** How the model was trained: everything needed to repeat the run, as training recorded it. */
import { formatCount, formatFractionSetting, formatSeconds, formatSetting } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportSection } from '../section.ts';
import type { MetricsJson } from '../types.ts';

const BACKEND_DESCRIPTIONS: Record<string, string> = {
  tensorflow: 'native TensorFlow through tfjs-node',
  wasm: 'WebAssembly through @tensorflow/tfjs-backend-wasm',
  cpu: "tfjs' plain JavaScript kernels",
};

function field(name: string, value: SafeHtml | string): SafeHtml {
  return html`<tr><th>${name}</th><td>${value}</td></tr>`;
}

/** Runs of equal rates: "0.001 (epochs 1–3), then 0.0005 (epochs 4–5)"; a single run reads "0.001, constant". */
export function describeSchedule(schedule: number[]): string {
  const runs: { rate: number; first: number; last: number }[] = [];
  schedule.forEach((rate, index) => {
    const current = runs[runs.length - 1];
    if (current && current.rate === rate) current.last = index + 1;
    else runs.push({ rate, first: index + 1, last: index + 1 });
  });
  if (runs.length <= 1) return `${formatSetting(schedule[0] ?? NaN)}, constant`;
  const epochs = (run: (typeof runs)[number]) => (run.first === run.last ? `epoch ${run.first}` : `epochs ${run.first}–${run.last}`);
  return runs.map((run) => `${formatSetting(run.rate)} (${epochs(run)})`).join(', then ');
}

function describeValidation({ recipe, dataset }: MetricsJson): string {
  if (recipe.validationSplit === null) {
    return 'none held out: the test set is evaluated after each epoch instead (the lecture passes it to fit() as validation_data); the curves call it the test set';
  }
  return `the last ${formatFractionSetting(recipe.validationSplit)} of the training data (${formatCount(dataset.validationSamples)} images), held out before shuffling (Keras' validation_split)`;
}

/** Training's time includes the evaluations after each epoch (training/metrics.ts says so), so evaluating is shown as part of it. */
function describeDurations({ durations, history, recipe }: MetricsJson): string {
  const epochSeconds = history.reduce((sum, record) => sum + record.seconds, 0) / Math.max(1, history.length);
  const evaluated = recipe.validationSplit === null ? 'the test set' : 'the validation split and the test set';
  const details = [
    ...(history.length > 0 ? [`${formatSeconds(epochSeconds)} per epoch`] : []),
    `of which ${formatSeconds(durations.evaluateSeconds)} evaluating ${evaluated} after each epoch`,
  ];
  const parts = [
    `loading ${formatSeconds(durations.loadSeconds)}`,
    `training ${formatSeconds(durations.trainSeconds)} (${details.join(', ')})`,
    `saving ${formatSeconds(durations.saveSeconds)}`,
  ];
  return `${parts.join(' · ')}; ${formatSeconds(durations.totalSeconds)} in all`;
}

function renderRecipe(metrics: MetricsJson): SafeHtml {
  const { recipe, dataset, summary } = metrics;
  const { optimizer } = recipe;
  const backend = BACKEND_DESCRIPTIONS[metrics.backend];
  return html`<table class="fields"><tbody>
${field('model', html`<code>${metrics.model}</code>, ${formatCount(summary.totalParams)} parameters (<a href="#model">summary</a>)`)}
${field('optimizer', `${optimizer.name === 'adam' ? 'Adam' : optimizer.name}: β1 ${formatSetting(optimizer.beta1)}, β2 ${formatSetting(optimizer.beta2)}, ε ${formatSetting(optimizer.epsilon)}`)}
${field('learning rate', describeSchedule(recipe.learningRateSchedule))}
${field('loss', recipe.loss)}
${field('batch size', formatCount(recipe.batchSize))}
${field('epochs', formatCount(recipe.epochs))}
${field('validation', describeValidation(metrics))}
${field('seed', String(recipe.seed))}
${field('backend', backend ? `${metrics.backend} (${backend})` : metrics.backend)}
${field('dataset', `${dataset.name} from ${dataset.source}: ${dataset.height} × ${dataset.width} × ${dataset.channels} images, ${dataset.classNames.length} classes`)}
${field('images', `${formatCount(dataset.trainSamples)} training · ${dataset.validationSamples > 0 ? `${formatCount(dataset.validationSamples)} validation · ` : ''}${formatCount(dataset.testSamples)} test`)}
${field('durations', describeDurations(metrics))}
</tbody></table>`;
}

export const recipeSection: ReportSection = {
  id: 'recipe',
  title: 'Training recipe',
  render: (input) => ({ body: renderRecipe(input.metrics) }),
};
