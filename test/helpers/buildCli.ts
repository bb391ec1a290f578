/**
 * vitest's global setup: compiles the sources to dist/ (`npm run build`) before any test runs,
 * so the tests that run the real `tfjs-onnx` binary never run JavaScript older than the sources.
 * The build is incremental: seconds when nothing changed.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export default function buildCli(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}
