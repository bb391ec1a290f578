/**
 * vitest's global setup: `npm run build` (the sources compiled to dist/) before any test runs,
 * so the tests that run the real `tfjs-onnx` binary never run JavaScript older than the sources.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export default function buildCli(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}${build.error ?? ''}`);
}
