/**
 * The browser entries in headless Chromium, bundled with Vite: every picture input classify()
 * takes there (PNG bytes, Blob, File, <img>, canvas, OffscreenCanvas, ImageBitmap, URL string and
 * URL) gives the probabilities onnxruntime-node gives for the same PNG; the `/wasm` entry
 * carries only onnxruntime-web's plain WebAssembly build and refuses device 'webgpu'; numThreads
 * runs multi-threaded on a cross-origin-isolated page.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../src/index.node.ts';
import { launchChromium, serveDirectory } from '../../test/helpers/browser.ts';
import { encodePng, randomPixels } from '../../test/helpers/fixtures/images.ts';
import { buildTinyClassifier } from '../../test/helpers/fixtures/models.ts';
import { maxAbsDiff } from '../../test/helpers/tensors.ts';

const runtimeDir = dirname(dirname(fileURLToPath(import.meta.url)));
// Inside the package so that '@tfjs-onnx/runtime' resolves through the workspace link; git-ignored.
const root = join(runtimeDir, 'test-output', `browser-inputs-${process.pid}`);
const model = buildTinyClassifier({ inputShape: [null, 8, 8, 3], classCount: 5, seed: 77 });
const png = encodePng(randomPixels(24 * 16 * 3, 12), 24, 16, 3);

const FULL_APP = `
import { loadClassifier } from '@tfjs-onnx/runtime';

async function probabilities(classifier, input) {
  const [result] = await classifier.classify(input);
  return Array.from(result.probabilities);
}

window.classifyEveryInput = async () => {
  const classifier = await loadClassifier('./model.onnx');
  const bytes = new Uint8Array(await (await fetch('./digit.png')).arrayBuffer());
  const blob = new Blob([bytes], { type: 'image/png' });
  const image = new Image();
  image.src = URL.createObjectURL(blob);
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  const offscreen = new OffscreenCanvas(bitmap.width, bitmap.height);
  offscreen.getContext('2d').drawImage(bitmap, 0, 0);
  const inputs = {
    bytes,
    blob,
    file: new File([bytes], 'digit.png', { type: 'image/png' }),
    image,
    canvas,
    offscreen,
    bitmap,
    urlString: './digit.png',
    url: new URL('./digit.png', location.href),
  };
  const out = {};
  for (const [name, input] of Object.entries(inputs)) out[name] = await probabilities(classifier, input);
  let missing;
  try {
    await classifier.classify('./missing.png');
  } catch (error) {
    missing = error.name + ': ' + error.message;
  }
  await classifier.dispose();
  return { out, missing };
};

window.classifyThreaded = async () => {
  const classifier = await loadClassifier('./model.onnx', { numThreads: 2 });
  const bytes = new Uint8Array(await (await fetch('./digit.png')).arrayBuffer());
  const result = await probabilities(classifier, bytes);
  await classifier.dispose();
  // Imported lazily, as the runtime imports it: a static import would put onnxruntime-web into the
  // page's own chunk, which its worker threads then load (and run the page's code in).
  const { env } = await import('onnxruntime-web');
  return { isolated: self.crossOriginIsolated, threads: env.wasm.numThreads, probabilities: result };
};
`;

const WASM_APP = `
import { loadClassifier } from '@tfjs-onnx/runtime/wasm';

window.classifyPlain = async () => {
  const classifier = await loadClassifier('./model.onnx');
  const [result] = await classifier.classify('./digit.png');
  await classifier.dispose();
  let webgpu;
  try {
    await loadClassifier('./model.onnx', { device: 'webgpu' });
  } catch (error) {
    webgpu = error.name + ': ' + error.message;
  }
  return { device: classifier.device, probabilities: Array.from(result.probabilities), webgpu };
};
`;

/** The README's browser example, verbatim; the page around it draws the PNG onto its canvas first. */
const README_EXAMPLE = /<!-- example: browser\.js[^>]*-->\n```js\n([\s\S]*?)```/.exec(
  readFileSync(join(runtimeDir, 'README.md'), 'utf8'),
)![1]!;

interface BuiltApp {
  dir: string;
  assets: string[];
}

