/**
 * Bundles the browser entry with Vite the way an app would (importing '@tfjs-onnx/runtime' with
 * browser conditions, minified), checks that nothing Node-only got in and that onnxruntime-web's
 * .wasm is emitted as a local asset, then runs the bundle in headless Chromium (Debian's chromium
 * package: without it the test fails naming it) and compares its probabilities with
 * onnxruntime-node's (device 'cpu').
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../src/index.node.ts';
import { buildTinyClassifier } from '../../test/helpers/fixtures/models.ts';
import { randomPixels } from '../../test/helpers/fixtures/images.ts';
import { maxAbsDiff } from '../../test/helpers/tensors.ts';
import { launchChromium, serveDirectory } from '../../test/helpers/browser.ts';

const runtimeDir = dirname(dirname(fileURLToPath(import.meta.url)));
// Inside the package so that '@tfjs-onnx/runtime' resolves through the workspace link; git-ignored.
const appDir = join(runtimeDir, 'test-output', `vite-app-${process.pid}`);
const outDir = join(appDir, 'dist');
const LABELS = ['zero', 'one', 'two', 'three', 'four', 'five'];
const model = buildTinyClassifier({
  inputShape: [null, 10, 10, 1],
  classCount: 6,
  seed: 21,
  metadata: { 'tfjs_onnx.labels': JSON.stringify(LABELS) },
});

const APP = `
import { loadClassifier, RuntimeInputError } from '@tfjs-onnx/runtime';

// Called by the test through page.evaluate: classify RGBA pixels as an ImageData.
window.classifyPixels = async (rgba, width, height) => {
  const classifier = await loadClassifier('./model.onnx');
  const [result] = await classifier.classify(new ImageData(new Uint8ClampedArray(rgba), width, height), { topK: 2 });
  let pngError;
  try {
    await classifier.classify(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
  } catch (error) {
    pngError = { name: error.name, isRuntimeInputError: error instanceof RuntimeInputError, message: error.message };
  }
  const after = await classifier.classify(new ImageData(new Uint8ClampedArray(rgba), width, height));
  await classifier.dispose();
  return { device: classifier.device, hadWebGpu: 'gpu' in navigator, labels: classifier.labels, top: result.top, probabilities: Array.from(result.probabilities), pngError, stillWorks: after.length === 1 };
};
`;

let chunks: Rolldown.OutputChunk[];
let assets: Rolldown.OutputAsset[];

beforeAll(async () => {
  if (!existsSync(join(runtimeDir, 'dist', 'index.browser.js')))
    throw new Error('runtime/dist is missing: run `npm run build` first (npm test does)');
  await mkdir(join(appDir, 'public'), { recursive: true });
  await writeFile(
    join(appDir, 'index.html'),
    '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="module" src="./main.js"></script></body></html>\n',
  );
  await writeFile(join(appDir, 'main.js'), APP);
  await writeFile(join(appDir, 'public', 'model.onnx'), model.bytes);
  const output = await build({
    root: appDir,
    configFile: false,
    logLevel: 'silent',
    build: { outDir, target: 'es2022', emptyOutDir: true },
  });
  const files = (Array.isArray(output) ? output : [output]).flatMap((r) => (r as Rolldown.RolldownOutput).output);
  chunks = files.filter((f): f is Rolldown.OutputChunk => f.type === 'chunk');
  assets = files.filter((f): f is Rolldown.OutputAsset => f.type === 'asset');
}, 120_000);

afterAll(() => rm(appDir, { recursive: true, force: true }));

describe('Vite bundle of @tfjs-onnx/runtime', () => {
  it('uses the browser entry and onnxruntime-web', () => {
    const modules = chunks.flatMap((c) => c.moduleIds);
    expect(modules.some((id) => id.endsWith(join('runtime', 'dist', 'index.browser.js')))).toBe(true);
    expect(modules.some((id) => id.includes(join('node_modules', 'onnxruntime-web')))).toBe(true);
  });

  it('contains neither onnxruntime-node, the Node image decoders nor Node built-ins', () => {
    const modules = chunks.flatMap((c) => c.moduleIds);
    for (const forbidden of ['onnxruntime-node', 'pngjs', 'jpeg-js', 'index.node.js', 'source.node.js', '__vite-browser-external']) {
      expect(
        modules.filter((id) => id.includes(forbidden)),
        forbidden,
      ).toEqual([]);
    }
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const chunk of chunks) {
      expect(
        chunk.imports.filter((i) => builtins.has(i)),
        chunk.fileName,
      ).toEqual([]);
      expect(chunk.code).not.toMatch(/from\s*["']node:|require\(["'](fs|path|zlib|node:[a-z_/]+)["']\)/);
      expect(chunk.code).not.toContain('onnxruntime_binding');
    }
  });

  it('emits onnxruntime-web’s .wasm as a local asset and references no CDN', () => {
    expect(assets.map((a) => a.fileName).filter((name) => name.endsWith('.wasm')).length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(chunk.code).not.toMatch(/cdn\.jsdelivr\.net|unpkg\.com/);
  });
});

describe('the bundle in headless Chromium', () => {
  it('classifies an ImageData like onnxruntime-node, with local files only', async () => {
    const server = await serveDirectory(outDir);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const consoleLines: string[] = [];
      page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith(origin) && !request.url().startsWith('data:') && !request.url().startsWith('blob:'))
          problems.push(`request ${request.url()}`);
      });
      await page.goto(`${origin}/`, { waitUntil: 'load' });
      await page.waitForFunction(() => 'classifyPixels' in window);
      const rgba = randomPixels(20 * 20 * 4, 5);
      const result = (await page.evaluate(
        ([pixels, w, h]) =>
          (window as unknown as { classifyPixels: (p: number[], w: number, h: number) => Promise<unknown> }).classifyPixels(pixels, w, h),
        [Array.from(rgba), 20, 20] as const,
      )) as {
        device: string;
        hadWebGpu: boolean;
        labels: string[];
        top: { label: string }[];
        probabilities: number[];
        pngError: { name: string; isRuntimeInputError: boolean; message: string };
        stillWorks: boolean;
      };

      // The default device is the CPU everywhere: WebAssembly, with no WebGPU attempt (and so no fallback warning).
      expect(result.device).toBe('wasm');
      expect(consoleLines.filter((line) => line.includes('WebGPU'))).toEqual([]);
      expect(consoleLines.filter((line) => line.startsWith('error'))).toEqual([]);
      expect(result.labels).toEqual(LABELS);
      const native = await loadClassifier(model.bytes);
      const [expected] = await native.classify({ data: new Uint8ClampedArray(rgba), width: 20, height: 20 }, { topK: 2 });
      await native.dispose();
      expect(maxAbsDiff(result.probabilities, expected!.probabilities)).toBeLessThanOrEqual(1e-5);
      expect(result.top.map((p) => p.label)).toEqual(expected!.top.map((p) => p.label));
      expect(result.pngError).toEqual({
        name: 'ImageDecodeError',
        isRuntimeInputError: true,
        message: expect.stringMatching(/the PNG image \(10 bytes\) cannot be decoded: it ends after 10 bytes, inside the PNG header/),
      });
      expect(result.stillWorks).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});
