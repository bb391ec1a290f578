/**
 * The browser demo end to end in headless Chromium: a quickly trained MNIST model, exported with our
 * converter, built into the page with Vite and served from 127.0.0.1. The page runs on WebGPU
 * (`?device=webgpu`; Chromium's SwiftShader adapter, since this machine has no GPU). Digits are
 * drawn with real mouse strokes and MNIST test images are opened through the file picker; the
 * page's probabilities must match onnxruntime-node's CPU on the same 28×28 input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadClassifier } from '@tfjs-onnx/runtime';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../demo/build.ts';
import { serveStaticDirectory, type StaticServer } from '../../demo/staticServer.ts';
import { convertLayersModelToFile } from '../../export/index.ts';
import { train } from '../../training/train.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { CHROMIUM, requireSystemPackage } from '../helpers/systemPackages.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { ONE, SEVEN, type Stroke, upscaledOnPaper, writeMnistTestImages, ZERO } from './pictures.ts';

const SCREENSHOT = path.join(REPO_ROOT, 'test-output', 'demo-drawn-digit.png');
/** The first MNIST test images: a 7, a 2 and a 1. */
const MNIST_TEST_INDICES = [0, 1, 2];

interface PagePrediction {
  topLabel: string;
  probabilities: number[];
  topRows: { label: string; percent: string }[];
}

const work = tempDir('tfjs-onnx-demo-');
const modelPath = path.join(work, 'model.onnx');
const outsideRequests: string[] = [];
const servedPaths: string[] = [];
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
let server: StaticServer;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
let mnistImages: { file: string; pixels: Uint8Array }[];

beforeAll(async () => {
  requireSystemPackage('chromium');
  const { modelJsonPath } = await train({ limit: 10000, epochs: 2, backend: 'wasm', quiet: true, out: path.join(work, 'training') });
  await convertLayersModelToFile(modelJsonPath, modelPath);
  const { outDir } = await buildDemo({ modelPath, outDir: path.join(work, 'site') });
  server = await serveStaticDirectory(outDir);
  mnistImages = await writeMnistTestImages(path.join(work, 'mnist'), MNIST_TEST_INDICES);
  // A fresh profile per run: no cached files or state from earlier runs can make the page pass.
  userDataDir = mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-demo-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    // WebGPU on SwiftShader, Chromium's software adapter: no GPU here (and no --disable-gpu, which would turn WebGPU off).
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--use-webgpu-adapter=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.origin === new URL(server.url).origin) servedPaths.push(url.pathname);
    else outsideRequests.push(request.url());
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(`${server.url}?device=webgpu`);
  await page.waitForSelector('#model-status[data-state="ready"]', { timeout: 60_000 });
}, 240_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

async function drawStrokes(strokes: Stroke[]): Promise<void> {
  const pad = (await page.locator('#pad').boundingBox())!;
  const at = ([x, y]: [number, number]) => [pad.x + x * pad.width, pad.y + y * pad.height] as const;
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]!));
    await page.mouse.down();
    // Several pointermove events per segment, as a hand would produce.
    for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps: 6 });
    await page.mouse.up();
  }
}

/** Waits until the page's prediction is final for the given input, then reads it from the DOM. */
async function finalPrediction(source: string): Promise<PagePrediction> {
  await page.waitForFunction((expected) => {
    const section = document.querySelector<HTMLElement>('#prediction')!;
    return section.dataset.status === 'done' && section.dataset.source === expected;
  }, source);
  return page.evaluate(() => {
    const section = document.querySelector<HTMLElement>('#prediction')!;
    return {
      topLabel: section.dataset.topLabel!,
      probabilities: JSON.parse(section.dataset.probabilities!) as number[],
      topRows: Array.from(section.querySelectorAll('.top-class'), (row) => ({
        label: row.querySelector('.class-label')!.textContent!,
        percent: row.querySelector('.probability')!.textContent!,
      })),
    };
  });
}

