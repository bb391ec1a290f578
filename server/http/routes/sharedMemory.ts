/**
 * The shared-memory extension's HTTP routes (Triton's): system shared memory's
 * `GET /v2/systemsharedmemory[/region/{r}]/status`, `POST .../region/{r}/register` with
 * `{"key", "offset", "byte_size"}`, and `POST /v2/systemsharedmemory[/region/{r}]/unregister`, over
 * the core's region registry; and the same paths under /v2/cudasharedmemory, which refuse with 400
 * (this server holds no CUDA memory).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { InvalidRequestError } from '../../errors.ts';
import { cudaSharedMemoryUnsupported } from '../../core/sharedMemory.ts';
import type { HttpContext } from '../context.ts';
import { acceptJsonBodies } from './jsonBody.ts';
import { errorResponses } from './schemas.ts';

type RegionRoute = { Params: { region?: string }; Body: unknown };

const regionParams = { type: 'object', properties: { region: { type: 'string' } } } as const;
const schema = { params: regionParams, response: errorResponses };

const regionStatus = {
  type: 'array',
  items: {
    type: 'object',
    properties: { name: { type: 'string' }, key: { type: 'string' }, offset: { type: 'integer' }, byte_size: { type: 'integer' } },
  },
} as const;

export function sharedMemoryRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    const memory = context.core.sharedMemory;
    // Register bodies are small JSON; unregister bodies are empty.
    acceptJsonBodies(app);
    app.get<RegionRoute>(
      '/v2/systemsharedmemory/status',
      { schema: { ...schema, response: { 200: regionStatus, ...errorResponses } } },
      async () => statusOf(''),
    );
    app.get<RegionRoute>(
      '/v2/systemsharedmemory/region/:region/status',
      { schema: { ...schema, response: { 200: regionStatus, ...errorResponses } } },
      async (request) => statusOf(request.params.region ?? ''),
    );
    const register = async (request: { params: { region?: string }; body: unknown }) => {
      const body = request.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new InvalidRequestError('a shared memory register request is a JSON object: {"key": "/name", "offset": 0, "byte_size": N}');
      }
      const { key, offset, byte_size: byteSize } = body as Record<string, unknown>;
      memory.register(request.params.region ?? '', key, offset, byteSize);
    };
    const unregister = async (request: { params: { region?: string } }) => memory.unregister(request.params.region ?? '');
    post(app, '/v2/systemsharedmemory/register', register);
    post(app, '/v2/systemsharedmemory/region/:region/register', register);
    post(app, '/v2/systemsharedmemory/unregister', unregister);
    post(app, '/v2/systemsharedmemory/region/:region/unregister', unregister);

    const refuseCuda = async () => {
      throw cudaSharedMemoryUnsupported();
    };
    for (const action of ['status', 'register', 'unregister']) {
      for (const prefix of ['/v2/cudasharedmemory', '/v2/cudasharedmemory/region/:region']) {
        app.route({ method: action === 'status' ? 'GET' : 'POST', url: `${prefix}/${action}`, schema, handler: refuseCuda });
      }
    }

    function statusOf(name: string) {
      return memory
        .status(name)
        .map((region) => ({ name: region.name, key: region.key, offset: region.offset, byte_size: region.byteSize }));
    }
  };
}

/** A control POST answering `{}` once `action` is done. */
function post(app: FastifyInstance, url: string, action: (request: { params: { region?: string }; body: unknown }) => Promise<void>): void {
  app.post<RegionRoute>(url, { schema }, async (request, reply) => {
    await action(request);
    return reply.type('application/json; charset=utf-8').send('{}');
  });
}