async function buildApp(name: string, code: string, body = ''): Promise<BuiltApp> {
  const dir = join(root, name);
  await mkdir(join(dir, 'public'), { recursive: true });
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html><html><head><link rel="icon" href="data:,"></head><body>${body}<script type="module" src="./main.js"></script></body></html>\n`,
  );
  await writeFile(join(dir, 'main.js'), code);
  await writeFile(join(dir, 'public', 'model.onnx'), model.bytes);
  await writeFile(join(dir, 'public', 'digit.png'), png);
  const output = await build({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    build: { outDir: join(dir, 'dist'), target: 'es2022', emptyOutDir: true },
  });
  const files = (Array.isArray(output) ? output : [output]).flatMap((r) => (r as Rolldown.RolldownOutput).output);
  return { dir: join(dir, 'dist'), assets: files.filter((f) => f.type === 'asset').map((f) => f.fileName) };
}

let full: BuiltApp;
let plain: BuiltApp;
let example: BuiltApp;
let expected: Float32Array;
let browser: Browser;
const servers: Server[] = [];

async function open(app: BuiltApp, isolated = false) {
  const server = await serveDirectory(app.dir, { isolated });
  servers.push(server);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return { page, errors };
}

beforeAll(async () => {
  full = await buildApp('full', FULL_APP);
  plain = await buildApp('plain', WASM_APP);
  // Draw digit.png onto the page's canvas (a blocking classic script, so it is there before the module runs).
  const drawFirst = `<canvas width="24" height="16"></canvas><p id="label"></p>`;
  example = await buildApp(
    'example',
    `const picture = await createImageBitmap(await (await fetch('./digit.png')).blob());\ndocument.querySelector('canvas').getContext('2d').drawImage(picture, 0, 0);\n${README_EXAMPLE}`,
    drawFirst,
  );
  const native = await loadClassifier(model.bytes);
  expected = (await native.classify(png))[0]!.probabilities;
  await native.dispose();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(root, { recursive: true, force: true });
});

describe('the @tfjs-onnx/runtime/wasm bundle', () => {
  it("carries only onnxruntime-web's plain WebAssembly build", () => {
    const wasm = (assets: string[]) => assets.filter((a) => a.endsWith('.wasm'));
    expect(wasm(plain.assets)).toHaveLength(1);
    expect(wasm(plain.assets)[0]).toMatch(/ort-wasm-simd-threaded-[\w-]+\.wasm$/);
    expect(wasm(full.assets).some((a) => a.includes('jsep'))).toBe(true);
  });
});

describe('in headless Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  it('classifies PNG bytes, Blob, File, <img>, canvas, OffscreenCanvas, ImageBitmap and URLs like onnxruntime-node', async () => {
    const { page, errors } = await open(full);
    const { out, missing } = (await page.evaluate(() =>
      (window as never as { classifyEveryInput: () => Promise<unknown> }).classifyEveryInput(),
    )) as {
      out: Record<string, number[]>;
      missing: string;
    };
    expect(Object.keys(out)).toEqual(['bytes', 'blob', 'file', 'image', 'canvas', 'offscreen', 'bitmap', 'urlString', 'url']);
    for (const [name, probabilities] of Object.entries(out)) expect(maxAbsDiff(probabilities, expected), name).toBeLessThanOrEqual(1e-5);
    expect(missing).toMatch(/^RuntimeInputError: cannot fetch input \(an image\) from \.\/missing\.png: HTTP 404/);
    expect(errors).toEqual([]);
  }, 60_000);

  it('the /wasm entry classifies the same and refuses WebGPU with a message naming the main entry', async () => {
    const { page, errors } = await open(plain);
    const result = (await page.evaluate(() => (window as never as { classifyPlain: () => Promise<unknown> }).classifyPlain())) as {
      device: string;
      probabilities: number[];
      webgpu: string;
    };
    expect(result.device).toBe('wasm');
    expect(maxAbsDiff(result.probabilities, expected)).toBeLessThanOrEqual(1e-5);
    expect(result.webgpu).toMatch(
      /^BackendUnavailableError: device 'webgpu' cannot run here: onnxruntime-web's WebGPU build is left out of @tfjs-onnx\/runtime\/wasm; import '@tfjs-onnx\/runtime' for WebGPU/,
    );
    expect(errors).toEqual([]);
  }, 60_000);

  it("runs the README's browser example as written, on a cross-origin-isolated page", async () => {
    const { page, errors } = await open(example, true);
    await page.waitForFunction(() => document.querySelector('#label')!.textContent !== '');
    const native = await loadClassifier(model.bytes);
    const [top] = (await native.classify(png))[0]!.top;
    await native.dispose();
    await expect(page.textContent('#label')).resolves.toBe(`${top!.label} (wasm)`);
    expect(errors).toEqual([]);
  }, 60_000);

  it('runs numThreads: 2 multi-threaded on a cross-origin-isolated page', async () => {
    const { page, errors } = await open(full, true);
    const result = (await page.evaluate(() => (window as never as { classifyThreaded: () => Promise<unknown> }).classifyThreaded())) as {
      isolated: boolean;
      threads: number;
      probabilities: number[];
    };
    expect(result.isolated).toBe(true);
    expect(result.threads).toBe(2);
    expect(maxAbsDiff(result.probabilities, expected)).toBeLessThanOrEqual(1e-5);
    expect(errors).toEqual([]);
  }, 60_000);
});
