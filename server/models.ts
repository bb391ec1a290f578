/**
 * The models a server serves: which ONNX files, under which names, loaded into classifiers with
 * a batcher each. Problems here are the user's (a missing file, two models with one name) and are
 * reported before the server listens, as InvalidOptionError / InvalidInputError.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { InvalidInputError, InvalidOptionError, UserError, describeError } from '../common/errors.ts';
import { DynamicBatcher } from './batching.ts';
import type { ServerMetrics } from './metrics.ts';
import { MODEL_VERSION, type Backend, type Device } from './options.ts';
import type { ModelMetadata } from './schemas.ts';
import { signatureMetadata, type TensorSignature } from './tensors.ts';

export interface ModelFile {
  name: string;
  path: string;
}

export interface ServedModel {
  name: string;
  version: string;
  path: string;
  classifier: Classifier;
  batcher: DynamicBatcher;
  signature: TensorSignature;
  metadata: ModelMetadata;
}

/** Names travel in URL paths, so they keep to characters that need no escaping. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Which files to serve under which names, from `modelPaths`, `modelDir` and `name`. */
export async function resolveModelFiles(options: { modelPaths?: string[]; modelDir?: string; name?: string }): Promise<ModelFile[]> {
  const paths = [...(options.modelPaths ?? [])];
  if (options.modelDir !== undefined) paths.push(...(await listOnnxFiles(options.modelDir)));
  if (paths.length === 0) throw new InvalidOptionError('name an ONNX model to serve (a path, or --model-dir with .onnx files)');
  if (options.name !== undefined && paths.length > 1) {
    throw new InvalidOptionError(`--name names one model, but ${paths.length} are to be served; names then come from the file names`);
  }
  const files = paths.map((file) => ({ name: options.name ?? path.basename(file, path.extname(file)), path: path.resolve(file) }));
  for (const file of files) {
    await checkReadableFile(file.path);
    if (!MODEL_NAME.test(file.name)) {
      throw new InvalidOptionError(`model name '${file.name}' must start with a letter or digit and use only letters, digits, '_', '.' and '-'`);
    }
  }
  checkUniqueNames(files);
  return files;
}

async function listOnnxFiles(directory: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(directory);
  } catch (error) {
    throw new InvalidInputError(`cannot read model directory ${directory}: ${describeError(error)}`);
  }
  const onnxFiles = entries.filter((entry) => entry.endsWith('.onnx')).sort();
  if (onnxFiles.length === 0) throw new InvalidInputError(`model directory ${directory} has no .onnx files`);
  return onnxFiles.map((entry) => path.join(directory, entry));
}

async function checkReadableFile(file: string): Promise<void> {
  const stat = await fs.stat(file).catch((error: unknown) => {
    throw new InvalidInputError(`cannot read model ${file}: ${describeError(error)}`);
  });
  if (!stat.isFile()) throw new InvalidInputError(`model ${file} is not a file`);
}

function checkUniqueNames(files: ModelFile[]): void {
  const seen = new Map<string, string>();
  for (const file of files) {
    const previous = seen.get(file.name);
    if (previous !== undefined) throw new InvalidOptionError(`two models would be served as '${file.name}': ${previous} and ${file.path}`);
    seen.set(file.name, file.path);
  }
}

export interface LoadModelsOptions {
  backend: Backend;
  device: Device;
  intraOpThreads?: number;
  maxBatch: number;
  maxDelayMs: number;
  metrics: ServerMetrics;
}

/** Loads every model; if one fails, those already loaded are released before the error is thrown. */
export async function loadModels(files: ModelFile[], options: LoadModelsOptions): Promise<Map<string, ServedModel>> {
  const models = new Map<string, ServedModel>();
  try {
    for (const file of files) models.set(file.name, await loadModel(file, options));
  } catch (error) {
    await disposeModels(models);
    throw error;
  }
  return models;
}

async function loadModel(file: ModelFile, options: LoadModelsOptions): Promise<ServedModel> {
  let classifier: Classifier;
  try {
    classifier = await loadClassifier(file.path, {
      backend: options.backend,
      device: options.device,
      ...(options.intraOpThreads !== undefined ? { intraOpThreads: options.intraOpThreads } : {}),
    });
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new InvalidInputError(`cannot load model ${file.path}: ${describeError(error)}`, { cause: error });
  }
  const signature: TensorSignature = {
    modelName: file.name,
    inputName: classifier.inputName,
    outputName: classifier.outputName,
    inputShape: classifier.inputShape,
    classCount: classifier.classCount,
    preprocess: { scale: classifier.preprocess.scale, offset: classifier.preprocess.offset },
  };
  const batcher = new DynamicBatcher(classifier, {
    maxBatch: options.maxBatch,
    maxDelayMs: options.maxDelayMs,
    onBatch: (rows) => options.metrics.batchSize.observe({ model: file.name }, rows),
    onQueueDepth: (rows) => options.metrics.queueDepth.set({ model: file.name }, rows),
  });
  return {
    name: file.name,
    version: MODEL_VERSION,
    path: file.path,
    classifier,
    batcher,
    signature,
    metadata: { name: file.name, versions: [MODEL_VERSION], platform: 'onnxruntime_onnx', ...signatureMetadata(signature) },
  };
}

export async function disposeModels(models: Map<string, ServedModel>): Promise<void> {
  await Promise.allSettled([...models.values()].map((model) => model.classifier.dispose()));
}
