/** README's TF-op list is generated from the handler registry; this fails when they drift apart. */
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { supportedTfOps, tfOpHandler } from '../../../../export/graphModel/tfOps/index.ts';
import { notConvertedTfOps } from '../../../../export/graphModel/tfOps/notConverted.ts';
import { README_PATH, TF_OPS_END, TF_OPS_START, renderTfOpSection } from '../../../../export/graphModel/tfOps/readmeSection.ts';

/** Every TF op name in tfjs-converter's op tables (dist/operations/op_list/*.js). */
async function tfjsConverterOps(): Promise<string[]> {
  const directory = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-converter/package.json')),
    'dist/operations/op_list',
  );
  const files = (await readdir(directory)).filter((file) => file.endsWith('.js'));
  const sources = await Promise.all(files.map((file) => readFile(path.join(directory, file), 'utf8')));
  return [...new Set(sources.flatMap((source) => [...source.matchAll(/'tfOpName': '(\w+)'/g)].map((match) => match[1])))].sort();
}

describe('README TF-op coverage', () => {
  it('matches the handler registry (regenerate with npx tsx export/graphModel/tfOps/readmeSection.ts --write)', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    const section = readme.slice(readme.indexOf(TF_OPS_START), readme.indexOf(TF_OPS_END) + TF_OPS_END.length);
    expect(section).toBe(renderTfOpSection());
    for (const op of supportedTfOps()) expect(section).toContain(`\`${op}\``);
  });

  it('accounts for every op tfjs-converter runs: converted, or listed as not converted with its reason', async () => {
    const notConverted = notConvertedTfOps.flatMap((group) => group.ops);
    expect(
      notConverted.filter((op) => tfOpHandler(op) !== undefined),
      'listed as not converted but handled',
    ).toEqual([]);
    const known = await tfjsConverterOps();
    expect(known.length).toBeGreaterThan(200);
    const supported = new Set(supportedTfOps());
    expect(
      known.filter((op) => !supported.has(op) && !notConverted.includes(op)),
      'neither converted nor listed',
    ).toEqual([]);
    expect(
      notConverted.filter((op) => !known.includes(op)),
      'listed but unknown to tfjs-converter',
    ).toEqual([]);
  });
});
