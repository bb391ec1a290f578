/** `npm run bench -- [flags]`: the command line, validated once here. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidOptionError } from '../common/errors.ts';
import { SECTION_NAMES, type SectionName } from './sections/registry.ts';
import type { ModelName } from './settings.ts';

export const DEFAULT_OUT = path.join('bench', 'results', 'latest.json');

export interface BenchOptions {
  quick: boolean;
  sections: SectionName[];
  given: Partial<Record<ModelName, { tfjs?: string; onnx?: string }>>;
  out: string;
  /** Only render latest.json as markdown (and refresh bench/README.md); measure nothing. */
  markdown: boolean;
  keep: boolean;
  help: boolean;
}

export const USAGE = `npm run bench -- [options]

  --quick                 shorter run (about 3.5 minutes): fewer steps, calls and requests
  --only a,b              sections to run: ${SECTION_NAMES.join(', ')} (default: all)
  --mlp model.json        a trained tfjs MLP instead of training one (likewise --cnn)
  --mlp-onnx model.onnx   its ONNX file instead of converting it (likewise --cnn-onnx; needs --mlp)
  --out file.json         where the results go (default ${DEFAULT_OUT}; the README table follows only the default)
  --markdown              print the results as markdown and refresh bench/README.md's table; run nothing
  --keep                  keep the run's scratch directory (trained models, ONNX files)
  --help`;

export function parseBenchOptions(argv: string[]): BenchOptions {
  const values = readFlags(argv);
  const given: BenchOptions['given'] = {};
  for (const name of ['mlp', 'cnn'] as ModelName[]) {
    const tfjs = values[name];
    const onnx = values[`${name}-onnx`];
    if (onnx && !tfjs)
      throw new InvalidOptionError(`--${name}-onnx needs --${name} too: tfjs predict is measured on the model it was converted from`);
    if (tfjs) given[name] = { tfjs, onnx };
  }
  return {
    quick: values.quick,
    sections: parseSections(values.only),
    given,
    out: values.out,
    markdown: values.markdown,
    keep: values.keep,
    help: values.help,
  };
}

/** The flags as node:util's parseArgs reads them; what it refuses (an unknown flag, a missing value) comes with the usage. */
function readFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        mlp: { type: 'string' },
        'mlp-onnx': { type: 'string' },
        cnn: { type: 'string' },
        'cnn-onnx': { type: 'string' },
        out: { type: 'string', default: DEFAULT_OUT },
        markdown: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new InvalidOptionError(`${(error as Error).message}\n\n${USAGE}`);
  }
}

export function parseSections(only: string | undefined): SectionName[] {
  if (only === undefined) return [...SECTION_NAMES];
  const requested = only
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = requested.filter((name) => !(SECTION_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || requested.length === 0) {
    throw new InvalidOptionError(`--only takes a comma-separated list of ${SECTION_NAMES.join(', ')}; got "${only}"`);
  }
  // Run in the canonical order whatever order they were named in.
  return SECTION_NAMES.filter((name) => requested.includes(name));
}
