/** POST /v2/models/{name}[/versions/{v}]/infer: the protocol's tensor-in, tensor-out inference. */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { findModelForWork, type ServerContext } from '../context.ts';
import {
  errorResponses,
  inferenceRequest,
  inferenceResponse,
  modelPathParams,
  type InferenceRequestBody,
  type InferenceResponseBody,
  type ModelPathParams,
} from '../schemas.ts';
import { decodeInferenceInputs, encodeOutput } from '../tensors.ts';

type InferRoute = { Params: ModelPathParams; Body: InferenceRequestBody };

export function inferRoutes(context: ServerContext): FastifyPluginAsync {
  return async (app) => {
    const schema = { params: modelPathParams, body: inferenceRequest, response: { 200: inferenceResponse, ...errorResponses } };
    const infer = async (request: { params: ModelPathParams; body: InferenceRequestBody }): Promise<InferenceResponseBody> => {
      const model = findModelForWork(context, request.params.name, request.params.version);
      const { values, rows } = decodeInferenceInputs(request.body, model.signature);
      const probabilities = await model.batcher.predict(values, rows);
      return {
        model_name: model.name,
        model_version: model.version,
        // The protocol echoes the caller's id; without one we make one so replies can still be traced in logs.
        id: request.body.id ?? randomUUID(),
        outputs: [encodeOutput(probabilities, rows, model.signature)],
      };
    };
    app.post<InferRoute>('/v2/models/:name/infer', { schema }, infer);
    app.post<InferRoute>('/v2/models/:name/versions/:version/infer', { schema }, infer);
  };
}
