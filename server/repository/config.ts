/**
 * Triton's model configuration, the part this server acts on: max_batch_size, input/output (name,
 * data_type, dims, label_filename), dynamic_batching, version_policy and default_model_filename.
 * It is read from config.pbtxt (protobuf text format) or, for a load with a `config` override,
 * from its JSON form (protobuf's JSON mapping, as Triton's GET .../config writes it): both become
 * the same field tree, read and checked by the same code, so an override is validated exactly like
 * a repository config. Fields that would change what a model computes or how requests are answered
 * and that this server does not implement (sequence batching, ensembles, batch inputs, reshapes,
 * optional or ragged inputs, priority levels and queue policies, decoupled transactions, the
 * response cache) are refused by name; instance_group's kind says where the model runs (KIND_GPU
 * on the runtime's device 'gpu', KIND_CPU on 'cpu'; its count and gpus are read past: one session
 * per version); fields that only tune Triton's own machinery (optimization, model_warmup,
 * parameters, ...) are read past. formatConfig.ts writes the config export-triton produces, and
 * what it writes is what is read back here.
 */
import { InvalidInputError } from '../../common/errors.ts';
import { datatypeFromConfig, type Datatype } from '../core/datatypes.ts';
import { configMessageFromJson } from './configJson.ts';
import { FieldReader } from './fieldReader.ts';
import { TextFormatSyntaxError, TextMessage, parseTextFormat, type TextField } from './pbtxt.ts';

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
export const ONNX_PLATFORM = 'onnxruntime_onnx';
export const ONNX_BACKEND = 'onnxruntime';
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
    if (error instanceof TextFormatSyntaxError) throw new InvalidInputError(`${file}: ${error.message}`);
    throw error;
  }
  return readConfigMessage(message, new FieldReader(file, false));
}

/**
 * Reads a ModelConfig in protobuf's JSON form (a load's `config` override); `origin` names it in
 * messages. Field names may be the proto's or their lowerCamelCase JSON names; 64-bit integers
 * may be numbers or decimal strings; enums are their names. An unknown field is refused, as
 * protobuf's JSON parser refuses it.
 */
export function readModelConfigJson(json: unknown, origin: string): ModelConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new InvalidInputError(`${origin}: the model configuration must be a JSON object`);
  return readConfigMessage(configMessageFromJson(json as Record<string, unknown>, origin), new FieldReader(origin, true));
}

function readConfigMessage(message: TextMessage, reader: FieldReader): ModelConfig {
  refuseUnsupported(reader, message);
  const platform = reader.optionalString(message, 'platform');
  const backend = reader.optionalString(message, 'backend');
  if ((platform !== undefined && platform !== ONNX_PLATFORM) || (backend !== undefined && backend !== ONNX_BACKEND)) {
    throw reader.error(
      message,
      platform !== undefined ? 'platform' : 'backend',
      `${platform !== undefined ? `platform '${platform}'` : `backend '${backend}'`} is not served here; this server runs ONNX models only (platform "${ONNX_PLATFORM}")`,
    );
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
    dynamicBatching: dynamic && {
      maxQueueDelayMicroseconds: reader.optionalInteger(dynamic, 'max_queue_delay_microseconds', 0, MAX_QUEUE_DELAY_MICROSECONDS) ?? 0,
    },
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
  if (kinds.size > 1)
    throw reader.error(
      message,
      'instance_group',
      `instance_group mixes ${[...kinds].join(' and ')}; this server runs each version in one place`,
    );
  const [kind] = kinds;
  return kind === undefined ? {} : { instanceKind: kind as InstanceKind };
}

function readTensor(reader: FieldReader, tensor: TextMessage): ConfigTensor {
  const name = reader.requiredString(tensor, 'name');
  const typeName = reader.requiredIdentifier(tensor, 'data_type');
  const datatype = datatypeFromConfig(typeName);
  if (datatype === undefined)
    throw reader.error(tensor, 'data_type', `tensor '${name}' has data_type ${typeName}, which this server cannot serve`);
  const dims = reader.integers(tensor, 'dims', -1, Number.MAX_SAFE_INTEGER);
  if (dims.some((size) => size === 0)) throw reader.error(tensor, 'dims', `tensor '${name}' has a 0 dimension`);
  // An empty label_filename (as GET .../config writes it for an output without labels) names no file.
  const labelFilename = reader.optionalString(tensor, 'label_filename') || undefined;
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
    throw reader.error(
      message,
      'default_model_filename',
      `default_model_filename '${name}' must be a file name inside the version directory`,
    );
  }
  return name;
}

/**
 * What the config may set but this server cannot apply: refused by name rather than ignored, with
 * `isSet` telling a real setting from the default (GET .../config writes every default out).
 */
const UNSUPPORTED: { path: string[]; isSet: (field: TextField) => boolean; why: string }[] = [
  { path: ['sequence_batching'], isSet: () => true, why: 'this server has no sequence batcher (stateful models)' },
  { path: ['ensemble_scheduling'], isSet: () => true, why: 'this server runs no ensembles' },
  { path: ['batch_input'], isSet: () => true, why: 'batch inputs are not supported' },
  { path: ['batch_output'], isSet: () => true, why: 'batch outputs are not supported' },
  { path: ['input', 'reshape'], isSet: () => true, why: 'tensor reshapes are not supported' },
  { path: ['output', 'reshape'], isSet: () => true, why: 'tensor reshapes are not supported' },
  { path: ['input', 'optional'], isSet: isTrue, why: 'optional inputs are not supported: every input must be given' },
  { path: ['input', 'allow_ragged_batch'], isSet: isTrue, why: 'ragged batches are not supported' },
  { path: ['input', 'is_shape_tensor'], isSet: isTrue, why: 'shape tensors are not supported' },
  { path: ['output', 'is_shape_tensor'], isSet: isTrue, why: 'shape tensors are not supported' },
  {
    path: ['dynamic_batching', 'priority_levels'],
    isSet: isNonZero,
    why: 'priority levels are not supported (every request has the default priority)',
  },
  {
    path: ['dynamic_batching', 'default_queue_policy'],
    isSet: () => true,
    why: 'queue policies are not supported (a request `timeout` parameter bounds its wait)',
  },
  {
    path: ['dynamic_batching', 'priority_queue_policy'],
    isSet: (field) => field.value instanceof TextMessage && field.value.fields.size > 0,
    why: 'queue policies are not supported',
  },
  {
    path: ['model_transaction_policy', 'decoupled'],
    isSet: isTrue,
    why: 'decoupled models are not supported: every request has exactly one response',
  },
  { path: ['response_cache', 'enable'], isSet: isTrue, why: 'this server has no response cache' },
];

function isTrue(field: TextField): boolean {
  return !(field.value instanceof TextMessage) && field.value.kind === 'identifier' && field.value.value === 'true';
}

function isNonZero(field: TextField): boolean {
  return !(field.value instanceof TextMessage) && field.value.value !== 0 && field.value.value !== '0';
}

function refuseUnsupported(reader: FieldReader, config: TextMessage): void {
  for (const { path, isSet, why } of UNSUPPORTED) {
    const found = fieldsAt(config, path).find(isSet);
    if (found) throw reader.errorAt(found, `'${path.join('.')}' is set, but ${why}`);
  }
}

function fieldsAt(message: TextMessage, path: string[]): TextField[] {
  const fields = message.get(path[0]);
  if (path.length === 1) return fields;
  return fields.flatMap((field) => (field.value instanceof TextMessage ? fieldsAt(field.value, path.slice(1)) : []));
}
