/**
 * `tfjs-onnx predict <model.onnx> <images...>`: classifies PNG/JPEG files with the runtime package
 * (@tfjs-onnx/runtime), the same code apps and the server embed. A thin layer: reading files,
 * mapping runtime errors to the CLI's UserErrors, and printing.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ClassifierError, loadClassifier, type Backend, type Device, type Prediction } from '@tfjs-onnx/runtime';
import { InvalidInputError, InvalidOptionError } from '../../common/errors.ts';

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
  const topK = options.topK ?? 3;
  if (!Number.isInteger(topK) || topK < 1) throw new InvalidOptionError(`--top-k must be a positive integer, got ${topK}`);
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

/** Runtime errors are the user's to fix (wrong file, unsupported model, undecodable image): report them as such. */
async function runtimeCall<T>(subject: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ClassifierError) throw new InvalidInputError(`${subject}: ${error.message}`, { cause: error });
    throw error;
  }
}

export function formatPredictions(result: PredictResult): string {
  const width = Math.max(...result.predictions.map((p) => p.image.length));
  const lines = result.predictions.map(
    ({ image, top }) => `${image.padEnd(width)}  ${top.map((p) => `${p.label} (${(p.probability * 100).toFixed(1)}%)`).join('  ')}`,
  );
  return [`${result.model} on ${result.backend}/${result.device}`, ...lines].join('\n');
}

interface PredictArguments {
  model: string;
  images: string[];
  backend: Backend;
  device?: Device;
  'top-k': number;
  json: boolean;
}

export const predictCommand: CommandModule<object, PredictArguments> = {
  command: 'predict <model> <images..>',
  describe: 'Classify PNG or JPEG images with an ONNX model (via @tfjs-onnx/runtime)',
  builder: (cli: Argv) =>
    cli
      .positional('model', { type: 'string', demandOption: true, describe: 'The .onnx model' })
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'PNG or JPEG files; resized and converted to the model input' })
      .option('backend', { choices: ['native', 'wasm'] as const, default: 'native' as const, describe: 'onnxruntime-node or onnxruntime-web' })
      .option('device', { choices: ['cpu', 'cuda', 'auto'] as const, describe: "native: cpu (default), cuda or auto; wasm: auto (default) or cpu" })
      .option('top-k', { type: 'number', default: 3, describe: 'Classes to show per image' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .example('$0 predict artifacts/model.onnx digit.png', 'top 3 classes of digit.png')
      .example('$0 predict model.onnx a.png b.jpg --backend wasm --json', 'WebAssembly backend, JSON output') as unknown as Argv<PredictArguments>,
  handler: async (args: ArgumentsCamelCase<PredictArguments>) => {
    const result = await predictImages(args.model, args.images, { backend: args.backend, device: args.device, topK: args['top-k'] });
    process.stdout.write(`${args.json ? JSON.stringify(result, null, 2) : formatPredictions(result)}\n`);
  },
};
