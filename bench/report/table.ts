/**
 * A table of results and the two ways it is printed: plain text for the terminal and markdown for
 * bench/README.md, both from the same rows, so the printed table, the README and latest.json never
 * disagree. Each section builds its own tables (sections/<name>/tables.ts) with the formatting here.
 */
import type { Spread } from '../../common/stats.ts';

export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  notes: string[];
}

/** Three significant figures at most, thousands separated: enough for noisy figures, short in a table. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return '0';
  return value.toPrecision(3);
}

export function formatSpread(value: Spread): string {
  return `${formatNumber(value.median)} (${formatNumber(value.min)}–${formatNumber(value.max)})`;
}

/** The table with a note saying why its section has no figures. */
export function failed(table: Table, run: { error?: string }): Table {
  table.notes.push(`failed: ${run.error ?? 'no data'}`);
  return table;
}

export function renderText(tables: Table[]): string {
  return tables
    .map((table) => {
      const widths = table.header.map((title, column) => Math.max(title.length, ...table.rows.map((row) => (row[column] ?? '').length)));
      const line = (cells: string[]) =>
        cells
          .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
          .join('  ')
          .trimEnd();
      return [
        `== ${table.title}`,
        line(table.header),
        line(widths.map((width) => '-'.repeat(width))),
        ...table.rows.map(line),
        ...table.notes.map((note) => `   ${note}`),
      ].join('\n');
    })
    .join('\n\n');
}

export function renderMarkdown(tables: Table[]): string {
  const escapePipes = (cell: string) => cell.replace(/\|/g, '\\|');
  return tables
    .map((table) => {
      const lines = [
        `### ${table.title}`,
        '',
        `| ${table.header.map(escapePipes).join(' | ')} |`,
        `|${table.header.map(() => '---').join('|')}|`,
        ...table.rows.map((row) => `| ${row.map(escapePipes).join(' | ')} |`),
      ];
      if (table.notes.length > 0) lines.push('', ...table.notes.map((note) => `- ${note}`));
      return lines.join('\n');
    })
    .join('\n\n');
}
