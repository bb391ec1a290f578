import { confusionMatrixSpec, renderVegaLiteToSvg } from '../charts.ts';
import { html, type SafeHtml } from '../html.ts';

export async function renderConfusionMatrix(confusion: number[][], labels: string[]): Promise<SafeHtml> {
  const svg = await renderVegaLiteToSvg(confusionMatrixSpec(confusion, labels), 'chart-confusion');
  return html`<section id="confusion">
<h2>Confusion matrix</h2>
<p class="muted">Rows are the true class, columns the predicted class; cells show test-set counts, shaded by the share of the true class.</p>
<figure class="chart" data-chart="confusion">${svg}</figure>
</section>`;
}
