/**
 * gRPC messages ↔ core requests: ModelInferRequest (typed `contents` or `raw_input_contents`) into
 * an InferenceCall, and an InferenceResponse into ModelInferResponse with raw_output_contents (as
 * Triton answers). Raw bytes are read by the same functions as the HTTP binary extension, so a
 * tensor means the same bytes on both protocols.
 */
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { InvalidRequestError } from '../errors.ts';
import { DATATYPE_INFO, type TensorValues } from '../core/datatypes.ts';
import type { InferenceCall, InferenceResponse, PlannedInput } from '../core/requests.ts';
import type { SharedMemoryParameters } from '../core/sharedMemoryParameters.ts';
import { valuesFromRaw, valuesToRaw } from '../core/rawTensors.ts';

/** InferParameter as @grpc/proto-loader hands it over (oneofs: true, longs: String). */
export interface GrpcParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';
  bool_param?: boolean;
  int64_param?: string;
  string_param?: string;
  double_param?: number;
  uint64_param?: string;
}

export interface GrpcContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: string[];
  uint_contents?: number[];
  uint64_contents?: string[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Buffer[];
}

export interface GrpcInferRequest {
  model_name?: string;
  model_version?: string;
  id?: string;
  inputs?: { name?: string; datatype?: string; shape?: string[]; parameters?: Record<string, GrpcParameter>; contents?: GrpcContents }[];
  outputs?: { name?: string; parameters?: Record<string, GrpcParameter> }[];
  parameters?: Record<string, GrpcParameter>;
  raw_input_contents?: Buffer[];
}

/** A parameter's value, whichever oneof field carries it; a 64-bit integer JavaScript cannot hold exactly as a bigint. */
export function parameterValue(parameter: GrpcParameter | undefined): string | number | bigint | boolean | undefined {
  switch (parameter?.parameter_choice) {
    case 'bool_param':
      return parameter.bool_param;
    case 'int64_param':
      return exactInteger(parameter.int64_param);
    case 'uint64_param':
      return exactInteger(parameter.uint64_param);
    case 'double_param':
      return parameter.double_param;
    case 'string_param':
      return parameter.string_param;
    default:
      return undefined;
  }
}

function exactInteger(decimal: string | undefined): number | bigint {
  const value = Number(decimal ?? 0);
  return Number.isSafeInteger(value) ? value : BigInt(decimal!);
}

export function inferCallFromGrpc(request: GrpcInferRequest, receivedAt: bigint): InferenceCall {
  const inputs = request.inputs ?? [];
  const raw = request.raw_input_contents ?? [];
  const inSharedMemory = inputs.map((input) => sharedMemoryParameters(input.parameters));
  for (const [index, input] of inputs.entries()) {
    if (inSharedMemory[index] && hasContents(input.contents)) {
      throw new InvalidRequestError(
        `unexpected 'content' provided when using shared memory for input tensor '${input.name ?? ''}' for model '${request.model_name ?? ''}'`,
      );
    }
  }
  // As in Triton, raw_input_contents holds the inputs that are not in shared memory, in order.
  const carried = inSharedMemory.filter((parameters) => parameters === undefined).length;
  if (raw.length > 0 && raw.length !== carried) {
    throw new InvalidRequestError(
      `raw_input_contents has ${raw.length} entries for ${carried} inputs not in shared memory; give one per input, in order, or use contents`,
    );
  }
  if (raw.length > 0 && inputs.some((input) => hasContents(input.contents))) {
    throw new InvalidRequestError('the request uses raw_input_contents, so no input may also set contents');
  }
  return {
    header: {
      modelName: request.model_name ?? '',
      modelVersion: request.model_version || undefined,
      id: request.id ?? '',
      // int64 shapes arrive as decimal strings; Number() keeps small ones exact and makes huge ones unsafe, which the core refuses.
      inputs: inputs.map((input, index) => ({
        name: input.name ?? '',
        datatype: input.datatype ?? '',
        shape: (input.shape ?? []).map(Number),
        ...sharedMemoryField(inSharedMemory[index]),
      })),
      outputs: request.outputs?.map((output) => ({
        name: output.name ?? '',
        classification: parameterValue(output.parameters?.classification),
        ...sharedMemoryField(sharedMemoryParameters(output.parameters)),
      })),
      parameters: Object.fromEntries(
        Object.entries(request.parameters ?? {}).map(([name, parameter]) => [name, parameterValue(parameter)]),
      ),
    },
    receivedAt,
    // Called with the inputs the message carries (not those in shared memory), in request order.
    decode: (planned) =>
      planned.map((input, index) =>
        raw.length > 0 ? valuesFromRaw(input, raw[index]) : valuesFromContents(input, inputs[input.position].contents),
      ),
  };
}

