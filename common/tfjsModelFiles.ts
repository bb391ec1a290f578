/**
 * Reading and writing the standard tfjs model format (model.json + binary weight shards; Layers
 * models and GraphModels) on the local file system with plain @tensorflow/tfjs, whose own file://
 * handler exists only in tfjs-node. Used by training (save), export (read) and parity (load).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { InvalidInputError, describeError } from './errors.ts';
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

/** Reads model.json and its shards, checking that every shard exists and has the size the manifest implies. */
export async function readTfjsModelFiles(modelJsonPath: string): Promise<TfjsModelFiles> {
  const modelJson = await readModelJson(modelJsonPath);
  const directory = path.dirname(path.resolve(modelJsonPath));
  const files = [path.resolve(modelJsonPath)];
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest ?? []) {
    const groupBytes: Uint8Array[] = [];
    for (const shardName of group.paths) {
      const shardPath = path.join(directory, shardName);
      files.push(shardPath);
      try {
        groupBytes.push(await fs.readFile(shardPath));
      } catch (error) {
        throw new InvalidInputError(`weight shard ${shardPath} listed in ${modelJsonPath} cannot be read: ${describeError(error)}`);
      }
    }
    const actual = groupBytes.reduce((sum, bytes) => sum + bytes.byteLength, 0);
    const expected = groupByteLength(group.weights, concatenate(groupBytes), modelJsonPath);
    if (expected !== actual) {
      throw new InvalidInputError(
        `weight shards ${group.paths.join(', ')} hold ${actual} bytes but ${modelJsonPath} describes ${expected} bytes for weights ${group.weights.map((w) => w.name).join(', ')}`,
      );
    }
    weightSpecs.push(...group.weights);
    shards.push(...groupBytes);
  }
  return { modelJson, weightData: concatenate(shards), weightSpecs, files };
}

async function readModelJson(modelJsonPath: string): Promise<io.ModelJSON> {
  let text: string;
  try {
    text = await fs.readFile(modelJsonPath, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read model file ${modelJsonPath}: ${describeError(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${modelJsonPath} is not valid JSON: ${describeError(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || !('modelTopology' in parsed)) {
    throw new InvalidInputError(`${modelJsonPath} is not a tfjs model.json: it has no modelTopology`);
  }
  const manifest = (parsed as { weightsManifest?: unknown }).weightsManifest;
  if (manifest !== undefined && !Array.isArray(manifest)) {
    throw new InvalidInputError(`${modelJsonPath}: weightsManifest must be a list of weight groups`);
  }
  return parsed as io.ModelJSON;
}

/** Bytes one fixed-size weight occupies in a shard, honouring quantization (uint8/uint16/float16 store fewer bytes). */
export function weightByteLength(spec: io.WeightsManifestEntry): number {
  const elements = spec.shape.reduce((product, size) => product * size, 1);
  const quantizedBytes: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
  if (spec.quantization) return elements * (quantizedBytes[spec.quantization.dtype] ?? 4);
  if (spec.dtype === 'string') throw new Error(`internal: string weight ${spec.name} has no fixed size`);
  return elements * (spec.dtype === 'bool' ? 1 : 4);
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
      await replaceTogether(path.dirname(target), [{ name: path.basename(target), kind: 'directory', write: (staging) => writeModelFiles(staging, artifacts) }]);
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
