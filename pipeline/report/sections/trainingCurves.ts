import { renderVegaLiteToSvg, trainingCurveSpec } from '../charts.ts';
import { html, type SafeHtml } from '../html.ts';
import type { EpochRecord } from '../types.ts';

export async function renderTrainingCurves(history: EpochRecord[]): Promise<SafeHtml> {
  if (history.length === 0) {
    return html`<section id="training"><h2>Training curves</h2><p class="muted">No training history was recorded in this run.</p></section>`;
  }
  const [lossSvg, accuracySvg] = await Promise.all([
    renderVegaLiteToSvg(trainingCurveSpec(history, 'loss'), 'chart-loss'),
    renderVegaLiteToSvg(trainingCurveSpec(history, 'accuracy'), 'chart-accuracy'),
  ]);
  return html`<section id="training">
<h2>Training curves</h2>
<div class="chart-row">
<figure class="chart" data-chart="loss"><figcaption>Loss per epoch</figcaption>${lossSvg}</figure>
<figure class="chart" data-chart="accuracy"><figcaption>Accuracy per epoch</figcaption>${accuracySvg}</figure>
</div>
</section>`;
}
