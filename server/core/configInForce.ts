/**
 * The model configuration extension's answer: the configuration really in force for a served
 * model version, as Triton's `inference.ModelConfig` in the form Triton writes it (protobuf's JSON
 * with the proto's field names, every scalar and list printed even when default, enums by name,
 * 64-bit integers as numbers). The HTTP route sends it as JSON; the gRPC ModelConfig RPC encodes the
 * same object with the published message definitions, so both say the same thing.
 *
 * What is in force: the config.pbtxt (or the load override) as validated, with the signature the
 * server serves (the config's dims, or the ONNX graph's where the config leaves them out); without
 * a config, what the server derived from the graph — max_batch_size 0 with the batch axis as a -1
 * dim (a request may carry any number of rows), and dynamic_batching when the server merges
 * concurrent requests along that axis (--max-batch, --max-delay-ms).
 */
import { GPU_DEVICES } from '@tfjs-onnx/runtime/constants';
import { DATATYPE_INFO } from './datatypes.ts';
import { DEFAULT_MODEL_FILENAME, DEFAULT_VERSION_POLICY, ONNX_BACKEND, ONNX_PLATFORM, type VersionPolicy } from '../repository/config.ts';
import type { ServedModel, ServedTensor } from './servedModel.ts';

/** The subset of inference.ModelConfig this server fills; the rest keeps its protobuf default. */
export interface TritonModelConfig {
  name: string;
  platform: string;
  backend: string;
  runtime: string;
  version_policy: object;
  max_batch_size: number;
  input: object[];
  output: object[];
  batch_input: never[];
  batch_output: never[];
  dynamic_batching?: object;
  instance_group: object[];
  default_model_filename: string;
  cc_model_filenames: Record<string, never>;
  metric_tags: Record<string, never>;
  parameters: Record<string, never>;
  model_warmup: never[];
}

export function configInForce(model: ServedModel): TritonModelConfig {
  const config = model.config;
  const batched = model.config ? model.config.maxBatchSize > 0 : false;
  const dims = (tensor: ServedTensor) => (batched ? tensor.shape.slice(1) : tensor.shape);
  const labelFiles = new Map((config?.outputs ?? []).map((tensor) => [tensor.name, tensor.labelFilename ?? '']));
  return {
    name: model.name,
    platform: ONNX_PLATFORM,
    backend: ONNX_BACKEND,
    runtime: '',
    version_policy: versionPolicy(config?.versionPolicy ?? DEFAULT_VERSION_POLICY),
    max_batch_size: config?.maxBatchSize ?? 0,
    input: model.inputs.map((tensor) => ({
      name: tensor.name,
      data_type: DATATYPE_INFO[tensor.datatype].configType,
      format: 'FORMAT_NONE',
      dims: dims(tensor),
      is_shape_tensor: false,
      allow_ragged_batch: false,
      optional: false,
      is_non_linear_format_io: false,
    })),
    output: model.outputs.map((tensor) => ({
      name: tensor.name,
      data_type: DATATYPE_INFO[tensor.datatype].configType,
      dims: dims(tensor),
      label_filename: labelFiles.get(tensor.name) ?? '',
      is_shape_tensor: false,
      is_non_linear_format_io: false,
    })),
    batch_input: [],
    batch_output: [],
    ...((config ? config.dynamicBatching !== undefined : model.merging.maxBatch > 1)
      ? { dynamic_batching: dynamicBatching(Math.round(model.merging.maxDelayMs * 1000)) }
      : {}),
    instance_group: [instanceGroup(model)],
    default_model_filename: config?.defaultModelFilename ?? DEFAULT_MODEL_FILENAME,
    cc_model_filenames: {},
    metric_tags: {},
    parameters: {},
    model_warmup: [],
  };
}

function versionPolicy(policy: VersionPolicy): object {
  switch (policy.kind) {
    case 'latest':
      return { latest: { num_versions: policy.numVersions } };
    case 'all':
      return { all: {} };
    case 'specific':
      return { specific: { versions: policy.versions } };
  }
}

function dynamicBatching(delayUs: number): object {
  return {
    preferred_batch_size: [],
    max_queue_delay_microseconds: delayUs,
    preserve_ordering: false,
    priority_levels: 0,
    default_priority_level: 0,
    priority_queue_policy: {},
  };
}

/** One instance of the model, on the device its session runs on (Triton's KIND_GPU lists the GPU ids): a GPU device of the runtime is KIND_GPU. */
function instanceGroup(model: ServedModel): object {
  const gpu = (GPU_DEVICES as readonly string[]).includes(model.model.device);
  return {
    name: model.name,
    kind: gpu ? 'KIND_GPU' : 'KIND_CPU',
    count: 1,
    gpus: gpu ? [0] : [],
    secondary_devices: [],
    profile: [],
    passive: false,
    host_policy: '',
  };
}
