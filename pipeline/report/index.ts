/**
 * The pipeline's report page: one self-contained HTML file (charts as inline SVG, images as
 * data URIs, one inline stylesheet, no scripts) that a person opens in a browser after a run.
 */
import { writeFileAtomic } from '../../common/files.ts';
import { html, trustedMarkup, type SafeHtml } from './html.ts';
import type { ReportSection, SectionContent } from './section.ts';
import { renderHeadline } from './sections/headline.ts';
import { REPORT_SECTIONS } from './sections/index.ts';
import { REPORT_CSS } from './style.ts';
import type { ReportInput } from './types.ts';
import { validateReportInput } from './validate.ts';

export type {
  DatasetDescription,
  EpochRecord,
  LayerSummary,
  MetricsJson,
  MisclassifiedImage,
  ModelSummary,
  ParityPair,
  ParityReport,
  ReportInput,
  StageSummary,
  TrainingRecipe,
} from './types.ts';
export type { ReportSection, SectionContent } from './section.ts';
export { validateMetricsJson } from './validate.ts';

/**
 * The browser enforces what the page promises: no scripts, and nothing fetched from anywhere
 * (images are data: URIs, styles are inline).
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

interface RenderedSection {
  section: ReportSection;
  content: SectionContent;
}

function renderSection({ section, content }: RenderedSection): SafeHtml {
  return html`<section id="${section.id}">
<h2>${section.title}${content.badge ? html` ${content.badge}` : ''}</h2>
${content.body}
</section>`;
}

function renderContents(sections: RenderedSection[]): SafeHtml {
  return html`<nav class="contents" aria-label="Contents">${sections.map(({ section }) => html`<a href="#${section.id}">${section.title}</a>`)}</nav>`;
}

function renderDocument(input: ReportInput, sections: RenderedSection[]): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>${input.title}</title>
<style>${trustedMarkup(REPORT_CSS)}</style>
</head>
<body>
<main>
<header><h1>${input.title}</h1><p class="generated">Generated ${input.generatedAt}</p></header>
${renderHeadline(input)}
${renderContents(sections)}
${sections.map(renderSection)}
<footer>tfjs-onnx pipeline report</footer>
</main>
</body>
</html>
`;
}

export async function renderReport(input: ReportInput): Promise<string> {
  validateReportInput(input);
  const rendered = await Promise.all(REPORT_SECTIONS.map(async (section) => ({ section, content: await section.render(input) })));
  const shown = rendered.filter((entry): entry is RenderedSection => entry.content !== undefined);
  return renderDocument(input, shown).markup;
}

/** Renders and writes the page atomically, so a browser tab being reloaded never sees half a report. */
export async function writeReport(filePath: string, input: ReportInput): Promise<void> {
  await writeFileAtomic(filePath, await renderReport(input));
}
