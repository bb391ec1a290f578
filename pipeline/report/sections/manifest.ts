/**
 * manifest.json as tables a person reads: the files (size, sha256), then every other field under
 * its manifest name. The manifest's shape belongs to the package stage (and grows as stages are
 * added), so it is read defensively: known fields get a purpose-made table, anything else is
 * laid out from its structure (lists of objects become tables, objects become field lists), and
 * nothing is shown as raw JSON.
 */
import { formatBytes } from '../../../common/format.ts';
import { formatCount, formatPercent } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { ReportSection } from '../section.ts';

interface ManifestFile {
  path: string;
  size?: number;
  sha256?: string;
}

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
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

/** Accepts `files: [{ path, bytes|size, sha256 }]` or `files: { "<path>": { size, sha256 } }`; undefined when it is neither. */
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
  const rows = files.map(
    (file) =>
      html`<tr><td><code>${file.path}</code></td><td class="num" title="${file.size === undefined ? '' : `${formatCount(file.size)} bytes`}">${file.size === undefined ? '–' : formatBytes(file.size)}</td><td><code class="hash">${file.sha256 ?? '–'}</code></td></tr>`,
  );
  const total = files.reduce((sum, file) => sum + (file.size ?? 0), 0);
  return html`<div class="table-scroll"><table class="data manifest-files">
<thead><tr><th>file</th><th class="num">size</th><th>sha256</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><td>${files.length} files</td><td class="num">${formatBytes(total)}</td><td></td></tr></tfoot>
</table></div>`;
}

/** A tensor shape with symbolic dimensions by name: [batch, 28, 28, 1]. */
function formatTensorShape(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.map((dimension) => String(dimension)).join(', ')}]` : renderPlain(shape);
}

/** `signature: { inputs: [{ name, elementType, shape }], outputs: [...] }` as one table; undefined when it is not that. */
function renderSignature(signature: unknown): SafeHtml | undefined {
  if (!isRecord(signature)) return undefined;
  const tensors = Object.entries(signature).flatMap(([role, list]) =>
    Array.isArray(list) ? list.map((tensor) => [role, tensor] as const) : [],
  );
  if (tensors.length === 0 || tensors.some(([, tensor]) => !isRecord(tensor))) return undefined;
  const rows = tensors.map(([role, tensor]) => {
    const { name, elementType, shape } = tensor as JsonRecord;
    return html`<tr><td>${role.replace(/s$/, '')}</td><td><code>${renderPlain(name)}</code></td><td>${renderPlain(elementType)}</td><td><code>${formatTensorShape(shape)}</code></td></tr>`;
  });
  return html`<table class="data nested"><thead><tr><th></th><th>name</th><th>type</th><th>shape</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Fields a reader knows better in their own units. */
const FIELD_RENDERERS: Record<string, (value: unknown) => SafeHtml | undefined> = {
  signature: renderSignature,
  testAccuracy: (value) => (typeof value === 'number' ? html`${formatPercent(value)}` : undefined),
};

function renderPlain(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Any JSON value as markup: plain values as text, lists of plain values comma-separated, lists of objects as a table, objects as a field list. */
export function renderReadable(value: unknown): SafeHtml {
  if (isPrimitive(value) || value === undefined) return html`${renderPlain(value)}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return html`<span class="muted">none</span>`;
    if (value.every(isPrimitive)) return html`${value.map(renderPlain).join(', ')}`;
    if (value.every(isRecord)) return renderRecordList(value);
    return html`<ol class="plain-list">${value.map((item) => html`<li>${renderReadable(item)}</li>`)}</ol>`;
  }
  const entries = Object.entries(value as JsonRecord);
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`<dl class="inline-fields">${entries.map(([key, item]) => html`<dt>${key}</dt><dd>${renderReadable(item)}</dd>`)}</dl>`;
}

/** A list of objects as a table whose columns are their keys, in order of first appearance. */
function renderRecordList(records: JsonRecord[]): SafeHtml {
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
  return html`<div class="table-scroll"><table class="data nested">
<thead><tr>${columns.map((column) => html`<th>${column}</th>`)}</tr></thead>
<tbody>${records.map((record) => html`<tr>${columns.map((column) => html`<td>${renderReadable(record[column])}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

function renderField(key: string, value: unknown): SafeHtml {
  const rendered = FIELD_RENDERERS[key]?.(value) ?? renderReadable(value);
  return html`<tr data-field="${key}"><th>${key}</th><td>${rendered}</td></tr>`;
}

function renderManifest(manifest: unknown): SafeHtml {
  if (!isRecord(manifest)) return renderReadable(manifest);
  const files = readManifestFiles(manifest.files);
  const otherFields = Object.entries(manifest).filter(([key]) => !(key === 'files' && files));
  return html`<p class="muted">What <code>manifest.json</code> records about this run's artifacts (paths relative to the artifacts folder).</p>
${files ? renderFilesTable(files) : ''}
${otherFields.length > 0 ? html`<table class="fields"><tbody>${otherFields.map(([key, value]) => renderField(key, value))}</tbody></table>` : ''}`;
}

export const manifestSection: ReportSection = {
  id: 'manifest',
  title: 'Manifest',
  render: ({ manifest }) => (manifest === undefined ? undefined : { body: renderManifest(manifest) }),
};
