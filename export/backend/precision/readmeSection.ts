/**
 * The README's table of which ops the fp16 variant computes in float16 and why the others stay
 * float32, generated from float16Kernels.ts (one source of truth):
 * `npx tsx export/backend/precision/readmeSection.ts --write` refreshes the section between the markers;
 * a test fails when the README and the lists disagree.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FLOAT16_OPS, FLOAT32_OPS } from './float16Kernels.ts';

export const FLOAT16_OPS_START =
  '<!-- float16-ops:start (generated from export/backend/precision/float16Kernels.ts by `npx tsx export/backend/precision/readmeSection.ts --write`; do not edit) -->';
export const FLOAT16_OPS_END = '<!-- float16-ops:end -->';

export function renderFloat16Section(): string {
  const rows = new Map<string, { precision: string; why: string; ops: string[] }>();
  const add = (precision: string, why: string, op: string) => {
    const key = `${precision} ${why}`;
    if (!rows.has(key)) rows.set(key, { precision, why, ops: [] });
    rows.get(key)!.ops.push(op);
  };
  for (const [op, why] of Object.entries(FLOAT16_OPS)) add('float16', why, op);
  for (const [op, reasons] of Object.entries(FLOAT32_OPS)) add('float32', reasons.join('; '), op);
  return [
    FLOAT16_OPS_START,
    '| computes in | ops | why |',
    '| --- | --- | --- |',
    ...[...rows.values()].map(
      (row) =>
        `| ${row.precision} | ${row.ops
          .sort()
          .map((op) => `\`${op}\``)
          .join(', ')} | ${row.why} |`,
    ),
    '| float32 | any other op | not verified to have float16 kernels |',
    FLOAT16_OPS_END,
  ].join('\n');
}

export const README_PATH = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** The README text with its section replaced (throws if the markers are missing). */
export function withFloat16Section(readme: string): string {
  const start = readme.indexOf(FLOAT16_OPS_START);
  const end = readme.indexOf(FLOAT16_OPS_END);
  if (start < 0 || end < start) throw new Error('README.md has no float16-ops section markers');
  return readme.slice(0, start) + renderFloat16Section() + readme.slice(end + FLOAT16_OPS_END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  await writeFile(README_PATH, withFloat16Section(await readFile(README_PATH, 'utf8')));
}
