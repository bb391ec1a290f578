/**
 * The README's list of supported TF ops, generated from the handler registry (one source of
 * truth): `npx tsx export/graphModel/tfOps/readmeSection.ts --write` refreshes the section between the
 * markers; a test fails when the README and the registry disagree.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { GRAPH_SOURCE_OPS, tfOpFamilies } from './index.ts';
import { notConvertedTfOps } from './notConverted.ts';

export const TF_OPS_START =
  '<!-- tf-ops:start (generated from export/graphModel/tfOps by `npx tsx export/graphModel/tfOps/readmeSection.ts --write`; do not edit) -->';
export const TF_OPS_END = '<!-- tf-ops:end -->';

export function renderTfOpSection(): string {
  const rows = [
    { title: 'graph inputs and constants', ops: [...GRAPH_SOURCE_OPS] },
    ...tfOpFamilies.map((family) => ({ title: family.title, ops: [...Object.keys(family.ops), ...(family.lowered ?? [])] })),
  ];
  const count = rows.reduce((sum, row) => sum + row.ops.length, 0);
  return [
    TF_OPS_START,
    `${count} TensorFlow ops:`,
    '',
    '| family | ops |',
    '| --- | --- |',
    ...rows.map((row) => `| ${row.title} | ${opList(row.ops)} |`),
    '',
    'Ops tfjs-converter runs that are not converted, and why:',
    '',
    ...notConvertedTfOps.map((group) => `- ${opList(group.ops)}: ${group.reason}.`),
    TF_OPS_END,
  ].join('\n');
}

function opList(ops: readonly string[]): string {
  return [...ops]
    .sort()
    .map((op) => `\`${op}\``)
    .join(', ');
}

/** The README text with its section replaced (throws if the markers are missing). */
export function withTfOpSection(readme: string): string {
  const start = readme.indexOf(TF_OPS_START);
  const end = readme.indexOf(TF_OPS_END);
  if (start < 0 || end < start) throw new Error('README.md has no tf-ops section markers');
  return readme.slice(0, start) + renderTfOpSection() + readme.slice(end + TF_OPS_END.length);
}

export const README_PATH = fileURLToPath(new URL('../../../README.md', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  await writeFile(README_PATH, withTfOpSection(await readFile(README_PATH, 'utf8')));
}