/** The shared_memory_* parameters, when any is given (the core checks their types and values). */
function sharedMemoryParameters(parameters: Record<string, GrpcParameter> | undefined): SharedMemoryParameters | undefined {
  const region = parameters?.shared_memory_region;
  const offset = parameters?.shared_memory_offset;
  const byteSize = parameters?.shared_memory_byte_size;
  if (region === undefined && offset === undefined && byteSize === undefined) return undefined;
  return { region: parameterValue(region), offset: parameterValue(offset), byteSize: parameterValue(byteSize) };
}

function sharedMemoryField(parameters: SharedMemoryParameters | undefined): { sharedMemory?: SharedMemoryParameters } {
  return parameters === undefined ? {} : { sharedMemory: parameters };
}

function hasContents(contents: GrpcContents | undefined): boolean {
  return contents !== undefined && Object.values(contents).some((values) => Array.isArray(values) && values.length > 0);
}

const CONTENTS_FIELD: Record<PlannedInput['datatype'], keyof GrpcContents | undefined> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP16: undefined,
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

const RANGES: Partial<Record<PlannedInput['datatype'], [number, number]>> = {
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
};

/** Typed contents into the datatype's array; the field must match the datatype and hold exactly `count` elements. */
export function valuesFromContents(input: PlannedInput, contents: GrpcContents | undefined): TensorValues {
  const field = CONTENTS_FIELD[input.datatype];
  if (field === undefined)
    throw new InvalidRequestError(`input '${input.name}' is FP16, which has no contents field; send it in raw_input_contents`);
  const values = (contents?.[field] ?? []) as unknown[];
  const other =
    contents && (Object.keys(contents) as (keyof GrpcContents)[]).find((key) => key !== field && (contents[key]?.length ?? 0) > 0);
  if (other)
    throw new InvalidRequestError(
      `input '${input.name}' is ${input.datatype}, whose elements go in contents.${field}, but the request fills contents.${other}`,
    );
  if (values.length !== input.count) {
    throw new InvalidRequestError(
      `input '${input.name}' contents.${field} has ${values.length} elements but its shape ${formatShape(input.shape)} holds ${input.count}`,
    );
  }
  const array = DATATYPE_INFO[input.datatype].array;
  switch (input.datatype) {
    case 'BYTES':
      return (values as Buffer[]).map((bytes) => Buffer.from(bytes).toString('utf8'));
    case 'BOOL':
      return Uint8Array.from(values as boolean[], (value) => (value ? 1 : 0));
    case 'INT64':
    case 'UINT64':
      return (array as BigInt64ArrayConstructor).from(values as string[], (value) => BigInt(value));
    default: {
      const range = RANGES[input.datatype];
      if (range) {
        const bad = (values as number[]).findIndex((value) => value < range[0] || value > range[1]);
        if (bad >= 0)
          throw new InvalidRequestError(
            `input '${input.name}' element ${bad} is ${String(values[bad])}, outside the ${input.datatype} range`,
          );
      }
      return (array as Float64ArrayConstructor).from(values as number[]) as TensorValues;
    }
  }
}

const EMPTY = Buffer.alloc(0);

export function inferResponseToGrpc(response: InferenceResponse): object {
  return {
    model_name: response.modelName,
    model_version: response.modelVersion,
    id: response.id ?? '',
    outputs: response.outputs.map((output) => ({ name: output.name, datatype: output.datatype, shape: output.shape })),
    // Triton gives every output an entry; one written into shared memory gets an empty one.
    raw_output_contents: response.outputs.map((output) => {
      if (output.sharedMemory !== undefined) return EMPTY;
      const bytes = valuesToRaw(output.datatype, output.values);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }),
  };
}
