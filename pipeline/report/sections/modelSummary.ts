/** The model as Keras' summary() prints it: one row per layer, then the parameter totals. */
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { formatCount } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportSection } from '../section.ts';
import type { LayerSummary, ModelSummary } from '../types.ts';

function renderLayerRow(layer: LayerSummary): SafeHtml {
  return html`<tr${layer.trainable ? '' : html` class="frozen"`}><td><code>${layer.name}</code></td><td>${layer.className}</td><td><code>${formatShape(layer.outputShape)}</code></td><td class="num">${formatCount(layer.params)}</td><td>${layer.trainable ? 'yes' : 'no'}</td></tr>`;
}

function renderSummary(summary: ModelSummary): SafeHtml {
  return html`<div class="table-scroll"><table class="data model-summary">
<thead><tr><th>layer</th><th>class</th><th>output shape</th><th class="num">parameters</th><th>trainable</th></tr></thead>
<tbody>${summary.layers.map(renderLayerRow)}</tbody>
<tfoot>
<tr><td colspan="3">total parameters</td><td class="num" data-total="total">${formatCount(summary.totalParams)}</td><td></td></tr>
<tr class="subtotal"><td colspan="3">trainable parameters</td><td class="num" data-total="trainable">${formatCount(summary.trainableParams)}</td><td></td></tr>
<tr class="subtotal"><td colspan="3">non-trainable parameters</td><td class="num" data-total="non-trainable">${formatCount(summary.nonTrainableParams)}</td><td></td></tr>
</tfoot>
</table></div>`;
}

export const modelSummarySection: ReportSection = {
  id: 'model',
  title: 'Model summary',
  render: ({ metrics }) => ({
    body: html`<p class="muted">The trained tfjs model layer by layer, as Keras' <code>summary()</code> lists it; a size of <code>-1</code> (the batch) is open, as ONNX and the rest of this project write it.</p>${renderSummary(metrics.summary)}`,
  }),
};
