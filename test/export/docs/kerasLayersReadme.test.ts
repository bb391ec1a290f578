/** The README's generated parts match the registry and the example plugin the tests run. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  KERAS_LAYERS_MARKERS,
  PLUGIN_EXAMPLE_MARKERS,
  renderKerasLayers,
  renderPluginExample,
  type Markers,
} from '../../../export/docs/kerasLayersReadme.ts';
import { supportedLayerClasses } from '../../../export/layersModel/layers/index.ts';

const README = new URL('../../../README.md', import.meta.url);
const UPDATE = 'run `npx tsx export/docs/updateKerasLayersReadme.ts`';

function between(text: string, markers: Markers): string {
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  expect(start, `README has ${markers.start}`).toBeGreaterThanOrEqual(0);
  expect(end, `README has ${markers.end}`).toBeGreaterThan(start);
  return text.slice(start + markers.start.length, end).trim();
}

describe('README', () => {
  it(`lists exactly the layers the registry converts (${UPDATE} after adding one)`, async () => {
    const readme = await readFile(README, 'utf8');
    const listed = between(readme, KERAS_LAYERS_MARKERS);
    expect(listed, UPDATE).toBe(renderKerasLayers());
    for (const className of supportedLayerClasses()) expect(listed).toContain(className);
  });

  it(`shows the pixel-shuffle plugin the tests load, verbatim (${UPDATE} after editing it)`, async () => {
    const readme = await readFile(README, 'utf8');
    expect(between(readme, PLUGIN_EXAMPLE_MARKERS), UPDATE).toBe(await renderPluginExample());
  });
});
