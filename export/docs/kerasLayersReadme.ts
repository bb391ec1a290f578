/**
 * The README's list of supported Keras layers and its custom-layer example, generated from the
 * layer declarations (classes by family, the option values each refuses and why) and from
 * examples/ so they cannot drift from the code (test/export/docs/kerasLayersReadme.test.ts
 * fails when they do; `npx tsx export/docs/updateKerasLayersReadme.ts` rewrites them).
 */
import { readFile } from 'node:fs/promises';
import { supportedActivations } from '../layersModel/activations.ts';
import { aliasesOf, builtInLayerFamilies } from '../layersModel/layers/index.ts';
import { unsupportedLayers } from '../layersModel/layers/unsupported.ts';
import { MODEL_CLASSES } from '../layersModel/reader/modelTopology.ts';

export interface Markers {
  start: string;
  end: string;
}

export const KERAS_LAYERS_MARKERS: Markers = { start: '<!-- keras-layers:start -->', end: '<!-- keras-layers:end -->' };
export const PLUGIN_EXAMPLE_MARKERS: Markers = { start: '<!-- layer-plugin-example:start -->', end: '<!-- layer-plugin-example:end -->' };

export const PLUGIN_EXAMPLE = new URL('../../examples/pixel-shuffle-plugin.js', import.meta.url);

const RECURRENT_CELLS = ['SimpleRNNCell', 'LSTMCell', 'GRUCell', 'StackedRNNCells'];

/** Markdown: the supported classes per family, activations, and what is not supported and why. */
export function renderKerasLayers(): string {
  const withAliases = (className: string) => {
    const aliases = aliasesOf(className);
    return aliases.length ? `${className} (${aliases.join(', ')})` : className;
  };
  const rows = builtInLayerFamilies().map(({ family, classes }) => `| ${family} | ${classes.map(withAliases).join(', ')} |`);
  rows.push(`| models | ${MODEL_CLASSES.join(', ')}: a model used as a layer, to any depth; InputLayer |`);
  rows.push(`| recurrent cells | ${RECURRENT_CELLS.join(', ')}, inside RNN |`);
  return [
    '| family | Keras classes (older names) |',
    '| --- | --- |',
    ...rows,
    '',
    `Activations (as \`activation\`, \`recurrent_activation\` or an Activation layer; tfjs's camelCase spellings too): ${supportedActivations.map((name) => `\`${snakeCase(name)}\``).join(', ')}.`,
    '',
    'Not supported, and why:',
    '',
    ...Object.entries(unsupportedLayers).map(([className, reason]) => `- \`${className}\`: ${reason}.`),
    ...refusedOptions(),
  ].join('\n');
}

/** Every option value a declaration refuses, once per option, value and reason, with the classes that refuse it. */
function refusedOptions(): string[] {
  const refusals = new Map<string, { line: string; classes: string[] }>();
  for (const { definitions } of builtInLayerFamilies()) {
    for (const [className, definition] of Object.entries(definitions)) {
      for (const [key, declaration] of Object.entries(definition.options)) {
        const refused = declaration.refused;
        if (!refused) continue;
        const line = `\`${snakeCase(key)}\` ${refused.values}`;
        const id = `${line}\u0000${refused.reason}`;
        const entry = refusals.get(id) ?? { line, classes: [] };
        entry.classes.push(className);
        refusals.set(id, entry);
      }
    }
  }
  return [...refusals].map(([id, { line, classes }]) => `- ${line} (${classes.join(', ')}): ${id.split('\u0000')[1]}.`);
}

/** Keras's spelling of a camelCased name: hardSigmoid → hard_sigmoid. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export async function renderPluginExample(): Promise<string> {
  const code = await readFile(PLUGIN_EXAMPLE, 'utf8');
  return ['```js', code.trimEnd(), '```'].join('\n');
}

/** `text` with the part between the markers replaced by `content` (the markers must both be there). */
export function replaceBetween(text: string, markers: Markers, content: string): string {
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  if (start < 0 || end < start) throw new Error(`README lacks the markers ${markers.start} … ${markers.end}`);
  return `${text.slice(0, start + markers.start.length)}\n${content}\n${text.slice(end)}`;
}

/** The README with both generated parts brought up to date. */
export async function renderReadme(current: string): Promise<string> {
  const withLayers = replaceBetween(current, KERAS_LAYERS_MARKERS, renderKerasLayers());
  return replaceBetween(withLayers, PLUGIN_EXAMPLE_MARKERS, await renderPluginExample());
}