/** Opens a file through the page's file picker; returns the name the page reports as the source. */
async function openFile(file: string): Promise<string> {
  await page.locator('#file').setInputFiles(file);
  return path.basename(file);
}

async function clearPad(): Promise<void> {
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.waitForSelector('#prediction[data-status="empty"]');
}

/** The page's model-input preview as gray values (the canvas is white on black, R = G = B). */
async function shownModelInput(): Promise<number[]> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('#model-input')!;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return Array.from({ length: canvas.width * canvas.height }, (_, p) => data[p * 4]!);
  });
}

describe('the digit demo page in headless Chromium', () => {
  it('loads the model from its own origin, runs it on WebGPU and says so, with the adapter, and what its labels are', async () => {
    const status = page.locator('#model-status');
    await expect(status.getAttribute('data-device')).resolves.toBe('webgpu');
    await expect(status.getAttribute('data-placement')).resolves.toBe("device 'webgpu' was asked for");
    await expect(status.textContent()).resolves.toMatch(/running on WebGPU \([^)]*swiftshader[^)]*, a software adapter\) in this browser/i);
    // The demo server sends COOP/COEP: the page is cross-origin isolated (WebAssembly, where it runs, gets several threads).
    await expect(page.evaluate(() => self.crossOriginIsolated)).resolves.toBe(true);
    // The labels come from the model's metadata, which our training wrote as the digit names.
    expect(JSON.parse((await status.getAttribute('data-labels'))!)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(servedPaths).toContain('/model.onnx');
    expect(servedPaths.some((p) => p.endsWith('.wasm'))).toBe(true);
    await expect(page.locator('#prediction').getAttribute('data-status')).resolves.toBe('empty');
  });

  it('recognizes a "1" drawn as one vertical mouse stroke', async () => {
    await drawStrokes(ONE);
    const prediction = await finalPrediction('drawing');
    expect(prediction.topLabel).toBe('1');
    expect(prediction.topRows).toHaveLength(3);
    expect(prediction.topRows[0]!.label).toBe('1');
    // The preview shows a centred white stroke on black: ink in the middle column, none in the corners.
    const input = await shownModelInput();
    expect(input[14 * 28 + 14]! + input[14 * 28 + 13]!).toBeGreaterThan(200);
    expect(input[0]).toBe(0);
    await clearPad();
  });

  it('draws with touch as well: a "1" swiped on a touchscreen', async () => {
    const cdp = await context.newCDPSession(page);
    try {
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
      // Records what kind of pointer the page saw, so the test knows the touch path really ran.
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { pointerTypes: string[] }).pointerTypes = seen;
        document.querySelector('#pad')!.addEventListener('pointerdown', (event) => seen.push((event as PointerEvent).pointerType));
      });
      const pad = (await page.locator('#pad').boundingBox())!;
      const x = pad.x + 0.5 * pad.width;
      const touchAt = (fraction: number) => [{ x, y: pad.y + fraction * pad.height }];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: touchAt(0.15) });
      for (let step = 1; step <= 14; step += 1)
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: touchAt(0.15 + step * 0.05) });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      expect((await finalPrediction('drawing')).topLabel).toBe('1');
      expect(await page.evaluate(() => (window as unknown as { pointerTypes: string[] }).pointerTypes)).toEqual(['touch']);
      await clearPad();
    } finally {
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
      await cdp.detach();
    }
  });

  it('recognizes a "0" drawn as a closed loop', async () => {
    await drawStrokes(ZERO);
    expect((await finalPrediction('drawing')).topLabel).toBe('0');
    await clearPad();
  });

  it('recognizes a "7" and shows it in a screenshot', async () => {
    await drawStrokes(SEVEN);
    const prediction = await finalPrediction('drawing');
    expect(prediction.topLabel).toBe('7');
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await clearPad();
  });

  it('classifies MNIST test images from the file picker exactly like onnxruntime-node', async () => {
    const native = await loadClassifier(modelPath, { intraOpThreads: 1 });
    try {
      for (const { file, pixels } of mnistImages) {
        const prediction = await finalPrediction(await openFile(file));
        // A 28×28 picture is the model's input as it is.
        expect(await shownModelInput()).toEqual(Array.from(pixels));
        const [expected] = await native.classify(pixels, { topK: 3 });
        expect(prediction.probabilities).toHaveLength(10);
        const largestDifference = Math.max(...prediction.probabilities.map((p, i) => Math.abs(p - expected!.probabilities[i]!)));
        expect(largestDifference).toBeLessThanOrEqual(1e-5);
        expect(prediction.topRows.map((row) => row.label)).toEqual(expected!.top.map((p) => p.label));
      }
    } finally {
      await native.dispose();
    }
  });

  it('preprocesses a larger dark-on-light picture like MNIST and classifies what it shows', async () => {
    const seven = mnistImages[0]!; // MNIST test image 0 is a 7
    const file = path.join(work, 'mnist', 'seven-on-paper.png');
    await writeFile(file, PNG.sync.write(upscaledOnPaper(seven.pixels, 28, 5)));
    const prediction = await finalPrediction(await openFile(file));
    expect(prediction.topLabel).toBe('7');
    const shown = await shownModelInput();
    // White on black, inside the 20×20 box: the corners stay black.
    expect([shown[0], shown[27], shown[27 * 28], shown[28 * 28 - 1]]).toEqual([0, 0, 0, 0]);
    expect(Math.max(...shown)).toBe(255);
    // What the page shows is what it classified.
    const native = await loadClassifier(modelPath, { intraOpThreads: 1 });
    const [expected] = await native.classify(Uint8Array.from(shown));
    await native.dispose();
    expect(Math.max(...prediction.probabilities.map((p, i) => Math.abs(p - expected!.probabilities[i]!)))).toBeLessThanOrEqual(1e-5);
  });

  it('says so when the picked file is not an image', async () => {
    await page.locator('#file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') });
    await page.waitForSelector('#prediction[data-status="error"]');
    await expect(page.locator('.prediction-message').textContent()).resolves.toContain('notes.txt is not an image');
  });

  it("with device 'auto' (the default) passes over the software adapter and runs on multi-threaded WebAssembly, saying why", async () => {
    const auto = await context.newPage();
    try {
      await auto.goto(server.url);
      const status = auto.locator('#model-status[data-state="ready"]');
      await status.waitFor({ timeout: 60_000 });
      await expect(status.getAttribute('data-device')).resolves.toBe('wasm');
      await expect(status.getAttribute('data-placement')).resolves.toMatch(
        /^auto: webgpu: the only adapter is a software one \([^)]*swiftshader[^)]*\), slower than the CPU; fell back to wasm$/i,
      );
      expect(Number(await status.getAttribute('data-threads'))).toBeGreaterThanOrEqual(2);
      await expect(status.textContent()).resolves.toMatch(/WebAssembly, multi-threaded \(\d+ threads: the page is cross-origin isolated\)/);
    } finally {
      await auto.close();
    }
  });

  it('shows an error naming the URL when the model cannot be loaded', async () => {
    const broken = await context.newPage();
    try {
      await broken.goto(`${server.url}?model=missing.onnx`);
      const alert = broken.getByRole('alert');
      await alert.waitFor({ state: 'visible' });
      const text = await alert.textContent();
      expect(text).toContain('Could not load the model.');
      expect(text).toContain(`${server.url}missing.onnx`);
      expect(text).toContain('HTTP 404');
      await expect(broken.locator('#clear').isDisabled()).resolves.toBe(true);
    } finally {
      await broken.close();
    }
  });

  it('made no request outside 127.0.0.1 and logged no errors', () => {
    expect(servedPaths.length).toBeGreaterThan(0);
    expect(outsideRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
    // The main page only (the missing-model page rightly logs its 404).
    expect(consoleErrors).toEqual([]);
  });
});
