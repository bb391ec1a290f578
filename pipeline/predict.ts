/**
 * Classifying image files with the runtime package (@tfjs-onnx/runtime), the same code apps and
 * the server embed: reading files, mapping runtime errors to the CLI's UserErrors, and the printed
 * form of the result. `tfjs-onnx predict` is the command line over it.
 */
import { readFile, stat } from 'node:fs/promises';
import { loadClassifier, type Backend, type Device, type Prediction } from '@tfjs-onnx/runtime';
import { InvalidInputError, InvalidOptionError } from '../common/errors.ts';
import { PREDICT_DEFAULTS, TOP_K_LIMITS } from './options.ts';
import { runtimeCall } from './runtimeErrors.ts';

export interface PredictOptions {
  backend?: Backend;
  device?: Device;
  topK?: number;
}

export interface ImagePrediction {
  image: string;
  top: Prediction[];
}

export interface PredictResult {
  model: string;
  backend: Backend;
  device: string;
  predictions: ImagePrediction[];
}

/** Classifies each image file with the model; throws UserErrors for anything the user can fix. */
export async function predictImages(modelPath: string, imagePaths: string[], options: PredictOptions = {}): Promise<PredictResult> {
  const topK = options.topK ?? PREDICT_DEFAULTS.topK;
  if (!Number.isInteger(topK) || topK < TOP_K_LIMITS.min || topK > TOP_K_LIMITS.max) {
    throw new InvalidOptionError(`--top-k must be a positive integer of at most ${TOP_K_LIMITS.max}, got ${topK}`);
  }
  if (imagePaths.length === 0) throw new InvalidOptionError('name at least one image to classify');
  await requireFile(modelPath, 'model');
  const images = await Promise.all(imagePaths.map(async (path) => ({ path, bytes: await readImage(path) })));
  const classifier = await runtimeCall(modelPath, () => loadClassifier(modelPath, { backend: options.backend, device: options.device }));
  try {
    const predictions: ImagePrediction[] = [];
    // One call per image, so a file that cannot be decoded is named in the error.
    for (const { path, bytes } of images) {
      const [result] = await runtimeCall(path, () => classifier.classify(bytes, { topK }));
      predictions.push({ image: path, top: result!.top });
    }
    return { model: modelPath, backend: classifier.backend, device: classifier.device, predictions };
  } finally {
    await classifier.dispose();
  }
}

async function requireFile(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InvalidInputError(`${what} file not found: ${path}`);
  if (!info.isFile()) throw new InvalidInputError(`${what} path is not a file: ${path}`);
}

async function readImage(path: string): Promise<Uint8Array> {
  await requireFile(path, 'image');
  return new Uint8Array(await readFile(path));
}

export function formatPredictions(result: PredictResult): string {
  const width = Math.max(...result.predictions.map((p) => p.image.length));
  const lines = result.predictions.map(
    ({ image, top }) => `${image.padEnd(width)}  ${top.map((p) => `${p.label} (${(p.probability * 100).toFixed(1)}%)`).join('  ')}`,
  );
  return [`${result.model} on ${result.backend}/${result.device}`, ...lines].join('\n');
}
