/**
 * The project's own package.json, found from wherever this module runs: from the TypeScript
 * sources (tests, tsx) or from the compiled JavaScript in dist/ that the bin runs. A path fixed
 * relative to one of them would point beside the package.json in the other.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const PROJECT_NAME = 'tfjs-onnx';

/** The repository root: the nearest folder above this module whose package.json is tfjs-onnx's. */
export const PROJECT_ROOT = findProjectRoot(import.meta.dirname);

function findProjectRoot(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PROJECT_NAME) return directory;
    if (directory === path.dirname(directory)) throw new Error(`no ${PROJECT_NAME} package.json above ${start}`);
  }
}

let version: string | undefined;

/** The project's version, from its package.json (the one source of truth). */
export function projectVersion(): string {
  version ??= (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  return version;
}
