import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/results.ts';
import { README_END, README_START, formatNumber, formatSpread, renderMarkdown, renderText, replaceResultsSection, resultTables, resultsSection, type Table } from '../../bench/table.ts';

const BENCH = path.resolve(import.meta.dirname, '..', '..', 'bench');

describe('bench tables', () => {
  it('formats figures to at most three significant digits, thousands separated', () => {
    expect(formatNumber(123456.7)).toBe('123,457');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(1.2345)).toBe('1.23');
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(0)).toBe('0');
    expect(formatSpread({ median: 2000, min: 1500.4, max: 2500, repetitions: 3 })).toBe('2,000 (1,500–2,500)');
  });

  const table: Table = { title: 'T', header: ['name', 'value'], rows: [['a|b', '1']], notes: ['a note'] };

  it('renders the same rows as text and as markdown (pipes escaped)', () => {
    expect(renderText([table])).toBe(['== T', 'name  value', '----  -----', 'a|b   1', '   a note'].join('\n'));
    expect(renderMarkdown([table])).toBe(['### T', '', '| name | value |', '|---|---|', '| a\\|b | 1 |', '', '- a note'].join('\n'));
  });

  it('replaces only the text between the README markers', () => {
    const readme = `# Title\n\n${README_START}\nold\n${README_END}\n\nafter\n`;
    const updated = replaceResultsSection(readme, 'new table');
    expect(resultsSection(updated)).toBe('new table');
    expect(updated.startsWith('# Title\n\n')).toBe(true);
    expect(updated.endsWith(`${README_END}\n\nafter\n`)).toBe(true);
    expect(() => replaceResultsSection('# no markers', 'x')).toThrow(/markers/);
  });

  // The README's table is generated from latest.json; this catches a hand edit or a forgotten refresh.
  it.runIf(existsSync(path.join(BENCH, 'results', 'latest.json')))('bench/README.md shows exactly what results/latest.json holds', () => {
    const results = JSON.parse(readFileSync(path.join(BENCH, 'results', 'latest.json'), 'utf8')) as BenchResults;
    const readme = readFileSync(path.join(BENCH, 'README.md'), 'utf8');
    expect(resultsSection(readme)).toBe(renderMarkdown(resultTables(results)));
  });
});
