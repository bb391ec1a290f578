import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../common/errors.ts';
import {
  renderReport,
  writeReport,
  type EpochRecord,
  type MisclassifiedImage,
  type ParityReport,
  type ReportInput,
} from '../../pipeline/report/index.ts';
import { formatPercent, formatScientific } from '../../pipeline/report/format.ts';

/** A seeded generator, so the "random but plausible" fixtures are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Loss falling and accuracy rising with noise, test slightly behind training: what a real MLP run looks like. */
function plausibleHistory(epochs: number, random: () => number): EpochRecord[] {
  return Array.from({ length: epochs }, (_, index) => {
    const progress = 1 - Math.exp(-(index + 1) / 1.6);
    const loss = 0.9 - 0.8 * progress + 0.02 * random();
    const accuracy = 0.8 + 0.18 * progress + 0.004 * random();
    return {
      epoch: index + 1,
      loss,
      accuracy,
      test_loss: loss + 0.02 + 0.03 * random(),
      test_accuracy: accuracy - 0.004 - 0.006 * random(),
      seconds: 3 + random(),
    };
  });
}

/** Mostly-diagonal counts with a few hundred confusions, as a ~97 %-accurate MNIST model gives. */
function plausibleConfusion(classCount: number, perClass: number, random: () => number): number[][] {
  return Array.from({ length: classCount }, (_, truth) => {
    const row = new Array<number>(classCount).fill(0);
    let remaining = perClass;
    for (let error = 0; error < perClass * 0.03; error += 1) {
      const predicted = (truth + 1 + Math.floor(random() * (classCount - 1))) % classCount;
      row[predicted]! += 1;
      remaining -= 1;
    }
    row[truth] = remaining;
    return row;
  });
}

/** A grayscale image with a ring (a "0") or a bar (a "1") drawn with soft edges: recognisable in the screenshot. */
function syntheticDigit(shape: 'ring' | 'bar', size: number): Uint8Array {
  const pixels = new Uint8Array(size * size);
  const centre = (size - 1) / 2;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const distance = shape === 'ring'
        ? Math.abs(Math.hypot((x - centre) / 0.75, y - centre) - size * 0.3)
        : Math.abs(x - centre - (y - centre) * 0.2);
      pixels[y * size + x] = Math.round(255 * Math.max(0, Math.min(1, 2 - distance / 1.2)));
    }
  }
  return pixels;
}

function misclassifiedDigits(count: number, random: () => number): MisclassifiedImage[] {
  return Array.from({ length: count }, (_, position) => {
    const isRing = position % 2 === 0;
    return {
      index: 100 + position * 37,
      pixels: syntheticDigit(isRing ? 'ring' : 'bar', 28),
      height: 28,
      width: 28,
      channels: 1,
      trueLabel: isRing ? '0' : '1',
      predictedLabel: isRing ? '6' : '7',
      probability: 0.5 + 0.49 * random(),
    };
  });
}

function parityReport(): ParityReport {
  return {
    thresholds: { minTop1Agreement: 0.999, maxAbsDiff: 1e-4 },
    pairs: [
      { a: 'tfjs-node', b: 'onnxruntime-node', samples: 10000, top1Agreement: 1, maxAbsDiff: 2.3e-6, meanAbsDiff: 4.1e-8, disagreements: [], worstSample: 4242, passed: true },
      { a: 'onnxruntime-node', b: 'onnxruntime-web', samples: 10000, top1Agreement: 0.9987, maxAbsDiff: 3.4e-3, meanAbsDiff: 1.2e-6, disagreements: [17, 250, 891, 1200, 3333, 4000, 5001, 6020, 7777, 8080, 9000, 9999, 12], worstSample: 891, passed: false },
    ],
    passed: false,
  };
}

