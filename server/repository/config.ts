/**
 * Triton's model configuration (config.pbtxt), the part this server acts on: max_batch_size,
 * input/output (name, data_type, dims, label_filename), dynamic_batching, version_policy and
 * default_model_filename, and instance_group's kind (KIND_GPU runs the model on device 'gpu',
 * KIND_CPU on 'cpu'; its count and gpus are read past: one session per version). Other fields
 * (optimization, parameters, ...) are read past: they tune Triton's own machinery, which this server does not have. The same module writes
 * the config export-triton produces, so what is written is what is read back.
 */
import { InvalidInputError } from '../../common/errors.ts';
import { DATATYPE_INFO, datatypeFromConfig, type Datatype } from '../core/datatypes.ts';
import { TextFormatError, TextMessage, parseTextFormat, type TextField, type TextScalar } from './pbtxt.ts';

export interface ConfigTensor {
  name: string;
  datatype: Datatype;
  /** Without the batch axis when max_batch_size > 0; -1 for a variable size. */
  dims: number[];
  labelFilename?: string;
}

export type VersionPolicy = { kind: 'latest'; numVersions: number } | { kind: 'all' } | { kind: 'specific'; versions: number[] };

export interface ModelConfig {
  name?: string;
  platform?: string;
  backend?: string;
  /** 0: the model has no batch axis Triton knows of; > 0: the most rows one request may carry. */
  maxBatchSize: number;
  /** Empty when the config leaves the signature to the model (Triton's auto-complete). */
  inputs: ConfigTensor[];
  outputs: ConfigTensor[];
  /** Absent: requests run one by one. */
  dynamicBatching?: { maxQueueDelayMicroseconds: number };
  versionPolicy: VersionPolicy;
  defaultModelFilename: string;
  /** instance_group's kind, when the config names one: where the model runs. */
  instanceKind?: InstanceKind;
}

/** Triton's instance kinds this server honours; KIND_AUTO leaves the server's --device. */
export const INSTANCE_KINDS = ['KIND_AUTO', 'KIND_GPU', 'KIND_CPU'] as const;
export type InstanceKind = (typeof INSTANCE_KINDS)[number];

/** Triton's defaults: the newest version only, file model.onnx. */
export const DEFAULT_VERSION_POLICY: VersionPolicy = { kind: 'latest', numVersions: 1 };
export const DEFAULT_MODEL_FILENAME = 'model.onnx';
/** Platform and backend names under which Triton runs ONNX with onnxruntime, the only ones served here. */
const ONNX_PLATFORM = 'onnxruntime_onnx';
const ONNX_BACKEND = 'onnxruntime';
/** Triton reads max_batch_size as an int32: larger values make a config Triton cannot load. */
export const MAX_CONFIG_BATCH_SIZE = 2 ** 31 - 1;
/** Longest dynamic-batching delay accepted (10 s): longer ones would hold requests past any client timeout. */
export const MAX_QUEUE_DELAY_MICROSECONDS = 10_000_000;

/** Reads config.pbtxt text; `file` names it in messages. */
export function readModelConfig(text: string, file: string): ModelConfig {
  let message: TextMessage;
  try {
    message = parseTextFormat(text);
  } catch (error) {
    if (error instanceof TextFormatError) throw new InvalidInputError(`${file}: ${error.message}`);
    throw error;
  }
  const reader = new FieldReader(file);
  const platform = reader.optionalString(message, 'platform');
  const backend = reader.optionalString(message, 'backend');
  if ((platform !== undefined && platform !== ONNX_PLATFORM) || (backend !== undefined && backend !== ONNX_BACKEND)) {
    throw new InvalidInputError(`${file}: ${platform !== undefined ? `platform '${platform}'` : `backend '${backend}'`} is not served here; this server runs ONNX models only (platform "${ONNX_PLATFORM}")`);
  }
  const maxBatchSize = reader.optionalInteger(message, 'max_batch_size', 0, MAX_CONFIG_BATCH_SIZE) ?? 0;
  const dynamic = reader.optionalMessage(message, 'dynamic_batching');
  return {
    name: reader.optionalString(message, 'name'),
    platform,
    backend,
    maxBatchSize,
    inputs: reader.messages(message, 'input').map((tensor) => readTensor(reader, tensor)),
    outputs: reader.messages(message, 'output').map((tensor) => readTensor(reader, tensor)),
    dynamicBatching: dynamic && { maxQueueDelayMicroseconds: reader.optionalInteger(dynamic, 'max_queue_delay_microseconds', 0, MAX_QUEUE_DELAY_MICROSECONDS) ?? 0 },
    versionPolicy: readVersionPolicy(reader, reader.optionalMessage(message, 'version_policy')),
    defaultModelFilename: readModelFilename(reader, message),
    ...readInstanceKind(reader, message),
  };
}

