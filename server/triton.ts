/**
 * Export to a Triton Inference Server model repository:
 *
 *   <outputDir>/<name>/config.pbtxt
 *   <outputDir>/<name>/1/model.onnx
 *   <outputDir>/<name>/labels.txt        (when the model carries tfjs_onnx.labels)
 *
 * The config is derived from the ONNX graph itself (input/output names, element types, dims), the
 * one source of truth for the signature. Each file is written atomically and config.pbtxt last, so
 * a Triton polling the repository never sees a config whose model file is missing or half-written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { METADATA_LABELS } from '@tfjs-onnx/runtime/constants';
import { InvalidInputError, InvalidOptionError, describeError } from '../common/errors.ts';
import { writeFileAtomic } from '../common/files.ts';
import type { Datatype } from './core/datatypes.ts';
import { DEFAULT_MODEL_FILENAME, MAX_CONFIG_BATCH_SIZE, MAX_QUEUE_DELAY_MICROSECONDS, type ConfigTensor } from './repository/config.ts';
import { formatModelConfig } from './repository/formatConfig.ts';
import { MODEL_NAME } from './repository/layout.ts';
import { DEFAULT_MAX_BATCH_SIZE, SERVE_DEFAULTS } from './options.ts';

const { onnx } = onnxProto;
const ElementCode = onnx.TensorProto.DataType;

export interface ExportTritonOptions {
  /** Model name in the repository; default: the ONNX file name without extension. */
  name?: string;
  /** Triton's max_batch_size; 0 means the model is not batched (dims then include the first axis). */
  maxBatchSize?: number;
  /** Triton's dynamic_batching max_queue_delay_microseconds; default matches `serve --max-delay-ms`. */
  maxQueueDelayMicroseconds?: number;
}

/** A tensor as config.pbtxt lists it: without the batch dimension when maxBatchSize > 0, -1 for variable sizes. */
export type TritonTensor = ConfigTensor;

export interface TritonExport {
  name: string;
  modelDirectory: string;
  configPath: string;
  modelPath: string;
  labelsPath?: string;
  maxBatchSize: number;
  inputs: TritonTensor[];
  outputs: TritonTensor[];
  config: string;
}

export { DEFAULT_MAX_BATCH_SIZE } from './options.ts';

/** ONNX's element type codes (TensorProto.DataType) → the protocol datatype (config.ts writes Triton's TYPE_ name for it). */
const DATATYPE_OF_ELEMENT_CODE: Partial<Record<number, Datatype>> = {
  [ElementCode.FLOAT]: 'FP32',
  [ElementCode.UINT8]: 'UINT8',
  [ElementCode.INT8]: 'INT8',
  [ElementCode.UINT16]: 'UINT16',
  [ElementCode.INT16]: 'INT16',
  [ElementCode.INT32]: 'INT32',
  [ElementCode.INT64]: 'INT64',
  [ElementCode.STRING]: 'BYTES',
  [ElementCode.BOOL]: 'BOOL',
  [ElementCode.FLOAT16]: 'FP16',
  [ElementCode.DOUBLE]: 'FP64',
  [ElementCode.UINT32]: 'UINT32',
  [ElementCode.UINT64]: 'UINT64',
};

export async function exportTriton(onnxPath: string, outputDir: string, options: ExportTritonOptions = {}): Promise<TritonExport> {
  const name = options.name ?? path.basename(onnxPath, path.extname(onnxPath));
  const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const delay = options.maxQueueDelayMicroseconds ?? SERVE_DEFAULTS.maxDelayMs * 1000;
  checkExportOptions(outputDir, name, maxBatchSize, delay);
  const bytes = await readModelBytes(onnxPath);
  const model = decodeModel(bytes, onnxPath);
  const graph = model.graph;
  if (!graph) throw new InvalidInputError(`${onnxPath} has no graph`);
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  // Older exporters list weights among the graph inputs too; Triton must see only the real inputs.
  const inputs = (graph.input ?? [])
    .filter((value) => !initializers.has(value.name ?? ''))
    .map((value) => toTritonTensor(value, maxBatchSize, onnxPath));
  const outputs = (graph.output ?? []).map((value) => toTritonTensor(value, maxBatchSize, onnxPath));
  if (inputs.length === 0 || outputs.length === 0) throw new InvalidInputError(`${onnxPath} declares no graph inputs or outputs`);
  const labels = readLabels(model, onnxPath);

  const modelDirectory = path.join(outputDir, name);
  const modelPath = path.join(modelDirectory, '1', DEFAULT_MODEL_FILENAME);
  const configPath = path.join(modelDirectory, 'config.pbtxt');
  const labelsPath = labels && outputs.length === 1 ? path.join(modelDirectory, 'labels.txt') : undefined;
  const labelled = labelsPath ? outputs.map((output) => ({ ...output, labelFilename: path.basename(labelsPath) })) : outputs;
  const config = formatModelConfig({ name, maxBatchSize, inputs, outputs: labelled, maxQueueDelayMicroseconds: delay });
  await writeFileAtomic(modelPath, bytes);
  if (labelsPath && labels) await writeFileAtomic(labelsPath, `${labels.join('\n')}\n`);
  await writeFileAtomic(configPath, config);
  return { name, modelDirectory, configPath, modelPath, labelsPath, maxBatchSize, inputs, outputs: labelled, config };
}

