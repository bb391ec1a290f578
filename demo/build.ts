/**
 * Builds the demo page with Vite (the runtime package's browser entry, onnxruntime-web and its .wasm
 * as local assets) and puts the model next to it as model.onnx, the URL the page loads by default.
 * `npm run demo` and the browser tests both build through here.
 */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VARIANT_FILES } from '@tfjs-onnx/runtime/constants';
import { build } from 'vite';
import { InvalidInputError } from '../common/errors.ts';

export const DEMO_ROOT = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DEMO_OUT_DIR = path.join(DEMO_ROOT, 'dist');
/** The runtime's browser entry as the package exports it; Vite resolves '@tfjs-onnx/runtime' to this file. */
const RUNTIME_BROWSER_ENTRY = path.join(DEMO_ROOT, '..', 'runtime', 'dist', 'index.browser.js');

export interface BuildDemoOptions {
  /** The ONNX model served as the page's default ./model.onnx. */
  modelPath: string;
  /** Where the page goes; emptied first (default demo/dist). */
  outDir?: string;
  /** Print Vite's build summary (the CLI does; tests keep quiet). */
  verbose?: boolean;
}

export async function buildDemo(options: BuildDemoOptions): Promise<{ outDir: string }> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_DEMO_OUT_DIR);
  if (!existsSync(options.modelPath))
    throw new InvalidInputError(`${options.modelPath} does not exist: run \`npm run pipeline\` first to train and export the model`);
  if (!existsSync(RUNTIME_BROWSER_ENTRY)) {
    throw new InvalidInputError('runtime/dist is missing: build the runtime first with `npm run build -w @tfjs-onnx/runtime`');
  }
  await build({
    root: DEMO_ROOT,
    // Relative asset URLs: the page works from any folder it is served under.
    base: './',
    configFile: false,
    logLevel: options.verbose ? 'info' : 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      // onnxruntime-web uses top-level await.
      target: 'es2022',
      // onnxruntime-web alone is several hundred kB of JavaScript; that is expected, not a warning.
      chunkSizeWarningLimit: 2048,
    },
  });
  await copyFile(options.modelPath, path.join(outDir, VARIANT_FILES.fp32));
  return { outDir };
}