/** Triton's instance kind as the runtime's device: KIND_GPU → 'gpu', KIND_CPU → 'cpu', KIND_AUTO or none → the server's default. */
export function deviceFor<D extends string>(kind: InstanceKind | undefined, serverDefault: D): D | 'gpu' | 'cpu' {
  return kind === 'KIND_GPU' ? 'gpu' : kind === 'KIND_CPU' ? 'cpu' : serverDefault;
}

/** The one kind the config's instance groups agree on (KIND_MODEL and mixed kinds are refused: one session per version). */
function readInstanceKind(reader: FieldReader, message: TextMessage): { instanceKind?: InstanceKind } {
  const kinds = new Set<string>();
  for (const group of reader.messages(message, 'instance_group')) {
    const kind = reader.optionalIdentifier(group, 'kind') ?? 'KIND_AUTO';
    if (!(INSTANCE_KINDS as readonly string[]).includes(kind)) {
      throw reader.error(group, 'kind', `instance_group kind ${kind} is not served here; use KIND_GPU, KIND_CPU or KIND_AUTO`);
    }
    kinds.add(kind);
  }
  if (kinds.size > 1) throw reader.error(message, 'instance_group', `instance_group mixes ${[...kinds].join(' and ')}; this server runs each version in one place`);
  const [kind] = kinds;
  return kind === undefined ? {} : { instanceKind: kind as InstanceKind };
}

function readTensor(reader: FieldReader, tensor: TextMessage): ConfigTensor {
  const name = reader.requiredString(tensor, 'name');
  const typeName = reader.requiredIdentifier(tensor, 'data_type');
  const datatype = datatypeFromConfig(typeName);
  if (datatype === undefined) throw reader.error(tensor, 'data_type', `tensor '${name}' has data_type ${typeName}, which this server cannot serve`);
  const dims = reader.integers(tensor, 'dims', -1, Number.MAX_SAFE_INTEGER);
  if (dims.some((size) => size === 0)) throw reader.error(tensor, 'dims', `tensor '${name}' has a 0 dimension`);
  const labelFilename = reader.optionalString(tensor, 'label_filename');
  if (labelFilename !== undefined && (labelFilename.includes('/') || labelFilename.includes('\\') || labelFilename.startsWith('.'))) {
    throw reader.error(tensor, 'label_filename', `label_filename '${labelFilename}' must be a file name inside the model's directory`);
  }
  return { name, datatype, dims, ...(labelFilename !== undefined ? { labelFilename } : {}) };
}

function readVersionPolicy(reader: FieldReader, policy: TextMessage | undefined): VersionPolicy {
  if (!policy) return DEFAULT_VERSION_POLICY;
  const latest = reader.optionalMessage(policy, 'latest');
  if (latest) return { kind: 'latest', numVersions: reader.optionalInteger(latest, 'num_versions', 1, 1_000_000) ?? 1 };
  if (reader.optionalMessage(policy, 'all')) return { kind: 'all' };
  const specific = reader.optionalMessage(policy, 'specific');
  if (specific) return { kind: 'specific', versions: reader.integers(specific, 'versions', 1, Number.MAX_SAFE_INTEGER) };
  return DEFAULT_VERSION_POLICY;
}

function readModelFilename(reader: FieldReader, message: TextMessage): string {
  const name = reader.optionalString(message, 'default_model_filename') ?? DEFAULT_MODEL_FILENAME;
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
    throw reader.error(message, 'default_model_filename', `default_model_filename '${name}' must be a file name inside the version directory`);
  }
  return name;
}

/** Typed access to the generic tree, each problem reported with the file and line. */
class FieldReader {
  constructor(private readonly file: string) {}

  error(message: TextMessage, field: string, problem: string): InvalidInputError {
    const line = message.get(field)[0]?.line;
    return new InvalidInputError(`${this.file}${line !== undefined ? `: line ${line}` : ''}: ${problem}`);
  }

  private single(message: TextMessage, field: string): TextField | undefined {
    const fields = message.get(field);
    if (fields.length > 1) throw new InvalidInputError(`${this.file}: line ${fields[1].line}: '${field}' is given more than once`);
    return fields[0];
  }

