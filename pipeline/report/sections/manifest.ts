/**
 * The manifest arrives as parsed JSON of a shape this module does not own, so it is read
 * defensively: a `files` list (or path → entry map) becomes a table, and every other field is
 * shown as it is, so nothing the manifest says is hidden from the reader.
 */
import { formatBytes } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';

interface ManifestFile {
  path: string;
  size?: number;
  sha256?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toManifestFile(entry: unknown, fallbackPath?: string): ManifestFile | undefined {
  if (!isRecord(entry)) return undefined;
  const path = typeof entry.path === 'string' ? entry.path : typeof entry.name === 'string' ? entry.name : fallbackPath;
  if (path === undefined) return undefined;
  const size = typeof entry.size === 'number' ? entry.size : typeof entry.bytes === 'number' ? entry.bytes : undefined;
  const sha256 = typeof entry.sha256 === 'string' ? entry.sha256 : undefined;
  return { path, size, sha256 };
}

/** Accepts `files: [{ path, size, sha256 }]` or `files: { "<path>": { size, sha256 } }`; undefined when it is neither. */
export function readManifestFiles(files: unknown): ManifestFile[] | undefined {
  const entries = Array.isArray(files)
    ? files.map((entry) => toManifestFile(entry))
    : isRecord(files)
      ? Object.entries(files).map(([path, entry]) => toManifestFile(entry, path))
      : undefined;
  if (!entries || entries.some((entry) => entry === undefined)) return undefined;
  return entries as ManifestFile[];
}

function renderFilesTable(files: ManifestFile[]): SafeHtml {
  const rows = files.map((file) => html`<tr><td><code>${file.path}</code></td><td class="num" title="${file.size === undefined ? '' : `${file.size} bytes`}">${file.size === undefined ? '–' : formatBytes(file.size)}</td><td><code class="hash">${file.sha256 ?? '–'}</code></td></tr>`);
  return html`<div class="table-scroll"><table class="data">
<thead><tr><th>file</th><th class="num">size</th><th>sha256</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Short values inline, lists of names comma-separated, anything nested as indented JSON. */
function renderFieldValue(value: unknown): SafeHtml {
  if (isPrimitive(value)) return html`${String(value)}`;
  if (Array.isArray(value) && value.every(isPrimitive) && value.length <= 200) {
    return html`${value.map((item) => String(item)).join(', ')}`;
  }
  if (isRecord(value) && Object.values(value).every(isPrimitive)) {
    return html`<dl class="inline-fields">${Object.entries(value).map(([key, item]) => html`<dt>${key}</dt><dd>${String(item)}</dd>`)}</dl>`;
  }
  return html`<pre>${compactJson(value)}</pre>`;
}

/**
 * Indented JSON with arrays of plain values kept on one line (a shape [-1, 28, 28, 1] reads
 * better than six lines). Only formatting newlines are touched: JSON escapes those inside strings.
 */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[[^[\]{}]*\]/g, (array) => array.replace(/\n\s*/g, ' ').replace(/\[ /, '[').replace(/ \]$/, ']'));
}

export function renderManifest(manifest: unknown): SafeHtml {
  if (manifest === undefined) return html``;
  if (!isRecord(manifest)) {
    return html`<section id="manifest"><h2>Manifest</h2>${renderFieldValue(manifest)}</section>`;
  }
  const files = readManifestFiles(manifest.files);
  const otherFields = Object.entries(manifest).filter(([key]) => !(key === 'files' && files));
  return html`<section id="manifest">
<h2>Manifest</h2>
${files ? renderFilesTable(files) : ''}
${otherFields.length > 0 ? html`<table class="fields"><tbody>${otherFields.map(([key, value]) => html`<tr><th>${key}</th><td>${renderFieldValue(value)}</td></tr>`)}</tbody></table>` : ''}
</section>`;
}
