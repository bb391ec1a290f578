/**
 * POST /v2/models/{name}[/versions/{v}]/infer: the protocol's tensor-in, tensor-out inference, as
 * JSON or with the binary tensor data extension (an Inference-Header-Content-Length header says
 * where the JSON ends). Any Content-Type is read — Triton's client sends binary requests without
 * one — and the body is the same bytes either way.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError } from '../../errors.ts';
import { HEADER_LENGTH, parseJson, splitBinaryBody } from '../binary.ts';
import { encodeInferResponse, inferenceRequestSchema, parseInferRequest } from '../codec.ts';
import type { HttpContext } from '../context.ts';
import { modelPathParams, type ModelPathParams } from './schemas.ts';

type InferRoute = { Params: ModelPathParams; Body: Buffer | undefined };

export function inferRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    // Registered inside this plugin only: the infer routes read raw bytes, whatever the Content-Type says.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    const infer = async (request: FastifyRequest<InferRoute>, reply: FastifyReply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw new InvalidRequestError(
          'the request has no body; send an inference request (JSON, optionally followed by binary tensor data)',
        );
      const headerLength = request.headers[HEADER_LENGTH];
      const { header, binary } =
        typeof headerLength === 'string'
          ? splitBinaryBody(body, headerLength)
          : { header: parseJson(body, 'the request body'), binary: undefined };
      const validate = request.compileValidationSchema(inferenceRequestSchema);
      if (!validate(header)) {
        const problem = validate.errors?.[0];
        throw new InvalidRequestError(
          `invalid request: body${problem?.instancePath ?? ''} ${problem?.message ?? 'is not an inference request'}`,
        );
      }
      const { call, binaryOutput } = parseInferRequest(
        header as Parameters<typeof parseInferRequest>[0],
        binary,
        { modelName: request.params.name, modelVersion: request.params.version },
        request.receivedAt,
      );
      const response = await context.core.infer(call);
      const encoded = encodeInferResponse(response, binaryOutput);
      if (encoded.headerLength !== undefined) reply.header(HEADER_LENGTH, encoded.headerLength);
      return reply.type(encoded.contentType).send(encoded.body);
    };
    const schema = { params: modelPathParams };
    app.post<InferRoute>('/v2/models/:name/infer', { schema }, infer);
    app.post<InferRoute>('/v2/models/:name/versions/:version/infer', { schema }, infer);
  };
}
