/** README's float16 op table is generated from export/backend/precision/float16Kernels.ts; this fails when they drift apart. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FLOAT16_OPS, FLOAT32_OPS } from '../../../../export/backend/precision/float16Kernels.ts';
import {
  FLOAT16_OPS_END,
  FLOAT16_OPS_START,
  README_PATH,
  renderFloat16Section,
} from '../../../../export/backend/precision/readmeSection.ts';

describe('README float16 op table', () => {
  it('matches the lists (regenerate with npx tsx export/backend/precision/readmeSection.ts --write)', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    const section = readme.slice(readme.indexOf(FLOAT16_OPS_START), readme.indexOf(FLOAT16_OPS_END) + FLOAT16_OPS_END.length);
    expect(section).toBe(renderFloat16Section());
    for (const op of [...Object.keys(FLOAT16_OPS), ...Object.keys(FLOAT32_OPS)]) expect(section).toContain(`\`${op}\``);
  });
});
