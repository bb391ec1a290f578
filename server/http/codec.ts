/**
 * HTTP bodies ↔ core requests: the v2 JSON request (tensor data inline, or in binary after the
 * JSON header with the binary tensor data extension, or both mixed) into an InferenceCall, and an
 * InferenceResponse back into JSON, or a JSON header plus binary outputs when the client asked for
 * binary_data. Nothing here knows about models: the core checks names, datatypes and shapes.
 */
import { randomUUID } from 'node:crypto';
import { InvalidRequestError } from '../errors.ts';
import type { TensorValues } from '../core/datatypes.ts';
import type { InferenceCall, InferenceHeader, InferenceResponse } from '../core/requests.ts';
import type { SharedMemoryParameters } from '../core/sharedMemoryParameters.ts';
import { valuesFromJson, valuesToJsonText } from '../core/tensors.ts';
import { valuesFromRaw, valuesToRaw } from '../core/rawTensors.ts';
import { cutBinaryChunks } from './binary.ts';

type Parameters = Record<string, unknown>;

/** Values are checked by whoever reads them (the core for the request's, this module for binary_data_size): a uint64 may arrive as a bigint. */
const parameters = { type: 'object' } as const;

/** The request's structure; what a schema cannot know (the model's tensors) the core checks. */
export const inferenceRequestSchema = {
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters,
    inputs: {
      type: 'array',
      // A model without inputs is called with none.
      maxItems: 1024,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', maxItems: 32 },
          datatype: { type: 'string' },
          parameters,
          data: {},
        },
      },
    },
    outputs: {
      type: 'array',
      maxItems: 1024,
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, parameters } },
    },
  },
} as const;

interface RequestBody {
  id?: string;
  parameters?: Parameters;
  inputs: { name: string; shape: unknown[]; datatype: string; parameters?: Parameters; data?: unknown }[];
  outputs?: { name: string; parameters?: Parameters }[];
}

export interface ParsedInferRequest {
  call: InferenceCall;
  /** Whether an output goes back as binary data (binary_data, or binary_data_output for all). */
  binaryOutput: (name: string) => boolean;
}

/**
 * `body` has passed inferenceRequestSchema; `binary` is what followed the JSON header (undefined
 * for a plain JSON request, where no input may then use binary_data_size).
 */
export function parseInferRequest(
  body: RequestBody,
  binary: Buffer | undefined,
  target: { modelName: string; modelVersion?: string },
  receivedAt: bigint,
): ParsedInferRequest {
  const binarySizes = binaryDataSizes(body, binary);
  const chunks = binary === undefined ? [] : cutBinaryChunks(binary, binarySizes);
  const header: InferenceHeader = {
    ...target,
    // The protocol echoes the caller's id; without one we make one so replies can still be traced in logs.
    id: body.id ?? randomUUID(),
    inputs: body.inputs.map((input) => ({
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      ...withSharedMemory(input.parameters),
    })),
    outputs: body.outputs?.map((output) => {
      const inSharedMemory = withSharedMemory(output.parameters);
      if (inSharedMemory.sharedMemory && output.parameters?.binary_data === true) {
        throw new InvalidRequestError(`Output can't set both 'shared_memory_region' and 'binary_data' (output '${output.name}')`);
      }
      return { name: output.name, classification: output.parameters?.classification, ...inSharedMemory };
    }),
    parameters: body.parameters,
  };
  // Called with the inputs whose data the body carries (not those in shared memory), in request order.
  const decode: InferenceCall['decode'] = (planned) => {
    let chunk = 0;
    return planned.map((input): TensorValues => {
      const source = body.inputs[input.position];
      return source.data !== undefined ? valuesFromJson(input, source.data) : valuesFromRaw(input, chunks[chunk++]);
    });
  };
  return { call: { header, receivedAt, decode }, binaryOutput: binaryOutputs(body) };
}

