/** The exported model's test-set results per class: the confusion matrix, with precision, recall and F1 beside it. */
import { confusionMatrixSpec, distinctAxisLabels, renderVegaLiteToSvg } from '../charts.ts';
import { classificationFigures, type ClassFigures } from '../classFigures.ts';
import { formatCount, formatPercent } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportSection } from '../section.ts';

type Figures = Omit<ClassFigures, 'support'>;

function figureCells(figures: Figures): SafeHtml {
  return html`<td class="num">${formatPercent(figures.precision)}</td><td class="num">${formatPercent(figures.recall)}</td><td class="num">${formatPercent(figures.f1)}</td>`;
}

function renderClassTable(confusion: number[][], labels: string[]): SafeHtml {
  const figures = classificationFigures(confusion);
  const lowestF1 = Math.min(...figures.perClass.map((row) => (Number.isFinite(row.f1) ? row.f1 : Infinity)));
  const rows = figures.perClass.map(
    (row, index) =>
      html`<tr data-class="${labels[index]!}"${row.f1 === lowestF1 ? html` class="weakest" title="the lowest F1"` : ''}><td>${labels[index]!}</td>${figureCells(row)}<td class="num">${formatCount(row.support)}</td></tr>`,
  );
  return html`<table class="data per-class">
<thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">images</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot>
<tr data-average="macro"><td>macro average</td>${figureCells(figures.macro)}<td class="num">${formatCount(figures.samples)}</td></tr>
<tr data-average="weighted"><td>weighted average</td>${figureCells(figures.weighted)}<td class="num">${formatCount(figures.samples)}</td></tr>
<tr data-average="accuracy"><td>accuracy</td><td></td><td></td><td class="num">${formatPercent(figures.accuracy)}</td><td class="num">${formatCount(figures.samples)}</td></tr>
</tfoot>
</table>`;
}

export const confusionSection: ReportSection = {
  id: 'confusion',
  title: 'Confusion matrix and per-class figures',
  async render({ confusion, metrics, predictedBy }) {
    const labels = distinctAxisLabels(metrics.dataset.classNames);
    const svg = await renderVegaLiteToSvg(confusionMatrixSpec(confusion, metrics.dataset.classNames), 'chart-confusion');
    return {
      body: html`<p class="muted">Predictions of ${predictedBy} on the test set. Matrix rows are the true class, columns the predicted class; cells show counts, shaded by the share of the true class. Precision: of the images predicted as a class, the share that are it; recall: of the images of a class, the share found; F1: their harmonic mean. Averages as scikit-learn's <code>classification_report</code> computes them (weighted by images per class); the class with the lowest F1 is marked.</p>
<div class="chart-row">
<figure class="chart" data-chart="confusion">${svg}</figure>
<div class="table-scroll">${renderClassTable(confusion, labels)}</div>
</div>`,
    };
  },
};
