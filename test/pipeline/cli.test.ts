import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../training/data/idx.ts';
import { runCli } from '../helpers/cli.ts';
import { writeSyntheticDataset } from '../helpers/fixtures/idx.ts';
import { tempDir } from '../helpers/tempDir.ts';

/** One clear line on stderr, exit code 1, no stack trace: what a user sees for every handled mistake. */
function expectCleanError(run: ReturnType<typeof runCli>, message: RegExp): void {
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^error: /);
  expect(run.stderr.split('\n')[0]).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('tfjs-onnx CLI', () => {
  const root = tempDir();

  it('lists its commands in --help', () => {
    const run = runCli(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/tfjs-onnx train/);
  });

  it('trains from the command line with progress and the Keras-style accuracy line', () => {
    const data = path.join(root, 'data');
    mkdirSync(data);
    writeSyntheticDataset(data, { train: 200, test: 40 });
    const run = runCli(['train', '--data-dir', data, '--epochs', '1', '--out', path.join(root, 'out'), '--backend', 'wasm']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Backend: wasm/);
    expect(run.stdout).toMatch(
      /Epoch 1\/1\n\d+\/\d+ \[=+\] - \d+s \d+ms\/step - loss: [\d.]+ - accuracy: [\d.]+ - test_loss: [\d.]+ - test_accuracy: [\d.]+/,
    );
    expect(run.stdout).toMatch(/Test Accuracy: \d+\.\d\d%/);
  });

  it('validates on a held-out part with --validation-split, shown apart from the test set', () => {
    const data = path.join(root, 'split-data');
    mkdirSync(data);
    writeSyntheticDataset(data, { train: 200, test: 40 });
    const run = runCli([
      'train',
      '--data-dir',
      data,
      '--epochs',
      '1',
      '--validation-split',
      '0.2',
      '--out',
      path.join(root, 'split'),
      '--backend',
      'wasm',
    ]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Dataset: split-data, 160 training, 40 validation and 40 test images/);
    expect(run.stdout).toMatch(/- val_loss: [\d.]+ - val_accuracy: [\d.]+ - test_loss: [\d.]+ - test_accuracy: [\d.]+/);
  });

  it('is silent with --quiet', () => {
    const data = path.join(root, 'quiet-data');
    mkdirSync(data);
    writeSyntheticDataset(data, { train: 50, test: 20 });
    const run = runCli(['train', '--data-dir', data, '--epochs', '1', '--out', path.join(root, 'quiet'), '--quiet']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
  });

  it.each([
    [['train', '--model', 'resnet'], /unknown model "resnet": choose one of mlp, cnn/],
    [['train', '--dataset', 'cifar10'], /unknown dataset "cifar10"/],
    [['train', '--backend', 'gpu'], /unknown backend "gpu": choose one of tensorflow, wasm, cpu/],
    [['train', '--epochs', '0'], /--epochs must be at least 1, got 0/],
    [['train', '--batch-size', '2.5'], /--batch-size must be a whole number/],
    [['train', '--learning-rate', '-1'], /--learning-rate must be above 0, got -1/],
    [['train', '--epochs', 'many'], /--epochs must be a whole number, got 'many'/],
    [['train', '--data-dir', '/nonexistent/idx'], /--data-dir \/nonexistent\/idx does not exist/],
    [['train', '--unknown-flag'], /Unknown argument: unknown-flag/],
    [['train', '--limit', '10', '--out', '/proc/tfjs-onnx/x'], /^error: cannot write to directory \/proc\/tfjs-onnx\/x: ENOENT/],
    [['fly'], /Unknown argument: fly/],
  ])('tfjs-onnx %j fails with one clear line', (args, message) => {
    expectCleanError(runCli(args as string[]), message);
  });

  it('names a truncated data file', () => {
    const data = path.join(root, 'truncated');
    mkdirSync(data);
    writeSyntheticDataset(data, { train: 20, test: 10 });
    writeFileSync(path.join(data, 'train-images-idx3-ubyte'), encodeIdx([20, 28, 28], new Uint8Array(20 * 784)).subarray(0, 5000));
    expectCleanError(runCli(['train', '--data-dir', data, '--out', path.join(root, 'x')]), /train-images-idx3-ubyte is truncated/);
  });

  it('refuses an output folder it cannot create', () => {
    const blocker = path.join(root, 'blocker');
    writeFileSync(blocker, 'a file, not a folder');
    expectCleanError(runCli(['train', '--limit', '10', '--out', path.join(blocker, 'out')]), /cannot write to directory .*blocker\/out/);
    rmSync(blocker);
  });
});
