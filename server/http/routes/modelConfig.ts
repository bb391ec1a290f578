/** The model configuration extension: GET /v2/models/{name}[/versions/{v}]/config, the ModelConfig in force. */
import type { FastifyPluginAsync } from 'fastify';
import { configInForce } from '../../core/configInForce.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses, modelPathParams, type ModelPathParams } from './schemas.ts';

export function modelConfigRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    // No response schema: the config is sent as it is (a schema would strip what it does not list).
    const schema = { params: modelPathParams, response: errorResponses };
    const config = async (request: { params: ModelPathParams }) =>
      configInForce(context.core.registry.resolve(request.params.name, request.params.version));
    app.get<{ Params: ModelPathParams }>('/v2/models/:name/config', { schema }, config);
    app.get<{ Params: ModelPathParams }>('/v2/models/:name/versions/:version/config', { schema }, config);
  };
}
