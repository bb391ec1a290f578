/**
 * A model configuration in protobuf's JSON form (a load's `config` override, as Triton's GET
 * .../config writes it) turned into the same field tree config.pbtxt gives, so config.ts reads and
 * checks both with the same code. Field names may be the proto's or their lowerCamelCase JSON
 * names; a name model_config.proto does not have is refused, as protobuf's JSON parser refuses it.
 */
import { InvalidInputError } from '../../common/errors.ts';
import { TextMessage, type TextScalar } from './pbtxt.ts';

/** The fields each ModelConfig message has (model_config.proto), for refusing unknown JSON names; values are the nested messages' keys. */
const JSON_SCHEMA: Record<string, Record<string, string | null>> = {
  ModelConfig: {
    name: null,
    platform: null,
    backend: null,
    runtime: null,
    version_policy: 'ModelVersionPolicy',
    max_batch_size: null,
    input: 'ModelInput',
    output: 'ModelOutput',
    batch_input: '*',
    batch_output: '*',
    optimization: '*',
    dynamic_batching: 'ModelDynamicBatching',
    sequence_batching: '*',
    ensemble_scheduling: '*',
    instance_group: '*',
    default_model_filename: null,
    cc_model_filenames: '*',
    metric_tags: '*',
    parameters: '*',
    model_warmup: '*',
    model_operations: '*',
    model_transaction_policy: '*',
    model_repository_agents: '*',
    response_cache: '*',
    model_metrics: '*',
  },
  ModelVersionPolicy: { latest: '*', all: '*', specific: '*' },
  ModelInput: {
    name: null,
    data_type: null,
    format: null,
    dims: null,
    reshape: '*',
    is_shape_tensor: null,
    allow_ragged_batch: null,
    optional: null,
    is_non_linear_format_io: null,
  },
  ModelOutput: {
    name: null,
    data_type: null,
    dims: null,
    reshape: '*',
    label_filename: null,
    is_shape_tensor: null,
    is_non_linear_format_io: null,
  },
  ModelDynamicBatching: {
    preferred_batch_size: null,
    max_queue_delay_microseconds: null,
    preserve_ordering: null,
    priority_levels: null,
    default_priority_level: null,
    default_queue_policy: '*',
    priority_queue_policy: '*',
  },
};

/** Nesting deeper than any ModelConfig has is refused, so a hostile override cannot exhaust the stack. */
const MAX_JSON_DEPTH = 16;

/** A ModelConfig in JSON as the text format's field tree: lists become repeated fields, objects nested messages, true/false identifiers. */
export function configMessageFromJson(json: Record<string, unknown>, origin: string): TextMessage {
  return messageFromJson(json, origin, 'ModelConfig', 0);
}

function messageFromJson(json: Record<string, unknown>, origin: string, schema: string, depth: number): TextMessage {
  if (depth > MAX_JSON_DEPTH) throw new InvalidInputError(`${origin}: the model configuration nests deeper than ${MAX_JSON_DEPTH} levels`);
  const known = schema === '*' ? undefined : JSON_SCHEMA[schema];
  const message = new TextMessage();
  for (const [jsonName, value] of Object.entries(json)) {
    const name = jsonName.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    if (known && !(name in known)) throw new InvalidInputError(`${origin}: unknown field '${jsonName}' in ${schema}`);
    const nested = known?.[name] ?? '*';
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue;
      message.add(name, { line: 0, value: jsonValue(item, origin, name, nested, depth) });
    }
  }
  return message;
}

function jsonValue(item: unknown, origin: string, name: string, schema: string, depth: number): TextScalar | TextMessage {
  if (typeof item === 'string') return { kind: 'string', value: item };
  if (typeof item === 'boolean') return { kind: 'identifier', value: String(item) };
  if (typeof item === 'number' || typeof item === 'bigint') return { kind: 'number', value: Number(item), text: String(item) };
  if (typeof item === 'object' && !Array.isArray(item)) return messageFromJson(item as Record<string, unknown>, origin, schema, depth + 1);
  throw new InvalidInputError(`${origin}: field '${name}' holds a nested list, which no ModelConfig field is`);
}
