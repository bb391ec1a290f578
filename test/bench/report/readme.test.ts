import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { README_END, README_START, replaceResultsSection, resultsSection } from '../../../bench/report/readme.ts';
import { resultTables } from '../../../bench/report/resultTables.ts';
import { renderMarkdown } from '../../../bench/report/table.ts';
import type { BenchResults } from '../../../bench/results.ts';

const BENCH = path.resolve(import.meta.dirname, '..', '..', '..', 'bench');

describe('bench/README.md', () => {
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
