/** The statistics extension: GET /v2/models[/{name}[/versions/{v}]]/stats, Triton's ModelStatistics records. */
import type { FastifyPluginAsync } from 'fastify';
import { ModelNotFoundError } from '../../errors.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses, modelPathParams, type ModelPathParams } from './schemas.ts';

export function statisticsRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    const { registry } = context.core;
    const stats = async (request: { params: Partial<ModelPathParams> }) => {
      const { name, version } = request.params;
      if (name === undefined) return { model_stats: registry.ready().map((model) => model.statistics.snapshot()) };
      if (version !== undefined) return { model_stats: [registry.resolve(name, version).statistics.snapshot()] };
      const versions = registry.ready().filter((model) => model.name === name);
      if (versions.length === 0) throw new ModelNotFoundError(name);
      return { model_stats: versions.map((model) => model.statistics.snapshot()) };
    };
    app.get<{ Params: Partial<ModelPathParams> }>('/v2/models/stats', { schema: { response: errorResponses } }, stats);
    app.get<{ Params: ModelPathParams }>(
      '/v2/models/:name/stats',
      { schema: { params: modelPathParams, response: errorResponses } },
      stats,
    );
    app.get<{ Params: ModelPathParams }>(
      '/v2/models/:name/versions/:version/stats',
      { schema: { params: modelPathParams, response: errorResponses } },
      stats,
    );
  };
}
