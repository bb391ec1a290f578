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
import { InvalidInputError, InvalidOptionError, describeError } from '../common/errors.ts';
import { writeFileAtomic } from '../common/files.ts';
import { DEFAULT_MAX_BATCH_SIZE, SERVE_DEFAULTS } from './options.ts';

const { onnx } = onnxProto;

export interface ExportTritonOptions {
  /** Model name in the repository; default: the ONNX file name without extension. */
  name?: string;
  /** Triton's max_batch_size; 0 means the model is not batched (dims then include the first axis). */
  maxBatchSize?: number;
  /** Triton's dynamic_batching max_queue_delay_microseconds; default matches `serve --max-delay-ms`. */
  maxQueueDelayMicroseconds?: number;
}

export interface TritonTensor {
  name: string;
  /** e.g. TYPE_FP32 */
  dataType: string;
  /** Without the batch dimension when maxBatchSize > 0; -1 for variable sizes. */
  dims: number[];
}

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
const LABELS_KEY = 'tfjs_onnx.labels';
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** ONNX TensorProto.DataType → Triton data_type. */
const TRITON_TYPES: Record<number, string> = {
  1: 'TYPE_FP32', 2: 'TYPE_UINT8', 3: 'TYPE_INT8', 4: 'TYPE_UINT16', 5: 'TYPE_INT16', 6: 'TYPE_INT32', 7: 'TYPE_INT64',
  8: 'TYPE_STRING', 9: 'TYPE_BOOL', 10: 'TYPE_FP16', 11: 'TYPE_FP64', 12: 'TYPE_UINT32', 13: 'TYPE_UINT64', 16: 'TYPE_BF16',
};

export async function exportTriton(onnxPath: string, outputDir: string, options: ExportTritonOptions = {}): Promise<TritonExport> {
  const name = options.name ?? path.basename(onnxPath, path.extname(onnxPath));
  const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  const delay = options.maxQueueDelayMicroseconds ?? SERVE_DEFAULTS.maxDelayMs * 1000;
  checkExportOptions(name, maxBatchSize, delay);
  const bytes = await readModelBytes(onnxPath);
  const model = decodeModel(bytes, onnxPath);
  const graph = model.graph;
  if (!graph) throw new InvalidInputError(`${onnxPath} has no graph`);
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  // Older exporters list weights among the graph inputs too; Triton must see only the real inputs.
  const inputs = (graph.input ?? []).filter((value) => !initializers.has(value.name ?? '')).map((value) => toTritonTensor(value, maxBatchSize, onnxPath));
  const outputs = (graph.output ?? []).map((value) => toTritonTensor(value, maxBatchSize, onnxPath));
  if (inputs.length === 0 || outputs.length === 0) throw new InvalidInputError(`${onnxPath} declares no graph inputs or outputs`);
  const labels = readLabels(model, onnxPath);

  const modelDirectory = path.join(outputDir, name);
  const modelPath = path.join(modelDirectory, '1', 'model.onnx');
  const configPath = path.join(modelDirectory, 'config.pbtxt');
  const labelsPath = labels && outputs.length === 1 ? path.join(modelDirectory, 'labels.txt') : undefined;
  const config = formatConfig({ name, maxBatchSize, inputs, outputs, delay, labelsFile: labelsPath && path.basename(labelsPath) });
  await writeFileAtomic(modelPath, bytes);
  if (labelsPath && labels) await writeFileAtomic(labelsPath, labels.join('\n') + '\n');
  await writeFileAtomic(configPath, config);
  return { name, modelDirectory, configPath, modelPath, labelsPath, maxBatchSize, inputs, outputs, config };
}

function checkExportOptions(name: string, maxBatchSize: number, delay: number): void {
  if (!MODEL_NAME.test(name)) throw new InvalidOptionError(`model name '${name}' must start with a letter or digit and use only letters, digits, '_', '.' and '-'`);
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 0) throw new InvalidOptionError(`--max-batch-size must be an integer ≥ 0 (0: no batching), got ${maxBatchSize}`);
  if (!Number.isInteger(delay) || delay < 0) throw new InvalidOptionError(`the queue delay must be a whole number of microseconds ≥ 0, got ${delay}`);
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
  const dataType = TRITON_TYPES[tensorType?.elemType ?? 0];
  if (!tensorType || !dataType) throw new InvalidInputError(`${onnxPath}: tensor '${name}' has an element type Triton cannot serve`);
  const dims = (tensorType.shape?.dim ?? []).map((dim) => (dim.dimValue != null && Number(dim.dimValue) > 0 ? Number(dim.dimValue) : -1));
  if (maxBatchSize === 0) return { name, dataType, dims };
  // With max_batch_size > 0 Triton adds the batch axis itself, so it must be variable in the model.
  if (dims.length === 0 || dims[0] !== -1) {
    throw new InvalidInputError(`${onnxPath}: tensor '${name}' has a fixed first dimension (${dims[0] ?? 'none'}), so Triton cannot batch it; export with --max-batch-size 0`);
  }
  return { name, dataType, dims: dims.slice(1) };
}

function readLabels(model: OnnxTypes.ModelProto, onnxPath: string): string[] | undefined {
  const entry = (model.metadataProps ?? []).find((prop) => prop.key === LABELS_KEY);
  if (!entry?.value) return undefined;
  try {
    const labels: unknown = JSON.parse(entry.value);
    if (Array.isArray(labels) && labels.every((label) => typeof label === 'string' && !label.includes('\n'))) return labels;
  } catch {
    // Falls through to the error below: the metadata is ours, so a broken value is worth reporting.
  }
  throw new InvalidInputError(`${onnxPath}: metadata ${LABELS_KEY} is not a JSON list of one-line strings`);
}

interface ConfigParts {
  name: string;
  maxBatchSize: number;
  inputs: TritonTensor[];
  outputs: TritonTensor[];
  delay: number;
  labelsFile?: string;
}

/** config.pbtxt in protobuf text format, laid out like the examples in Triton's documentation. */
export function formatConfig(parts: ConfigParts): string {
  const tensor = (t: TritonTensor, extra = '') =>
    `  {\n    name: ${quote(t.name)}\n    data_type: ${t.dataType}\n    dims: [ ${t.dims.join(', ')} ]\n${extra}  }`;
  const lines = [
    `name: ${quote(parts.name)}`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${parts.maxBatchSize}`,
    `input [\n${parts.inputs.map((t) => tensor(t)).join(',\n')}\n]`,
    `output [\n${parts.outputs.map((t) => tensor(t, parts.labelsFile ? `    label_filename: ${quote(parts.labelsFile)}\n` : '')).join(',\n')}\n]`,
  ];
  // Dynamic batching needs a batch axis; a model exported with max_batch_size 0 runs requests one by one.
  if (parts.maxBatchSize > 0) lines.push(`dynamic_batching {\n  max_queue_delay_microseconds: ${parts.delay}\n}`);
  return lines.join('\n') + '\n';
}

function quote(text: string): string {
  return JSON.stringify(text);
}
