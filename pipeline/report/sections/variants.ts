/**
 * The precision variants section: per variant its file size, test accuracy, agreement with the
 * float32 model, largest probability difference, and images/s on both runtimes at each measured
 * batch size beside fp32's, with the slower cases named. The figures come from the parity stage
 * (parity.json's `variants`); this module only presents them.
 */
import type { VariantFigures, VariantSpeed, VariantsReport } from '../../variants/types.ts';
import { formatBytes } from '../../../common/format.ts';
import { formatPercent, formatScientific } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportSection } from '../section.ts';
import { statusBadge } from './parity.ts';

const DEVICE_NAMES = { cpu: 'cpu (onnxruntime-node)', wasm: 'wasm (onnxruntime-web)' } as const;

function formatRate(imagesPerSecond: number): string {
  return imagesPerSecond >= 10_000
    ? `${(imagesPerSecond / 1000).toFixed(0)}k`
    : imagesPerSecond >= 1000
      ? `${(imagesPerSecond / 1000).toFixed(1)}k`
      : imagesPerSecond.toFixed(0);
}

function speedCell(speed: VariantSpeed | undefined, isReference: boolean): SafeHtml {
  if (!speed) return html`<td class="num">–</td>`;
  const ratio = isReference ? '' : ` (${speed.ratioToFp32.toFixed(2)}×)`;
  return html`<td class="num${!isReference && speed.ratioToFp32 < 1 ? ' slower' : ''}">${formatRate(speed.imagesPerSecond.median)}${ratio}</td>`;
}

function pointChange(change: number): string {
  const points = change * 100;
  return `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)}`;
}

function renderRow(variant: VariantFigures, batches: number[]): SafeHtml {
  const isReference = variant.dtype === 'fp32';
  const { cpu, wasm } = variant.versusTfjs;
  return html`<tr data-dtype="${variant.dtype}">
<td><strong>${variant.dtype}</strong><div class="muted small"><code>${variant.file}</code></div></td>
<td class="num">${formatBytes(variant.bytes)}${isReference ? '' : html`<div class="muted small">${formatPercent(variant.sizeRatio, 0)} of fp32</div>`}</td>
<td class="num">${formatPercent(variant.testAccuracy)}${isReference ? '' : html`<div class="muted small">${pointChange(variant.accuracyChange)} points</div>`}</td>
<td class="num">${formatPercent(cpu.top1Agreement)}<div class="muted small">wasm ${formatPercent(wasm.top1Agreement)}</div></td>
<td class="num">${formatScientific(cpu.maxAbsDiff)}<div class="muted small">wasm ${formatScientific(wasm.maxAbsDiff)}</div></td>
${batches.map((batch) =>
  speedCell(
    variant.speed.cpu.find((speed) => speed.batch === batch),
    isReference,
  ),
)}
${batches.map((batch) =>
  speedCell(
    variant.speed.wasm.find((speed) => speed.batch === batch),
    isReference,
  ),
)}
<td>${statusBadge(variant.passed)}</td>
</tr>`;
}

const SLOWER_BECAUSE: Record<string, string> = {
  fp16: "fp16 computes in float32 wherever onnxruntime's CPU and WebAssembly providers lack float16 kernels (every arithmetic op), so it can at best match fp32",
  q8: "q8 quantizes each call's activations (DynamicQuantizeLinear) before its integer matmul, a fixed cost that small batches and small matmuls do not win back",
};

/** Names every variant, runtime and batch size where the variant ran slower than fp32, and why that precision can be slower. */
function slowerCases(report: VariantsReport): SafeHtml {
  const slower = report.variants
    .filter((variant) => variant.dtype !== 'fp32')
    .map((variant) => ({
      dtype: variant.dtype,
      cases: (['cpu', 'wasm'] as const).flatMap((device) =>
        variant.speed[device]
          .filter((speed) => speed.ratioToFp32 < 1)
          .map((speed) => `${DEVICE_NAMES[device]} at batch ${speed.batch} (${speed.ratioToFp32.toFixed(2)}×)`),
      ),
    }))
    .filter((variant) => variant.cases.length > 0);
  if (slower.length === 0) return html`<p class="muted">No variant ran slower than fp32 in this run.</p>`;
  return html`<ul class="muted">${slower.map((variant) => html`<li>${variant.dtype} was slower than fp32 on ${variant.cases.join(', ')}: ${SLOWER_BECAUSE[variant.dtype]}.</li>`)}</ul>`;
}

function renderVariantsBody(report: VariantsReport): SafeHtml {
  const batches = [
    ...new Set(report.variants.flatMap((variant) => [...variant.speed.cpu, ...variant.speed.wasm].map((speed) => speed.batch))),
  ].sort((a, b) => a - b);
  const { bounds } = report;
  return html`<p class="muted">The exported model in float32, float16 and int8, each predicting all ${report.samples.toLocaleString('en-US')} test images. A variant passes when its top-1 agreement with the float32 tfjs model is ≥ <strong>${formatPercent(bounds.minTop1Agreement)}</strong> on both devices (cpu and wasm) and its test accuracy is at most <strong>${(bounds.maxAccuracyDrop * 100).toFixed(1)} points</strong> below fp32's. Speed: ${report.speedMethod}.</p>
<div class="table-scroll"><table class="data">
<thead>
<tr><th rowspan="2">precision</th><th class="num" rowspan="2">file size</th><th class="num" rowspan="2">test accuracy</th><th class="num" rowspan="2">top-1 agreement with fp32</th><th class="num" rowspan="2">max <span class="nowrap">|Δp|</span></th><th class="num" colspan="${batches.length}">cpu images/s, batch</th><th class="num" colspan="${batches.length}">wasm images/s, batch</th><th rowspan="2">status</th></tr>
<tr>${[...batches, ...batches].map((batch) => html`<th class="num">${batch}</th>`)}</tr>
</thead>
<tbody>${report.variants.map((variant) => renderRow(variant, batches))}</tbody>
</table></div>
${slowerCases(report)}`;
}

export const variantsSection: ReportSection = {
  id: 'variants',
  title: 'Precision variants',
  render: ({ variants }) =>
    variants
      ? { body: renderVariantsBody(variants), badge: statusBadge(variants.passed) }
      : {
          body: html`<p class="muted">This run wrote no reduced-precision variants (<code>--variants none</code>, or parity failed before they were checked).</p>`,
        },
};