function sampleManifest(): unknown {
  return {
    createdAt: '2024-05-01T12:00:00.000Z',
    files: [
      { path: 'tfjs/model.json', size: 2331, sha256: 'a'.repeat(64) },
      { path: 'tfjs/group1-shard1of1.bin', size: 407080, sha256: 'b'.repeat(64) },
      { path: 'model.onnx', size: 408112, sha256: 'c'.repeat(64) },
    ],
    versions: { node: 'v20.20.2', tfjs: '4.22.0', 'onnxruntime-node': '1.22.0' },
    opset: 17,
    signature: { inputs: [{ name: 'input', shape: [-1, 28, 28, 1], type: 'float32' }], outputs: [{ name: 'probabilities', shape: [-1, 10] }] },
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}

function mnistReportInput(): ReportInput {
  const random = seededRandom(7);
  const history = plausibleHistory(5, random);
  return {
    title: 'tfjs-onnx: mlp on mnist',
    history,
    test: { loss: 0.0934, accuracy: 0.9712 },
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    confusion: plausibleConfusion(10, 1000, random),
    misclassified: misclassifiedDigits(12, random),
    parity: parityReport(),
    manifest: sampleManifest(),
    stages: [
      { stage: 'train', seconds: 18.4, figure: 'val accuracy 97.1%' },
      { stage: 'convert', seconds: 0.42, figure: 'opset 17, 6 nodes' },
      { stage: 'parity', seconds: 6.1, figure: '2 pairs, 1 failed' },
      { stage: 'report', seconds: 0.9, figure: 'artifacts/report.html' },
    ],
    generatedAt: '2024-05-01T12:00:00.000Z',
  };
}

/** The `<figure data-chart="…">`'s SVG, or the test fails saying which chart is missing. */
function chartSvg(page: string, chart: string): string {
  const match = new RegExp(`<figure class="chart" data-chart="${chart}">[\\s\\S]*?(<svg[\\s\\S]*?</svg>)`).exec(page);
  expect(match, `chart ${chart} is in the page`).not.toBeNull();
  return match![1]!;
}

/** Paths or texts of one named vega mark group ("cells_marks", "points_marks", …). */
function markItems(svg: string, markName: string, element: 'path' | 'text'): string[] {
  const group = new RegExp(`<g class="mark-[a-z]+ role-mark ${markName}"[^>]*>([\\s\\S]*?)</g>`).exec(svg);
  expect(group, `mark group ${markName}`).not.toBeNull();
  return [...group![1]!.matchAll(new RegExp(`<${element}[^>]*>([^<]*)`, 'g'))].map((item) => item[1]!);
}

function axisTitles(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-text role-axis-title"[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!);
}

function imageSources(page: string): string[] {
  return [...page.matchAll(/<img src="([^"]+)"/g)].map((match) => match[1]!);
}

function decodePngDataUri(uri: string): PNG {
  expect(uri.startsWith('data:image/png;base64,')).toBe(true);
  return PNG.sync.read(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'));
}

describe('renderReport', () => {
  it('draws both training curves with axis titles, a legend and one point per epoch and split', async () => {
    const page = await renderReport(mnistReportInput());
    for (const metric of ['loss', 'accuracy']) {
      const svg = chartSvg(page, metric);
      expect(axisTitles(svg)).toEqual(expect.arrayContaining(['epoch', metric]));
      expect(markItems(svg, 'points_marks', 'path')).toHaveLength(5 * 2);
      expect(svg).toMatch(/role-legend[\s\S]*>train<[\s\S]*>test</);
    }
  });

  it('draws the confusion matrix as one cell per class pair with the counts of the input in reading order', async () => {
    const input = mnistReportInput();
    const svg = chartSvg(await renderReport(input), 'confusion');
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['true', 'predicted']));
    expect(markItems(svg, 'cells_marks', 'path')).toHaveLength(100);
    expect(markItems(svg, 'counts_marks', 'text').map(Number)).toEqual(input.confusion.flat());
  });

  it('embeds every misclassified image as a decodable PNG of its own size, with labels and probability', async () => {
    const input = mnistReportInput();
    const page = await renderReport(input);
    const sources = imageSources(page);
    expect(sources).toHaveLength(input.misclassified.length);
    // Shown most confident mistake first.
    const ordered = [...input.misclassified].sort((a, b) => b.probability - a.probability);
    sources.forEach((source, position) => {
      const image = ordered[position]!;
      const png = decodePngDataUri(source);
      expect([png.width, png.height]).toEqual([28, 28]);
      // A grayscale pixel comes back as R = G = B = the original value.
      const centreRow = 14 * 28;
      for (let x = 0; x < 28; x += 1) expect(png.data[(centreRow + x) * 4]).toBe(image.pixels[centreRow + x]);
    });
    expect(page).toContain('image-rendering: pixelated');
    expect(page).toContain(`#${input.misclassified[3]!.index}`);
  });

  it('keeps colour images in colour and shows any number of classes with any names, escaped', async () => {
    const labels = ['T-shirt/top', '<b>', 'Ankle boot & "sneaker"'];
    const rgb = new Uint8Array(16 * 20 * 3).map((_, offset) => [200, 30, 90][offset % 3]!);
    const input: ReportInput = {
      ...mnistReportInput(),
      title: 'fashion <script>alert(1)</script>',
      labels,
      confusion: [[50, 3, 1], [2, 40, 0], [0, 5, 60]],
      misclassified: [{ index: 9, pixels: rgb, height: 16, width: 20, channels: 3, trueLabel: '<b>', predictedLabel: 'T-shirt/top', probability: 0.61 }],
      manifest: { files: [], note: '<img src=x onerror=alert(1)>' },
    };
    const page = await renderReport(input);
    expect(page).not.toContain('<b>');
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('fashion &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;');
    expect(page).toContain('Ankle boot &amp; &quot;sneaker&quot;');
    const svg = chartSvg(page, 'confusion');
    expect(markItems(svg, 'cells_marks', 'path')).toHaveLength(9);
    const png = decodePngDataUri(imageSources(page)[0]!);
    expect([png.width, png.height]).toEqual([20, 16]);
    expect([...png.data.subarray(0, 4)]).toEqual([200, 30, 90, 255]);
  });

  it('lists every parity pair with its figures, status badges and the thresholds', async () => {
    const page = await renderReport(mnistReportInput());
    const rows = [...page.matchAll(/<tr data-pair="([^"]+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((row) => row[1])).toEqual(['tfjs-node ⇄ onnxruntime-node', 'onnxruntime-node ⇄ onnxruntime-web']);
    const [passing, failing] = rows.map((row) => row[2]!);
    expect(passing).toContain('100.00%');
    expect(passing).toContain('2.30e-6');
    expect(passing).toContain('4.10e-8');
    expect(passing).toContain('badge-pass');
    expect(failing).toContain('99.87%');
    expect(failing).toMatch(/class="num out-of-tolerance">3\.40e-3</);
    expect(failing).toMatch(/>13<div class="muted small sample-list">#17, #250, #891, #1200, #3333, #4000, …</);
    expect(failing).toContain('badge-fail');
    expect(page).toMatch(/top-1 agreement ≥ <strong>99\.90%<\/strong> and max \|Δp\| ≤ <strong>1\.00e-4<\/strong>/);
    expect(page).toMatch(/<div class="card tone-bad"><div class="card-label">Parity<\/div><div class="card-value">failed</);
  });

  it('puts the headline figures, the stage summary and the manifest files and fields on the page', async () => {
    const page = await renderReport(mnistReportInput());
    expect(page).toMatch(/<div class="card-label">Test accuracy<\/div><div class="card-value">97\.12%</);
    expect(page).toContain('on 10,000 test images');
    for (const stage of ['train', 'convert', 'parity', 'report']) expect(page).toContain(`<tr><td>${stage}</td>`);
    expect(page).toContain('25.8 s'); // total of the stage times
    expect(page).toContain('<code>model.onnx</code>');
    expect(page).toContain('398.5 KiB');
    expect(page).toContain('c'.repeat(64));
    expect(page).toMatch(/<th>opset<\/th><td>17</);
    expect(page).toMatch(/<dt>onnxruntime-node<\/dt><dd>1\.22\.0<\/dd>/);
    expect(page).toContain('&quot;shape&quot;: [-1, 28, 28, 1]'); // nested fields as compact JSON
  });

  it('references nothing on the network and runs no script', async () => {
    const page = await renderReport(mnistReportInput());
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<script|<link|@import|<iframe/i);
    expect(page).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;');
  });

  it('renders without parity, stages, manifest or history', async () => {
    const input = { ...mnistReportInput(), history: [], parity: undefined, stages: undefined, manifest: undefined };
    const page = await renderReport(input);
    expect(page).toContain('Parity was not checked in this run.');
    expect(page).toContain('No training history was recorded in this run.');
    expect(page).not.toContain('id="stages"');
    expect(page).not.toContain('id="manifest"');
  });

  it('rejects a confusion matrix that does not match the labels, and images whose pixels do not match their size', async () => {
    const input = mnistReportInput();
    await expect(renderReport({ ...input, confusion: input.confusion.slice(1) })).rejects.toThrow(InvalidInputError);
    const image = { ...input.misclassified[0]!, channels: 3 };
    await expect(renderReport({ ...input, misclassified: [image] })).rejects.toThrow(/image #100 has 784 pixel values for 28×28×3/);
  });
});

describe('report number formats', () => {
  it('never rounds an imperfect agreement up to 100 % and keeps tiny differences readable', () => {
    expect(formatPercent(0.99996)).toBe('99.99%');
    expect(formatPercent(1)).toBe('100.00%');
    expect(formatPercent(0.9712)).toBe('97.12%');
    expect(formatPercent(0.97729998)).toBe('97.73%'); // as the CLI prints it
    expect(formatScientific(0)).toBe('0');
    expect(formatScientific(1.234e-7)).toBe('1.23e-7');
    expect(formatScientific(12.5)).toBe('1.25e1');
  });
});

describe('writeReport in a browser', () => {
  it('opens without console errors, shows charts of non-zero size and every image, and is screenshotted', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'tfjs-onnx-report-'));
    const reportPath = path.join(directory, 'report.html');
    const input = mnistReportInput();
    await writeReport(reportPath, input);
    expect(await readFile(reportPath, 'utf8')).toContain('<!doctype html>');

    // A persistent context is how playwright takes a fresh --user-data-dir (here inside the temporary directory).
    const browser = await chromium.launchPersistentContext(path.join(directory, 'profile'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1200, height: 900 },
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) problems.push(`request ${request.url()}`);
      });
      await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });

      for (const chart of ['loss', 'accuracy', 'confusion']) {
        const box = await page.locator(`figure[data-chart="${chart}"] svg`).boundingBox();
        expect(box, `${chart} chart is laid out`).not.toBeNull();
        expect(box!.width).toBeGreaterThan(200);
        expect(box!.height).toBeGreaterThan(150);
      }
      expect(await page.locator('figure[data-chart="confusion"] .cells_marks path').count()).toBe(100);
      const imageSizes = await page.locator('.tile img').evaluateAll((images) =>
        (images as HTMLImageElement[]).map((image) => [image.complete, image.naturalWidth, image.naturalHeight, image.width]));
      expect(imageSizes).toEqual(input.misclassified.map(() => [true, 28, 28, 84]));
      expect(problems).toEqual([]);

      await mkdir('test-output', { recursive: true });
      await page.screenshot({ path: 'test-output/report.png', fullPage: true });
    } finally {
      await browser.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
