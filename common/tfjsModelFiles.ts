/**
 * Reading and writing the standard tfjs model format (model.json + binary weight shards; Layers
 * models and GraphModels) on the local file system with plain @tensorflow/tfjs, whose own file://
 * handler exists only in tfjs-node. Used by training (save), export (read) and parity (load).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { InvalidInputError, describeError } from './errors.ts';
import { validateModelJson } from './modelJson.ts';
import { replaceTogether } from './replaceTogether.ts';

/** Shards are cut at 4 MiB, like tfjs's own writers, so browsers can cache and fetch them in parallel. */
const SHARD_BYTES = 4 * 1024 * 1024;

export interface TfjsModelFiles {
  /** The parsed model.json. */
  modelJson: io.ModelJSON;
  /** Every shard's bytes concatenated in manifest order. */
  weightData: ArrayBuffer;
  /** The flat list of weight specs in the same order as weightData. */
  weightSpecs: io.WeightsManifestEntry[];
  /** Absolute paths of model.json and of every shard, in manifest order. */
  files: string[];
}

/** Larger than any model.json (the weights live in the shards); refused before it is read. */
export const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;

/**
 * Reads model.json and its shards. The structure is checked first (common/modelJson.ts), then
 * every shard's size against what the manifest describes, and only then are the bytes read: a
 * model.json cannot make us read more than the files it names hold. (String weights, GraphModel
 * constants, have sizes only their data tells: those groups are checked again once read.)
 */
export async function readTfjsModelFiles(modelJsonPath: string): Promise<TfjsModelFiles> {
  const modelJson = await readModelJson(modelJsonPath);
  const directory = path.dirname(path.resolve(modelJsonPath));
  const groups = await Promise.all(
    (modelJson.weightsManifest ?? []).map(async (group) => {
      const shardPaths = group.paths.map((shardName) => path.join(directory, shardName));
      const sizes = await Promise.all(shardPaths.map((shardPath) => shardSize(shardPath, modelJsonPath)));
      const actual = sizes.reduce((sum, size) => sum + size, 0);
      const hasStrings = group.weights.some(isStringWeight);
      const fixed = group.weights.reduce((sum, spec) => sum + (isStringWeight(spec) ? 0 : weightByteLength(spec)), 0);
      if (hasStrings ? fixed > actual : fixed !== actual) throw sizeMismatch(group, actual, fixed, modelJsonPath);
      return { group, shardPaths };
    }),
  );
  const files = [path.resolve(modelJsonPath)];
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const { group, shardPaths } of groups) {
    const groupBytes: Uint8Array[] = [];
    for (const shardPath of shardPaths) {
      files.push(shardPath);
      groupBytes.push(await readShard(shardPath, modelJsonPath));
    }
    // Again on the bytes read: string weights' sizes, and a shard that changed since it was measured.
    const actual = groupBytes.reduce((sum, bytes) => sum + bytes.byteLength, 0);
    const expected = groupByteLength(group.weights, concatenate(groupBytes), modelJsonPath);
    if (expected !== actual) throw sizeMismatch(group, actual, expected, modelJsonPath);
    weightSpecs.push(...group.weights);
    shards.push(...groupBytes);
  }
  return { modelJson, weightData: concatenate(shards), weightSpecs, files };
}

function isStringWeight(spec: io.WeightsManifestEntry): boolean {
  return spec.dtype === 'string' && !spec.quantization;
}

function sizeMismatch(group: io.WeightsManifestConfig[number], actual: number, expected: number, modelJsonPath: string): InvalidInputError {
  return new InvalidInputError(
    `weight shards ${group.paths.join(', ')} hold ${actual} bytes but ${modelJsonPath} describes ${expected} bytes for weights ${group.weights.map((w) => w.name).join(', ')}`,
  );
}

async function shardSize(shardPath: string, modelJsonPath: string): Promise<number> {
  const info = await fs.stat(shardPath).catch((error: unknown) => {
    throw new InvalidInputError(`weight shard ${shardPath} listed in ${modelJsonPath} cannot be read: ${describeError(error)}`);
  });
  if (!info.isFile()) throw new InvalidInputError(`weight shard ${shardPath} listed in ${modelJsonPath} is not a file`);
  return info.size;
}

async function readShard(shardPath: string, modelJsonPath: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(shardPath);
  } catch (error) {
    throw new InvalidInputError(`weight shard ${shardPath} listed in ${modelJsonPath} cannot be read: ${describeError(error)}`);
  }
}

