/**
 * Bundles the browser entry with Vite the way an app would (importing '@tfjs-onnx/runtime' with
 * browser conditions) and checks that nothing Node-only got in and that the .wasm is emitted
 * from the installed onnxruntime-web as a local asset, not fetched from a CDN.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const runtimeDir = dirname(dirname(fileURLToPath(import.meta.url)));
// Inside the package so that '@tfjs-onnx/runtime' resolves through the workspace link; git-ignored.
const appDir = join(runtimeDir, 'test-output', `vite-app-${process.pid}`);

let chunks: Rolldown.OutputChunk[];
let assets: Rolldown.OutputAsset[];

beforeAll(async () => {
  if (!existsSync(join(runtimeDir, 'dist', 'index.browser.js'))) throw new Error('runtime/dist is missing: run `npm run build` first (npm test does)');
  await mkdir(appDir, { recursive: true });
  await writeFile(join(appDir, 'index.html'), '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>\n');
  await writeFile(
    join(appDir, 'main.js'),
    [
      "import { loadClassifier } from '@tfjs-onnx/runtime';",
      "const classifier = await loadClassifier('./model.onnx');",
      'const canvas = document.querySelector("canvas");',
      "const [result] = await classifier.classify(canvas.getContext('2d').getImageData(0, 0, 28, 28));",
      'document.body.textContent = `${classifier.device}: ${result.top[0].label}`;',
    ].join('\n'),
  );
  const output = await build({
    root: appDir,
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, target: 'esnext', outDir: join(appDir, 'dist') },
  });
  const results = (Array.isArray(output) ? output : [output]) as Rolldown.RolldownOutput[];
  const files = results.flatMap((r) => r.output);
  chunks = files.filter((f): f is Rolldown.OutputChunk => f.type === 'chunk');
  assets = files.filter((f): f is Rolldown.OutputAsset => f.type === 'asset');
}, 120_000);

afterAll(() => rm(appDir, { recursive: true, force: true }));

describe('browser bundle of @tfjs-onnx/runtime', () => {
  it('uses the browser entry and onnxruntime-web', () => {
    const modules = chunks.flatMap((c) => c.moduleIds);
    expect(modules.some((id) => id.endsWith(join('runtime', 'dist', 'index.browser.js')))).toBe(true);
    expect(modules.some((id) => id.includes(join('node_modules', 'onnxruntime-web')))).toBe(true);
  });

  it('contains neither onnxruntime-node, the Node image decoders nor Node built-ins', () => {
    const modules = chunks.flatMap((c) => c.moduleIds);
    for (const forbidden of ['onnxruntime-node', 'pngjs', 'jpeg-js', 'index.node.js', 'source.node.js', '__vite-browser-external']) {
      expect(modules.filter((id) => id.includes(forbidden)), forbidden).toEqual([]);
    }
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const chunk of chunks) {
      expect(chunk.imports.filter((i) => builtins.has(i)), chunk.fileName).toEqual([]);
      expect(chunk.code).not.toMatch(/from\s+["']node:|require\(["'](fs|path|zlib|node:[a-z_/]+)["']\)/);
      expect(chunk.code).not.toContain('onnxruntime_binding');
    }
  });

  it('emits onnxruntime-web’s .wasm as a local asset and loads nothing from a CDN', () => {
    expect(assets.map((a) => a.fileName).filter((name) => name.endsWith('.wasm')).length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(chunk.code).not.toMatch(/cdn\.jsdelivr\.net|unpkg\.com/);
  });
});
