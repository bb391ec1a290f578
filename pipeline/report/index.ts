/**
 * The pipeline's report page: one self-contained HTML file (charts as inline SVG, images as
 * data URIs, one inline stylesheet, no scripts) that a person opens in a browser after a run.
 */
import { writeFileAtomic } from '../../common/files.ts';
import { html, trustedMarkup, type SafeHtml } from './html.ts';
import { renderConfusionMatrix } from './sections/confusion.ts';
import { renderHeadline } from './sections/headline.ts';
import { renderManifest } from './sections/manifest.ts';
import { renderMisclassified } from './sections/misclassified.ts';
import { renderParity } from './sections/parity.ts';
import { renderStages } from './sections/stages.ts';
import { renderTrainingCurves } from './sections/trainingCurves.ts';
import { renderVariants } from './sections/variants.ts';
import { REPORT_CSS } from './style.ts';
import type { ReportInput } from './types.ts';
import { validateReportInput } from './validate.ts';

export type { EpochRecord, MisclassifiedImage, ParityPair, ParityReport, ReportInput, StageSummary } from './types.ts';

/**
 * The browser enforces what the page promises: no scripts, and nothing fetched from anywhere
 * (images are data: URIs, styles are inline).
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function renderDocument(title: string, generatedAt: string, body: SafeHtml[]): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>${title}</title>
<style>${trustedMarkup(REPORT_CSS)}</style>
</head>
<body>
<main>
<header><h1>${title}</h1><p class="generated">Generated ${generatedAt}</p></header>
${body}
<footer>tfjs-onnx pipeline report</footer>
</main>
</body>
</html>
`;
}

export async function renderReport(input: ReportInput): Promise<string> {
  validateReportInput(input);
  const [trainingCurves, confusionMatrix] = await Promise.all([
    renderTrainingCurves(input.history),
    renderConfusionMatrix(input.confusion, input.labels),
  ]);
  const body = [
    renderHeadline(input),
    trainingCurves,
    confusionMatrix,
    renderMisclassified(input.misclassified),
    renderParity(input.parity),
    renderVariants(input.variants),
    renderStages(input.stages),
    renderManifest(input.manifest),
  ];
  return renderDocument(input.title, input.generatedAt, body).markup;
}

/** Renders and writes the page atomically, so a browser tab being reloaded never sees half a report. */
export async function writeReport(filePath: string, input: ReportInput): Promise<void> {
  await writeFileAtomic(filePath, await renderReport(input));
}
