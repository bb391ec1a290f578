import { formatPercent, formatScientific } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportSection } from '../section.ts';
import type { ParityPair, ParityReport } from '../types.ts';

/** How many disagreeing sample indices to list inline; the rest are counted. */
const LISTED_DISAGREEMENTS = 6;

export function statusBadge(passed: boolean): SafeHtml {
  return html`<span class="badge ${passed ? 'badge-pass' : 'badge-fail'}">${passed ? 'pass' : 'fail'}</span>`;
}

function disagreementSummary(disagreements: number[]): SafeHtml {
  if (disagreements.length === 0) return html`0`;
  const listed = disagreements
    .slice(0, LISTED_DISAGREEMENTS)
    .map((index) => `#${index}`)
    .join(', ');
  const more = disagreements.length > LISTED_DISAGREEMENTS ? ', …' : '';
  return html`${disagreements.length}<div class="muted small sample-list">${listed}${more}</div>`;
}

/** Marks the measured value that broke its threshold, so a failing row says why it failed. */
function measuredCell(text: string, withinThreshold: boolean): SafeHtml {
  return html`<td class="num${withinThreshold ? '' : ' out-of-tolerance'}">${text}</td>`;
}

function renderPairRow(pair: ParityPair, thresholds: ParityReport['thresholds']): SafeHtml {
  return html`<tr data-pair="${pair.a} ⇄ ${pair.b}">
<td class="pair"><code>${pair.a}</code> ⇄ <code>${pair.b}</code></td>
<td class="num">${pair.samples.toLocaleString('en-US')}</td>
${measuredCell(formatPercent(pair.top1Agreement), pair.top1Agreement >= thresholds.minTop1Agreement)}
${measuredCell(formatScientific(pair.maxAbsDiff), pair.maxAbsDiff <= thresholds.maxAbsDiff)}
<td class="num">${formatScientific(pair.meanAbsDiff)}</td>
<td class="num disagreements">${disagreementSummary(pair.disagreements)}</td>
<td class="num">#${pair.worstSample}</td>
<td>${statusBadge(pair.passed)}</td>
</tr>`;
}

function renderParityTable(parity: ParityReport): SafeHtml {
  const { thresholds } = parity;
  return html`<p class="muted">The same test images through each pair of runtimes. A pair passes when top-1 agreement ≥ <strong>${formatPercent(thresholds.minTop1Agreement)}</strong> and max |Δp| ≤ <strong>${formatScientific(thresholds.maxAbsDiff)}</strong>.</p>
<div class="table-scroll"><table class="data">
<thead><tr><th>pair</th><th class="num">samples</th><th class="num">top-1 agreement</th><th class="num">max <span class="nowrap">|Δp|</span></th><th class="num">mean <span class="nowrap">|Δp|</span></th><th class="num">disagreements</th><th class="num">worst sample</th><th>status</th></tr></thead>
<tbody>${parity.pairs.map((pair) => renderPairRow(pair, thresholds))}</tbody>
</table></div>${renderSkipped(parity.skipped ?? [])}${softwareNote(parity)}`;
}

/** Devices that were to be compared where they run, and why they did not here. */
function renderSkipped(skipped: NonNullable<ParityReport['skipped']>): SafeHtml {
  if (skipped.length === 0) return html``;
  return html`<ul class="skipped-devices">${skipped.map(({ device, reason }) => html`<li data-skipped="${device}"><code>${device}</code> not compared: ${reason}</li>`)}</ul>`;
}

/** A software GPU adapter proves the WebGPU path computes the same, not that it is fast. */
function softwareNote(parity: ParityReport): SafeHtml {
  const software = parity.pairs.some((pair) => /, software\)$/.test(pair.a) || /, software\)$/.test(pair.b));
  return software
    ? html`<p class="muted small">A software adapter (SwiftShader, llvmpipe) runs the WebGPU shaders on the CPU: its rows check that the WebGPU path computes the same, not its speed.</p>`
    : html``;
}

export const paritySection: ReportSection = {
  id: 'parity',
  title: 'Runtime parity',
  render: ({ parity }) =>
    parity
      ? { body: renderParityTable(parity), badge: statusBadge(parity.passed) }
      : { body: html`<p class="muted">Parity was not checked in this run.</p>` },
};
