/**
 * The project's own package.json, found from wherever this module runs: from the TypeScript
 * sources (tests, tsx) or from the compiled JavaScript in dist/ that the bin runs. A path fixed
 * relative to one of them would point beside the package.json in the other.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The command our package.json's `bin` installs: what marks it, whatever the package is named. */
const BIN_NAME = 'tfjs-onnx';

/** The repository (or installed package) root: the nearest folder above this module whose package.json installs tfjs-onnx. */
export const PROJECT_ROOT = findProjectRoot(import.meta.dirname);

function findProjectRoot(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: Record<string, string> }).bin?.[BIN_NAME])
      return directory;
    if (directory === path.dirname(directory)) throw new Error(`no package.json with the ${BIN_NAME} command above ${start}`);
  }
}

let version: string | undefined;

/** The project's version, from its package.json (the one source of truth). */
export function projectVersion(): string {
  version ??= (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  return version;
}
