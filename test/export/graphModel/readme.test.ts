/** README's TF-op list is generated from the handler registry; this fails when they drift apart. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { supportedTfOps } from '../../../export/tfOps/index.ts';
import { README_PATH, TF_OPS_END, TF_OPS_START, renderTfOpSection } from '../../../export/tfOps/readmeSection.ts';

describe('README TF-op coverage', () => {
  it('matches the handler registry (regenerate with npx tsx export/tfOps/readmeSection.ts --write)', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    const section = readme.slice(readme.indexOf(TF_OPS_START), readme.indexOf(TF_OPS_END) + TF_OPS_END.length);
    expect(section).toBe(renderTfOpSection());
    for (const op of supportedTfOps()) expect(section).toContain(`\`${op}\``);
  });
});
