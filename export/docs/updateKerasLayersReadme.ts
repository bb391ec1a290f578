/** Rewrites the README's generated Keras-layer list and plugin example: `npx tsx export/docs/updateKerasLayersReadme.ts`. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../common/files.ts';
import { renderReadme } from './kerasLayersReadme.ts';

const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
await writeFileAtomic(readme, await renderReadme(await readFile(readme, 'utf8')));