/** Each input's binary_data_size, checked (one source per input; a whole number; only with a binary part), in request order. */
function binaryDataSizes(body: RequestBody, binary: Buffer | undefined): { name: string; size: number }[] {
  const binarySizes: { name: string; size: number }[] = [];
  for (const input of body.inputs) {
    const size = input.parameters?.binary_data_size;
    checkOneSource(input);
    if (size === undefined) continue;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new InvalidRequestError(
        `input '${input.name}' parameters.binary_data_size is ${typeof size === 'bigint' ? String(size) : JSON.stringify(size)}; it must be a whole number of bytes`,
      );
    }
    if (binary === undefined) {
      throw new InvalidRequestError(
        `input '${input.name}' uses binary_data_size, but the request has no Inference-Header-Content-Length header saying where its JSON ends`,
      );
    }
    binarySizes.push({ name: input.name, size });
  }
  return binarySizes;
}

/** Whether an output goes back as binary data: its binary_data, else binary_data_output, else not. */
function binaryOutputs(body: RequestBody): (name: string) => boolean {
  const allBinary = booleanParameter(body.parameters?.binary_data_output, 'binary_data_output') === true;
  const perOutput = new Map(
    (body.outputs ?? []).map((output) => [
      output.name,
      booleanParameter(output.parameters?.binary_data, `output '${output.name}' binary_data`),
    ]),
  );
  return (name: string) => {
    const own = perOutput.get(name);
    return typeof own === 'boolean' ? own : allBinary;
  };
}

/** An input's values come from exactly one place: `data`, the binary part, or a shared-memory region (Triton's rule and words). */
function checkOneSource(input: RequestBody['inputs'][number]): void {
  const sources = [
    input.data !== undefined && "'data'",
    input.parameters?.binary_data_size !== undefined && "'binary_data_size'",
    input.parameters?.shared_memory_region !== undefined && "'shared_memory_region'",
  ].filter((source) => source !== false);
  if (sources.length === 1) return;
  throw new InvalidRequestError(
    `Input must set only one of the following fields: 'data', 'binary_data_size' in 'parameters', 'shared_memory_region' in 'parameters'. But ${sources.length === 0 ? 'no field is set' : `set ${sources.join(' ')}`} (input '${input.name}')`,
  );
}

/** The shared_memory_* parameters, when any is given, for the core to check. */
function withSharedMemory(parameters: Parameters | undefined): { sharedMemory?: SharedMemoryParameters } {
  if (parameters === undefined) return {};
  const { shared_memory_region: region, shared_memory_offset: offset, shared_memory_byte_size: byteSize } = parameters;
  if (region === undefined && offset === undefined && byteSize === undefined) return {};
  return { sharedMemory: { region, offset, byteSize } };
}

/** Triton refuses a binary_data(_output) that is not a boolean rather than guessing. */
function booleanParameter(value: unknown, what: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidRequestError(
    `parameter ${what} is ${typeof value === 'bigint' ? String(value) : JSON.stringify(value)}; it must be true or false`,
  );
}

export interface EncodedResponse {
  body: Buffer | string;
  contentType: string;
  /** Set when binary outputs follow the JSON header: its length in bytes. */
  headerLength?: number;
}

export function encodeInferResponse(response: InferenceResponse, binaryOutput: (name: string) => boolean): EncodedResponse {
  const binaries: Uint8Array[] = [];
  // Composed as text: tensor data is written by valuesToJsonText (exact INT64, NaN and ±Infinity as
  // Triton's literals), which JSON.stringify cannot do.
  const outputs = response.outputs.map((output) => {
    const base = `"name":${JSON.stringify(output.name)},"datatype":${JSON.stringify(output.datatype)},"shape":${JSON.stringify(output.shape)}`;
    // Written into shared memory already: as in Triton, the reply names it and carries no data.
    if (output.sharedMemory !== undefined) return `{${base}}`;
    if (!binaryOutput(output.name)) return `{${base},"data":${valuesToJsonText(output.datatype, output.values)}}`;
    const bytes = valuesToRaw(output.datatype, output.values);
    binaries.push(bytes);
    return `{${base},"parameters":{"binary_data_size":${bytes.length}}}`;
  });
  const id = response.id !== undefined ? `"id":${JSON.stringify(response.id)},` : '';
  const json = `{"model_name":${JSON.stringify(response.modelName)},"model_version":${JSON.stringify(response.modelVersion)},${id}"outputs":[${outputs.join(',')}]}`;
  if (binaries.length === 0) return { body: json, contentType: 'application/json; charset=utf-8' };
  const header = Buffer.from(json, 'utf8');
  return { body: Buffer.concat([header, ...binaries]), contentType: 'application/octet-stream', headerLength: header.length };
}
