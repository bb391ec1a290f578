/**
 * POST /v2/models/{name}/classify: this server's convenience route for people rather than tensor
 * clients. The body is a PNG or JPEG file (image/png, image/jpeg, application/octet-stream) or JSON
 * `{"pixels": [...]}` with 0–255 values at the model's size; the reply is the top-k labels.
 * Decoding, resizing and normalizing are the runtime's, so this route and `tfjs-onnx predict` agree.
 */
import type { FastifyPluginAsync } from 'fastify';
import { findModelForWork, type ServerContext } from '../context.ts';
import { InvalidRequestError, UndecodableImageError } from '../errors.ts';
import { classifyJsonBody, classifyQuery, classifyResponse, errorResponses, modelPathParams, type ModelPathParams } from '../schemas.ts';

const IMAGE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'application/octet-stream'];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

type ClassifyRoute = { Params: ModelPathParams; Querystring: { top_k?: number }; Body: Buffer | { pixels: unknown[] } };

export function classifyRoutes(context: ServerContext): FastifyPluginAsync {
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
    const classify = async (request: { params: ModelPathParams; query: { top_k?: number }; body: ClassifyRoute['Body'] }) => {
      const model = findModelForWork(context, request.params.name, request.params.version);
      const input = Buffer.isBuffer(request.body) ? checkImageBytes(request.body) : toPixels(request.body.pixels);
      const topK = Math.min(request.query.top_k ?? context.defaultTopK, model.classifier.classCount);
      const [result] = await model.classifier.classify(input, { topK });
      return { model_name: model.name, model_version: model.version, predictions: result.top };
    };
    app.post<ClassifyRoute>('/v2/models/:name/classify', { schema }, classify);
    app.post<ClassifyRoute>('/v2/models/:name/versions/:version/classify', { schema }, classify);
  };
}

/**
 * The runtime would read bytes that are neither PNG nor JPEG as raw pixels; a body sent as an image
 * must be an image, so anything else is refused here with a message saying so.
 */
function checkImageBytes(bytes: Buffer): Uint8Array {
  const startsWith = (magic: number[]) => bytes.length >= magic.length && magic.every((value, i) => bytes[i] === value);
  if (!startsWith(PNG_MAGIC) && !startsWith(JPEG_MAGIC)) {
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
      throw new InvalidRequestError(`pixels[${index}] is ${Array.isArray(value) ? 'a list nested too deep' : JSON.stringify(value)}; pixels are integers 0–255, flat or nested height × width [× channels]`);
    }
    bytes[index] = value;
  });
  return bytes;
}
