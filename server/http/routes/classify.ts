/**
 * POST /v2/models/{name}/classify: this server's convenience route for people rather than tensor
 * clients. The body is a PNG or JPEG file (image/png, image/jpeg, application/octet-stream) or JSON
 * `{"pixels": [...]}` with 0–255 values at the model's size; the reply is the top-k labels.
 * Decoding happens in worker threads, within the image limits (images/decoders.ts); inference goes
 * through the core like /infer (same session, batcher, statistics and metrics).
 */
import type { FastifyPluginAsync } from 'fastify';
import { DEFAULT_TOP_K, IMAGE_MAGIC_BYTES } from '@tfjs-onnx/runtime/constants';
import type { ClassifyCall } from '../../core/requests.ts';
import { InvalidRequestError, UndecodableImageError } from '../../errors.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses, modelPathParams, type ModelPathParams } from './schemas.ts';

const IMAGE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'application/octet-stream'];

const classifyQuery = { type: 'object', properties: { top_k: { type: 'integer', minimum: 1, maximum: 100_000 } } } as const;
/** JSON alternative to image bytes: raw 0–255 pixels, flat or nested (height × width [× channels]). */
const classifyJsonBody = { type: 'object', required: ['pixels'], properties: { pixels: { type: 'array', minItems: 1 } } } as const;
const classifyResponse = {
  type: 'object',
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    predictions: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, label: { type: 'string' }, probability: { type: 'number' } } },
    },
  },
} as const;

type ClassifyRoute = { Params: ModelPathParams; Querystring: { top_k?: number }; Body: Buffer | { pixels: unknown[] } };

export function classifyRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    // Registered inside this plugin only, so image bodies are accepted here and nowhere else.
    app.addContentTypeParser(IMAGE_CONTENT_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const schema = {
      params: modelPathParams,
      querystring: classifyQuery,
      // Only JSON bodies have a structure to validate; image bodies are checked by decoding them.
      body: { content: { 'application/json': { schema: classifyJsonBody } } },
      response: { 200: classifyResponse, ...errorResponses },
    };
    const classify = async (request: {
      params: ModelPathParams;
      query: { top_k?: number };
      body: ClassifyRoute['Body'];
      receivedAt: bigint;
    }) => {
      const body = request.body;
      let input: ClassifyCall['input'];
      if (Buffer.isBuffer(body)) {
        const bytes = checkImageBytes(body);
        input = (size) => context.images.decode(bytes, size);
      } else {
        const pixels = toPixels(body.pixels);
        input = async () => pixels;
      }
      const topK = request.query.top_k ?? DEFAULT_TOP_K;
      const response = await context.core.classify({
        modelName: request.params.name,
        modelVersion: request.params.version,
        receivedAt: request.receivedAt,
        topK,
        input,
      });
      return { model_name: response.modelName, model_version: response.modelVersion, predictions: response.predictions };
    };
    app.post<ClassifyRoute>('/v2/models/:name/classify', { schema }, classify);
    app.post<ClassifyRoute>('/v2/models/:name/versions/:version/classify', { schema }, classify);
  };
}

/** A body sent as an image must be one: anything else is refused here with a message saying so. */
function checkImageBytes(bytes: Buffer): Uint8Array {
  const startsWith = (magic: readonly number[]) => bytes.length >= magic.length && magic.every((value, i) => bytes[i] === value);
  if (!startsWith(IMAGE_MAGIC_BYTES.png) && !startsWith(IMAGE_MAGIC_BYTES.jpeg)) {
    throw new UndecodableImageError(bytes.length === 0 ? 'the body is empty' : 'it starts with neither the PNG nor the JPEG signature');
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Flattens `pixels` (flat or nested) into bytes, refusing anything but integers 0–255. */
function toPixels(pixels: unknown[]): Uint8Array {
  const flat = pixels.flat(3);
  const bytes = new Uint8Array(flat.length);
  flat.forEach((value, index) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
      throw new InvalidRequestError(
        `pixels[${index}] is ${Array.isArray(value) ? 'a list nested too deep' : JSON.stringify(value)}; pixels are integers 0–255, flat or nested height × width [× channels]`,
      );
    }
    bytes[index] = value;
  });
  return bytes;
}
