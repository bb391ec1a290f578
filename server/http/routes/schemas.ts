/** JSON schemas shared by the route plugins: path parameters and the protocol's error reply. */

export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' } },
} as const;

/** Every route declares its error reply so the protocol's `{"error": ...}` body is part of its contract. */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

export const modelPathParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string' }, version: { type: 'string' } },
} as const;

export interface ModelPathParams {
  name: string;
  version?: string;
}

const metadataTensor = {
  type: 'object',
  properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } },
} as const;

export const modelMetadataResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: metadataTensor },
    outputs: { type: 'array', items: metadataTensor },
    /** Where the model runs (device, execution_provider, runtime, adapter, placement): this server's addition. */
    parameters: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;
