/**
 * Paths as bench/results/latest.json records them: relative to the repository, or `scratch/…` for
 * the files this run made in its scratch directory (removed at the end). Never absolute: the
 * results are committed, and read on other machines.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../common/project.ts';
import type { PreparedModels } from './sections/definition.ts';

export function recordedPath(file: string, workDirectory: string): string {
  const absolute = path.resolve(PROJECT_ROOT, file);
  const inScratch = path.relative(workDirectory, absolute);
  const relative =
    inScratch.startsWith('..') || path.isAbsolute(inScratch) ? path.relative(PROJECT_ROOT, absolute) : path.join('scratch', inScratch);
  return relative.split(path.sep).join('/');
}

/** The prepared models with their files as recorded paths (the sections themselves get the real ones). */
export function recordedModels(models: PreparedModels, workDirectory: string): PreparedModels {
  return Object.fromEntries(
    Object.entries(models).map(([name, model]) => [
      name,
      { ...model, tfjs: recordedPath(model.tfjs, workDirectory), onnx: recordedPath(model.onnx, workDirectory) },
    ]),
  ) as PreparedModels;
}

/** The command line with any absolute path in it (`--mlp /data/model.json`, `--out=/tmp/x.json`) recorded relative to the repository. */
export function recordedArguments(argv: string[], workDirectory: string): string[] {
  return argv.map((argument) => {
    const [flag, value] =
      argument.startsWith('--') && argument.includes('=')
        ? [argument.slice(0, argument.indexOf('=') + 1), argument.slice(argument.indexOf('=') + 1)]
        : ['', argument];
    return path.isAbsolute(value) ? `${flag}${recordedPath(value, workDirectory)}` : argument;
  });
}