  private scalar(field: TextField, name: string): TextScalar {
    if (field.value instanceof TextMessage) throw new InvalidInputError(`${this.file}: line ${field.line}: '${name}' is a value, not a { } block`);
    return field.value;
  }

  optionalString(message: TextMessage, name: string): string | undefined {
    const field = this.single(message, name);
    if (!field) return undefined;
    const value = this.scalar(field, name);
    if (value.kind !== 'string') throw new InvalidInputError(`${this.file}: line ${field.line}: '${name}' must be a quoted string`);
    return value.value;
  }

  requiredString(message: TextMessage, name: string): string {
    const value = this.optionalString(message, name);
    if (value === undefined) throw new InvalidInputError(`${this.file}: a tensor has no '${name}'`);
    return value;
  }

  requiredIdentifier(message: TextMessage, name: string): string {
    const field = this.single(message, name);
    if (!field) throw new InvalidInputError(`${this.file}: a tensor has no '${name}'`);
    const value = this.scalar(field, name);
    if (value.kind !== 'identifier') throw new InvalidInputError(`${this.file}: line ${field.line}: '${name}' must be a name such as TYPE_FP32`);
    return value.value;
  }

  optionalIdentifier(message: TextMessage, name: string): string | undefined {
    const field = this.single(message, name);
    if (!field) return undefined;
    const value = this.scalar(field, name);
    if (value.kind !== 'identifier') throw new InvalidInputError(`${this.file}: line ${field.line}: '${name}' must be a name such as KIND_GPU`);
    return value.value;
  }

  optionalInteger(message: TextMessage, name: string, min: number, max: number): number | undefined {
    const field = this.single(message, name);
    return field ? this.integer(field, name, min, max) : undefined;
  }

  integers(message: TextMessage, name: string, min: number, max: number): number[] {
    return message.get(name).map((field) => this.integer(field, name, min, max));
  }

  private integer(field: TextField, name: string, min: number, max: number): number {
    const value = this.scalar(field, name);
    if (value.kind !== 'number' || !Number.isSafeInteger(value.value) || value.value < min || value.value > max) {
      const shown = value.kind === 'number' ? value.text : value.value;
      throw new InvalidInputError(`${this.file}: line ${field.line}: '${name}' is ${shown}; expected a whole number from ${min} to ${max}`);
    }
    return value.value;
  }

  optionalMessage(message: TextMessage, name: string): TextMessage | undefined {
    const field = this.single(message, name);
    if (!field) return undefined;
    if (!(field.value instanceof TextMessage)) throw new InvalidInputError(`${this.file}: line ${field.line}: '${name}' must be a { } block`);
    return field.value;
  }

  messages(message: TextMessage, name: string): TextMessage[] {
    return message.get(name).map((field) => {
      if (!(field.value instanceof TextMessage)) throw new InvalidInputError(`${this.file}: line ${field.line}: '${name}' must be a { } block`);
      return field.value;
    });
  }
}

// ---- writing ---------------------------------------------------------------------------------

export interface ConfigParts {
  name: string;
  maxBatchSize: number;
  inputs: ConfigTensor[];
  outputs: ConfigTensor[];
  /** Dynamic batching's delay; written only when the model batches (max_batch_size > 0). */
  maxQueueDelayMicroseconds: number;
}

/** config.pbtxt in protobuf text format, laid out like the examples in Triton's documentation. */
export function formatModelConfig(parts: ConfigParts): string {
  const tensor = (t: ConfigTensor) =>
    `  {\n    name: ${quote(t.name)}\n    data_type: ${DATATYPE_INFO[t.datatype].configType}\n    dims: [ ${t.dims.join(', ')} ]\n${t.labelFilename ? `    label_filename: ${quote(t.labelFilename)}\n` : ''}  }`;
  const lines = [
    `name: ${quote(parts.name)}`,
    `platform: "${ONNX_PLATFORM}"`,
    `max_batch_size: ${parts.maxBatchSize}`,
    `input [\n${parts.inputs.map(tensor).join(',\n')}\n]`,
    `output [\n${parts.outputs.map(tensor).join(',\n')}\n]`,
  ];
  // Dynamic batching needs a batch axis; a model exported with max_batch_size 0 runs requests one by one.
  if (parts.maxBatchSize > 0) lines.push(`dynamic_batching {\n  max_queue_delay_microseconds: ${parts.maxQueueDelayMicroseconds}\n}`);
  return lines.join('\n') + '\n';
}

function quote(text: string): string {
  return JSON.stringify(text);
}
