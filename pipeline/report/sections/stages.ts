import { formatSeconds } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportSection } from '../section.ts';
import type { StageSummary } from '../types.ts';

function renderStageRow(stage: StageSummary, longest: number): SafeHtml {
  // The bar shows where the run's time went at a glance; widths are relative to the slowest stage.
  const width = longest > 0 ? Math.max(1, Math.round((stage.seconds / longest) * 100)) : 0;
  return html`<tr><td>${stage.stage}</td><td class="num">${formatSeconds(stage.seconds)}</td><td class="bar-cell"><span class="bar" style="width: ${width}%"></span></td><td>${stage.figure}</td></tr>`;
}

function renderStages(stages: StageSummary[]): SafeHtml {
  const longest = Math.max(...stages.map((stage) => stage.seconds));
  const total = stages.reduce((sum, stage) => sum + stage.seconds, 0);
  return html`<div class="table-scroll"><table class="data">
<thead><tr><th>stage</th><th class="num">time</th><th class="bar-cell"></th><th>result</th></tr></thead>
<tbody>${stages.map((stage) => renderStageRow(stage, longest))}</tbody>
<tfoot><tr><td>total</td><td class="num">${formatSeconds(total)}</td><td></td><td></td></tr></tfoot>
</table></div>`;
}

export const stagesSection: ReportSection = {
  id: 'stages',
  title: 'Pipeline stages',
  render: ({ stages }) => (stages && stages.length > 0 ? { body: renderStages(stages) } : undefined),
};
