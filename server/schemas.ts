/**
 * JSON schemas of the Open Inference Protocol (KServe v2 / Triton REST) bodies this server reads
 * and writes. Fastify validates every request against them before a handler runs, so structural
 * problems (a missing `inputs`, a shape that is not a list of integers, an unknown datatype) are
 * answered with 400 and a message naming the offending field, without hand-written checks.
 * What a schema cannot know (the model's own tensor names and shapes) is checked in tensors.ts.
 */

/** Tensor element types named by the protocol (all strings are case-sensitive). */
export const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
export type Datatype = (typeof DATATYPES)[number];

/** `$parameters`: a flat object of string, number or boolean values. */
const parameters = {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
} as const;

/** `$tensor_data`: row-major, flat or nested; elements are checked while flattening (tensors.ts). */
const tensorData = { type: 'array' } as const;

export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' } },
} as const;

/** Every route declares its error reply so the protocol's `{"error": ...}` body is part of its contract. */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

export const inferenceRequest = {
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters,
    inputs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype', 'data'],
        properties: {
          name: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
          datatype: { type: 'string', enum: DATATYPES },
          parameters,
          data: tensorData,
        },
      },
    },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, parameters },
      },
    },
  },
} as const;

export interface InferenceRequestInput {
  name: string;
  shape: number[];
  datatype: Datatype;
  parameters?: Record<string, string | number | boolean>;
  data: unknown[];
}

export interface InferenceRequestBody {
  id?: string;
  parameters?: Record<string, string | number | boolean>;
  inputs: InferenceRequestInput[];
  outputs?: { name: string; parameters?: Record<string, string | number | boolean> }[];
}

const responseTensor = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    datatype: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
    data: { type: 'array', items: { type: 'number' } },
  },
} as const;

/** Declared so Fastify serializes replies with a compiled stringifier rather than JSON.stringify. */
export const inferenceResponse = {
  type: 'object',
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    outputs: { type: 'array', items: responseTensor },
  },
} as const;

export interface ResponseTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: number[];
}

export interface InferenceResponseBody {
  model_name: string;
  model_version: string;
  id: string;
  outputs: ResponseTensor[];
}

const metadataTensor = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    datatype: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
  },
} as const;

export const modelMetadataResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: metadataTensor },
    outputs: { type: 'array', items: metadataTensor },
  },
} as const;

export interface MetadataTensor {
  name: string;
  datatype: Datatype;
  /** -1 marks a variable-size dimension, as the protocol asks. */
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: MetadataTensor[];
  outputs: MetadataTensor[];
}

export const modelPathParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, version: { type: 'string' } },
} as const;

export interface ModelPathParams {
  name: string;
  version?: string;
}

export const classifyQuery = {
  type: 'object',
  properties: { top_k: { type: 'integer', minimum: 1 } },
} as const;

/** JSON alternative to image bytes: raw 0–255 pixels, flat or nested (height × width [× channels]). */
export const classifyJsonBody = {
  type: 'object',
  required: ['pixels'],
  properties: { pixels: { type: 'array', minItems: 1 } },
} as const;

export const classifyResponse = {
  type: 'object',
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    predictions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { index: { type: 'integer' }, label: { type: 'string' }, probability: { type: 'number' } },
      },
    },
  },
} as const;