async function readModelJson(modelJsonPath: string): Promise<io.ModelJSON> {
  let text: string;
  try {
    const info = await fs.stat(modelJsonPath);
    if (!info.isFile()) throw new InvalidInputError(`${modelJsonPath} is not a file`);
    if (info.size > MAX_MODEL_JSON_BYTES) {
      throw new InvalidInputError(`${modelJsonPath} is ${info.size} bytes, more than any model.json (${MAX_MODEL_JSON_BYTES} at most)`);
    }
    text = await fs.readFile(modelJsonPath, 'utf8');
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError(`cannot read model file ${modelJsonPath}: ${describeError(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${modelJsonPath} is not valid JSON: ${describeError(error)}`);
  }
  return validateModelJson(parsed, modelJsonPath);
}

/** Bytes one fixed-size weight occupies in a shard, honouring quantization (uint8/uint16/float16 store fewer bytes). */
export function weightByteLength(spec: io.WeightsManifestEntry): number {
  const elements = spec.shape.reduce((product, size) => product * size, 1);
  const quantizedBytes: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
  if (spec.quantization) return elements * (quantizedBytes[spec.quantization.dtype] ?? 4);
  if (spec.dtype === 'string') throw new Error(`internal: string weight ${spec.name} has no fixed size`);
  const bytes: Record<string, number> = { bool: 1, complex64: 8 };
  return elements * (bytes[spec.dtype] ?? 4);
}

/**
 * Bytes a group's weights occupy. String weights (GraphModel constants) are stored as a uint32
 * byte count before each string, so their size is read from the data itself.
 */
function groupByteLength(specs: io.WeightsManifestEntry[], data: ArrayBuffer, modelJsonPath: string): number {
  const view = new DataView(data);
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'string' || spec.quantization) {
      offset += weightByteLength(spec);
      continue;
    }
    const count = spec.shape.reduce((product, size) => product * size, 1);
    for (let i = 0; i < count; i++) {
      if (offset + 4 > data.byteLength) throw new InvalidInputError(`${modelJsonPath}: the shards end inside string weight ${spec.name}`);
      offset += 4 + view.getUint32(offset, true);
    }
  }
  return offset;
}

/** A tfjs IOHandler that loads a model saved on disk, for tf.loadLayersModel and tf.loadGraphModel. */
export function fileSystemLoader(modelJsonPath: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      const { modelJson, weightData, weightSpecs } = await readTfjsModelFiles(modelJsonPath);
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        trainingConfig: modelJson.trainingConfig,
        userDefinedMetadata: modelJson.userDefinedMetadata,
        // GraphModels name their inputs and outputs in the signature (tfjs-converter reads it from here).
        ...(modelJson.signature ? { signature: modelJson.signature } : {}),
        ...(modelJson.modelInitializer ? { modelInitializer: modelJson.modelInitializer } : {}),
        weightSpecs,
        weightData,
      };
    },
  };
}

/**
 * A tfjs IOHandler that saves to a directory as model.json + group1-shardNofM.bin. The files are
 * written into a staging folder that replaces the target only once complete (replaceTogether),
 * so an interrupted save never leaves a model.json whose shards are missing, nor no model at all.
 */
export function fileSystemSaver(directory: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const target = path.resolve(directory);
      await replaceTogether(path.dirname(target), [
        { name: path.basename(target), kind: 'directory', write: (staging) => writeModelFiles(staging, artifacts) },
      ]);
      return saveResult(artifacts);
    },
  };
}

/**
 * A tfjs IOHandler that writes model.json + shards into `directory`, a folder that must not exist
 * yet: for callers that swap the folder in themselves, together with other files (train's
 * model folder and metrics.json go through replaceTogether as one).
 */
export function newFolderSaver(directory: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      await writeModelFiles(directory, artifacts);
      return saveResult(artifacts);
    },
  };
}

async function writeModelFiles(directory: string, artifacts: io.ModelArtifacts): Promise<void> {
  const weightData = new Uint8Array(concatenate(weightBuffers(artifacts).map((buffer) => new Uint8Array(buffer))));
  const shardCount = Math.max(1, Math.ceil(weightData.byteLength / SHARD_BYTES));
  const shardNames = Array.from({ length: shardCount }, (_, i) => `group1-shard${i + 1}of${shardCount}.bin`);
  const modelJson: io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: shardNames, weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
  await fs.mkdir(directory);
  for (let i = 0; i < shardCount; i++) {
    await fs.writeFile(path.join(directory, shardNames[i]), weightData.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES));
  }
  await fs.writeFile(path.join(directory, 'model.json'), JSON.stringify(modelJson));
}

function saveResult(artifacts: io.ModelArtifacts): io.SaveResult {
  const weightDataBytes = weightBuffers(artifacts).reduce((sum, buffer) => sum + buffer.byteLength, 0);
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
      weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
      weightDataBytes,
    },
  };
}

/** tfjs hands weights over as one buffer or as a list of them. */
function weightBuffers(artifacts: io.ModelArtifacts): ArrayBuffer[] {
  return Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData ?? new ArrayBuffer(0)];
}

function concatenate(parts: Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.byteLength;
  }
  return result.buffer;
}
