/**
 * `tfjs-onnx predict`'s library: classifies image files with the runtime package
 * (@tfjs-onnx/runtime), the same code apps and the server embed. Arguments may be files, folders
 * (their PNG/JPEG files) or glob patterns, any number of them: files are read one at a time, so
 * memory does not grow with their count. Runtime errors become the CLI's UserErrors.
 */
import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { describePlacement, loadClassifier, type Device, type Placement, type Prediction } from '@tfjs-onnx/runtime';
import { InvalidInputError, InvalidOptionError, describeError } from '../common/errors.ts';
import { PREDICT_DEFAULTS, TOP_K_LIMITS } from './options.ts';
import { formatPercent } from './report/format.ts';
import { runtimeCall } from './runtimeErrors.ts';

export interface PredictOptions {
  device?: Device;
  topK?: number;
}

export interface ImagePrediction {
  image: string;
  top: Prediction[];
}

export interface PredictResult {
  model: string;
  /** Where it ran: device, execution provider, package, adapter, and why. */
  placement: Placement;
  predictions: ImagePrediction[];
}

/** File extensions a folder argument contributes (case-insensitive). */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** Classifies each image the arguments name with the model; throws UserErrors for anything the user can fix. */
export async function predictImages(modelPath: string, imageArguments: string[], options: PredictOptions = {}): Promise<PredictResult> {
  const topK = options.topK ?? PREDICT_DEFAULTS.topK;
  if (!Number.isInteger(topK) || topK < TOP_K_LIMITS.min || topK > TOP_K_LIMITS.max) {
    throw new InvalidOptionError(`--top-k must be a positive integer of at most ${TOP_K_LIMITS.max}, got ${topK}`);
  }
  await requireFile(modelPath, 'model');
  const images = await expandImageArguments(imageArguments);
  const classifier = await runtimeCall(modelPath, () => loadClassifier(modelPath, { device: options.device }));
  try {
    const predictions: ImagePrediction[] = [];
    // One file at a time: a file that cannot be decoded is named in the error, and only one is in memory.
    for (const image of images) {
      const bytes = await readImage(image);
      const [result] = await runtimeCall(image, () => classifier.classify(bytes, { topK }));
      predictions.push({ image, top: result!.top });
    }
    return { model: modelPath, placement: classifier.placement, predictions };
  } finally {
    await classifier.dispose();
  }
}

/**
 * The image files the arguments name, in order, each once: a file as it is, a folder's PNG/JPEG
 * files (sorted by name), a glob pattern's matches (sorted). Quote patterns so the shell leaves
 * them to us: `predict model.onnx 'digits/*.png'` works with any number of files.
 */
export async function expandImageArguments(imageArguments: string[]): Promise<string[]> {
  if (imageArguments.length === 0) throw new InvalidOptionError('name at least one image, folder or glob pattern to classify');
  const files: string[] = [];
  for (const argument of imageArguments) {
    const info = await stat(argument).catch(() => undefined);
    if (info?.isDirectory()) files.push(...(await folderImages(argument)));
    else if (info || !isDynamicPattern(argument)) files.push(argument);
    else {
      const matches = (await glob(argument, { onlyFiles: true, expandDirectories: false, absolute: path.isAbsolute(argument) })).sort();
      if (matches.length === 0) throw new InvalidInputError(`no file matches ${argument}`);
      files.push(...matches);
    }
  }
  return [...new Set(files)];
}

async function folderImages(folder: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new InvalidInputError(`cannot read the image folder ${folder}: ${describeError(error)}`);
  }
  const images = entries
    .filter((entry) => entry.isFile() && IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
    .map((entry) => path.join(folder, entry.name))
    .sort();
  if (images.length === 0) throw new InvalidInputError(`the folder ${folder} has no .png, .jpg or .jpeg files`);
  return images;
}

async function requireFile(file: string, what: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new InvalidInputError(`${what} file not found: ${file}`);
  if (!info.isFile()) throw new InvalidInputError(`${what} path is not a file: ${file}`);
}

async function readImage(file: string): Promise<Uint8Array> {
  await requireFile(file, 'image');
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError(
      `cannot read the image file ${file}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : describeError(error)}`,
    );
  }
}

export function formatPredictions(result: PredictResult): string {
  const width = Math.max(...result.predictions.map((p) => p.image.length));
  const lines = result.predictions.map(
    ({ image, top }) => `${image.padEnd(width)}  ${top.map((p) => `${p.label} (${formatPercent(p.probability, 1)})`).join('  ')}`,
  );
  const { placement } = result;
  // 'gpu' and 'auto' chose: say what and why.
  const why = placement.requested === 'gpu' || placement.requested === 'auto' ? ` — ${placement.reason}` : '';
  return [`${result.model} on ${describePlacement(placement)}${why}`, ...lines].join('\n');
}
