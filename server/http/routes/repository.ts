/**
 * The model repository extension: POST /v2/repository/index lists every model with its state;
 * POST /v2/repository/models/{name}/load and /unload change what is served, when the server runs
 * with --model-control-mode explicit (otherwise they are refused with 400, as Triton does).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { HttpContext } from '../context.ts';
import { acceptOptionalJson } from './jsonBody.ts';
import { errorResponses } from './schemas.ts';

const indexBody = { type: ['object', 'null'], properties: { ready: { type: 'boolean' }, repository_name: { type: 'string' } } } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } as const;

export function repositoryRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    const { registry } = context.core;
    // These bodies are small JSON or absent; an empty POST is an index of everything.
    acceptOptionalJson(app);
    app.post<{ Body: { ready?: boolean } | undefined }>('/v2/repository/index', { schema: { body: indexBody, response: errorResponses } }, async (request) =>
      registry.index(request.body?.ready === true),
    );
    app.post<{ Params: { name: string } }>('/v2/repository/models/:name/load', { schema: { params: nameParams, response: errorResponses } }, async (request, reply) => {
      await registry.load(request.params.name);
      return reply.type('application/json; charset=utf-8').send('{}');
    });
    app.post<{ Params: { name: string } }>('/v2/repository/models/:name/unload', { schema: { params: nameParams, response: errorResponses } }, async (request, reply) => {
      await registry.unload(request.params.name);
      return reply.type('application/json; charset=utf-8').send('{}');
    });
  };
}
