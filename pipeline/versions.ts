/** Installed versions of the libraries an artifact was made and checked with, for the manifest. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectVersion } from '../common/project.ts';

const require = createRequire(import.meta.url);

/** The version in a package's package.json, found by walking up from its entry point (exports may hide package.json). */
export function packageVersion(name: string): string {
  try {
    let directory = path.dirname(require.resolve(name));
    while (directory !== path.dirname(directory)) {
      const manifest = path.join(directory, 'package.json');
      if (existsSync(manifest)) {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
        if (parsed.name === name) return parsed.version ?? 'unknown';
      }
      directory = path.dirname(directory);
    }
  } catch {
    // Not installed: say so rather than fail the manifest.
  }
  return 'not installed';
}

export function toolVersions(): Record<string, string> {
  return {
    'tfjs-onnx': projectVersion(),
    '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'),
    'onnxruntime-node': packageVersion('onnxruntime-node'),
    'onnxruntime-web': packageVersion('onnxruntime-web'),
    node: process.versions.node,
  };
}
