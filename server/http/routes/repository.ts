/**
 * The model repository extension: POST /v2/repository/index lists every model with its state;
 * POST /v2/repository/models/{name}/load and /unload change what is served, when the server runs
 * with --model-control-mode explicit (otherwise they are refused with 400, as Triton does).
 */
import type { FastifyPluginAsync } from 'fastify';
import { readLoadOverrides } from '../../repository/overrides.ts';
import type { HttpContext } from '../context.ts';
import { acceptJsonBodies } from './jsonBody.ts';
import { errorResponses } from './schemas.ts';

const indexBody = { type: ['object', 'null'], properties: { ready: { type: 'boolean' }, repository_name: { type: 'string' } } } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } as const;
/** A load may carry overrides: `config` (JSON text) and `file:<path>` (base64), checked by readLoadOverrides. */
const loadBody = { type: ['object', 'null'], properties: { parameters: { type: 'object' } } } as const;

export function repositoryRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    const { registry } = context.core;
    // These bodies are small JSON or absent; an empty POST is an index of everything.
    acceptJsonBodies(app);
    app.post<{ Body: { ready?: boolean } | undefined }>(
      '/v2/repository/index',
      { schema: { body: indexBody, response: errorResponses } },
      async (request) => registry.index(request.body?.ready === true),
    );
    type LoadRoute = { Params: { name: string }; Body: { parameters?: Record<string, unknown> } | undefined };
    app.post<LoadRoute>(
      '/v2/repository/models/:name/load',
      { schema: { params: nameParams, body: loadBody, response: errorResponses } },
      async (request, reply) => {
        await registry.load(request.params.name, readLoadOverrides(request.params.name, request.body?.parameters));
        return reply.type('application/json; charset=utf-8').send('{}');
      },
    );
    app.post<{ Params: { name: string } }>(
      '/v2/repository/models/:name/unload',
      { schema: { params: nameParams, response: errorResponses } },
      async (request, reply) => {
        await registry.unload(request.params.name);
        return reply.type('application/json; charset=utf-8').send('{}');
      },
    );
  };
}
