/** Loss and accuracy per epoch, each curve named for the data it was measured on. */
import { recordedSplits, renderVegaLiteToSvg, trainingCurveSpec } from '../charts.ts';
import { formatCount, formatFractionSetting, formatSetting } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportSection } from '../section.ts';
import type { MetricsJson } from '../types.ts';

/** What each curve is, in words: the chart legend can only say "train", "validation", "test". */
function describeCurves({ history, recipe, dataset }: MetricsJson): SafeHtml {
  const train = html`<strong>train</strong>: the mean over each epoch's batches of the ${formatCount(dataset.trainSamples)} training images, while the weights change`;
  const test = html`<strong>test</strong>: the ${formatCount(dataset.testSamples)} test images, evaluated after each epoch (the lecture passes the test set to <code>fit()</code> as <code>validation_data</code>, which is why Keras would call these figures <code>val_loss</code> and <code>val_accuracy</code>)`;
  if (!recordedSplits(history).includes('validation')) return html`<p class="muted">${train}; ${test}.</p>`;
  const validation = html`<strong>validation</strong>: the last ${formatFractionSetting(recipe.validationSplit ?? NaN)} of the training data (${formatCount(dataset.validationSamples)} images, <code>--validation-split ${formatSetting(recipe.validationSplit ?? NaN)}</code>), held out from training and evaluated after each epoch`;
  return html`<p class="muted">${train}; ${validation}; ${test}.</p>`;
}

export const trainingCurvesSection: ReportSection = {
  id: 'training',
  title: 'Loss and accuracy per epoch',
  async render({ metrics }) {
    if (metrics.history.length === 0) return { body: html`<p class="muted">No training history was recorded in this run.</p>` };
    const [lossSvg, accuracySvg] = await Promise.all([
      renderVegaLiteToSvg(trainingCurveSpec(metrics.history, 'loss'), 'chart-loss'),
      renderVegaLiteToSvg(trainingCurveSpec(metrics.history, 'accuracy'), 'chart-accuracy'),
    ]);
    return {
      body: html`${describeCurves(metrics)}
<div class="chart-row">
<figure class="chart" data-chart="loss"><figcaption>Loss per epoch</figcaption>${lossSvg}</figure>
<figure class="chart" data-chart="accuracy"><figcaption>Accuracy per epoch</figcaption>${accuracySvg}</figure>
</div>`,
    };
  },
};
