/**
 * bench/README.md's generated part: the result tables between two markers, replaced as a whole by
 * `npm run bench` (and `-- --markdown`) so the README shows exactly what results/latest.json holds.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../common/files.ts';
import { PROJECT_ROOT } from '../../common/project.ts';

export const BENCH_README = path.join(PROJECT_ROOT, 'bench', 'README.md');

export const README_START =
  '<!-- bench:results:start (generated from results/latest.json by `npm run bench -- --markdown`; do not edit) -->';
export const README_END = '<!-- bench:results:end -->';

/** The README with the text between the result markers replaced; the markers must both be there. */
export function replaceResultsSection(readme: string, markdown: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`bench/README.md lacks the markers ${README_START} … ${README_END}`);
  return `${readme.slice(0, start + README_START.length)}\n\n${markdown}\n\n${readme.slice(end)}`;
}

export function resultsSection(readme: string): string | undefined {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + README_START.length, end).trim();
}

/** Writes the tables into bench/README.md between the markers (atomically: a reader never sees half a README). */
export async function refreshReadme(markdown: string): Promise<void> {
  const readme = await readFile(BENCH_README, 'utf8');
  await writeFileAtomic(BENCH_README, replaceResultsSection(readme, markdown));
}
