import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { README_END, README_START, replaceResultsSection, resultsSection } from '../../../bench/report/readme.ts';
import { resultTables } from '../../../bench/report/resultTables.ts';
import { renderMarkdown } from '../../../bench/report/table.ts';
import type { BenchResults } from '../../../bench/results.ts';

const BENCH = path.resolve(import.meta.dirname, '..', '..', '..', 'bench');

/** The files named in the first column of the README's "## Files" table, relative to bench/, `a/{b,c}.ts` expanded. */
function listedFiles(readme: string): string[] {
  const section = readme.slice(readme.indexOf('\n## Files\n'), readme.indexOf('\n## ', readme.indexOf('\n## Files\n') + 1));
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  const names = rows.flatMap((row) => [...row.split(' | ')[0]!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
  return names.flatMap((name) => {
    const braces = /^(.*)\{([^}]+)\}(.*)$/.exec(name);
    return braces ? braces[2]!.split(',').map((part) => `${braces[1]}${part}${braces[3]}`) : [name];
  });
}

/** bench/'s source files (TypeScript and Python), relative to bench/. */
function sourceFiles(): string[] {
  return (readdirSync(BENCH, { recursive: true }) as string[])
    .filter((file) => /\.(ts|py)$/.test(file))
    .map((file) => file.split(path.sep).join('/'));
}

describe('bench/README.md', () => {
  it('replaces only the text between the README markers', () => {
    const readme = `# Title\n\n${README_START}\nold\n${README_END}\n\nafter\n`;
    const updated = replaceResultsSection(readme, 'new table');
    expect(resultsSection(updated)).toBe('new table');
    expect(updated.startsWith('# Title\n\n')).toBe(true);
    expect(updated.endsWith(`${README_END}\n\nafter\n`)).toBe(true);
    expect(() => replaceResultsSection('# no markers', 'x')).toThrow(/markers/);
  });

  // The README's table is generated from latest.json (committed with it); this catches a hand edit or a forgotten refresh.
  it('bench/README.md shows exactly what results/latest.json holds', () => {
    const results = JSON.parse(readFileSync(path.join(BENCH, 'results', 'latest.json'), 'utf8')) as BenchResults;
    const readme = readFileSync(path.join(BENCH, 'README.md'), 'utf8');
    expect(resultsSection(readme)).toBe(renderMarkdown(resultTables(results)));
  });

  it('lists every source file of bench/, and only files that exist', () => {
    const listed = listedFiles(readFileSync(path.join(BENCH, 'README.md'), 'utf8'));
    expect(
      listed.filter((file) => !existsSync(path.join(BENCH, file))),
      'listed but missing',
    ).toEqual([]);
    expect(
      sourceFiles().filter((file) => !listed.includes(file)),
      'in bench/ but not listed',
    ).toEqual([]);
    expect(listed.length).toBe(new Set(listed).size);
  });

  it('links only to files that exist', () => {
    const readme = readFileSync(path.join(BENCH, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((match) => match[1]!).filter((link) => !/^[a-z]+:/.test(link));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !existsSync(path.join(BENCH, link)))).toEqual([]);
  });
});