function checkExportOptions(outputDir: string, name: string, maxBatchSize: number, delay: number): void {
  // An empty -o would resolve to the current directory: a repository is always named on purpose.
  if (typeof outputDir !== 'string' || outputDir.trim() === '')
    throw new InvalidOptionError('-o/--output must name the model repository directory; it is empty');
  if (!MODEL_NAME.test(name))
    throw new InvalidOptionError(`model name '${name}' must start with a letter or digit and use only letters, digits, '_', '.' and '-'`);
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 0 || maxBatchSize > MAX_CONFIG_BATCH_SIZE) {
    throw new InvalidOptionError(
      `--max-batch-size must be a whole number from 0 (no batching) to ${MAX_CONFIG_BATCH_SIZE}, got ${maxBatchSize}`,
    );
  }
  if (!Number.isInteger(delay) || delay < 0 || delay > MAX_QUEUE_DELAY_MICROSECONDS) {
    throw new InvalidOptionError(
      `the queue delay must be a whole number of microseconds from 0 to ${MAX_QUEUE_DELAY_MICROSECONDS}, got ${delay}`,
    );
  }
}

async function readModelBytes(onnxPath: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(onnxPath);
  } catch (error) {
    throw new InvalidInputError(`cannot read ONNX model ${onnxPath}: ${describeError(error)}`);
  }
}

function decodeModel(bytes: Uint8Array, onnxPath: string): OnnxTypes.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new InvalidInputError(`${onnxPath} is not an ONNX model: ${describeError(error)}`);
  }
}

function toTritonTensor(value: OnnxTypes.IValueInfoProto, maxBatchSize: number, onnxPath: string): TritonTensor {
  const name = value.name ?? '';
  const tensorType = value.type?.tensorType;
  const datatype = DATATYPE_OF_ELEMENT_CODE[tensorType?.elemType ?? ElementCode.UNDEFINED];
  if (!tensorType || !datatype)
    throw new InvalidInputError(`${onnxPath}: tensor '${name}' has an element type this export does not support`);
  const dims = (tensorType.shape?.dim ?? []).map((dim) => (dim.dimValue != null && Number(dim.dimValue) > 0 ? Number(dim.dimValue) : -1));
  if (maxBatchSize === 0) return { name, datatype, dims };
  // With max_batch_size > 0 Triton adds the batch axis itself, so it must be variable in the model.
  if (dims.length === 0 || dims[0] !== -1) {
    throw new InvalidInputError(
      `${onnxPath}: tensor '${name}' has a fixed first dimension (${dims[0] ?? 'none'}), so Triton cannot batch it; export with --max-batch-size 0`,
    );
  }
  return { name, datatype, dims: dims.slice(1) };
}

function readLabels(model: OnnxTypes.ModelProto, onnxPath: string): string[] | undefined {
  const entry = (model.metadataProps ?? []).find((prop) => prop.key === METADATA_LABELS);
  if (!entry?.value) return undefined;
  try {
    const labels: unknown = JSON.parse(entry.value);
    if (Array.isArray(labels) && labels.every((label) => typeof label === 'string' && !label.includes('\n'))) return labels;
  } catch {
    // Falls through to the error below: the metadata is ours, so a broken value is worth reporting.
  }
  throw new InvalidInputError(`${onnxPath}: metadata ${METADATA_LABELS} is not a JSON list of one-line strings`);
}
