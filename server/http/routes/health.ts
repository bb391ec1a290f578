/** Server metadata and the health probes (Kubernetes livenessProbe / readinessProbe use these directly). */
import type { FastifyPluginAsync } from 'fastify';
import { NotReadyError } from '../../errors.ts';
import { serverMetadata } from '../../core/metadata.ts';
import type { HttpContext } from '../context.ts';
import { errorResponses } from './schemas.ts';

const serverMetadataResponse = {
  type: 'object',
  properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } },
} as const;

export function healthRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/v2', { schema: { response: { 200: serverMetadataResponse, ...errorResponses } } }, async () => serverMetadata(context.core));

    app.get(
      '/v2/health/live',
      { schema: { response: { 200: { type: 'object', properties: { live: { type: 'boolean' } } }, ...errorResponses } } },
      async () => ({ live: true }),
    );

    // Ready means the start-up models are loaded (they are before the server listens) and shutdown
    // has not begun; the protocol signals "not ready" with a 4xx status.
    app.get(
      '/v2/health/ready',
      { schema: { response: { 200: { type: 'object', properties: { ready: { type: 'boolean' } } }, ...errorResponses } } },
      async () => {
        if (!context.core.accepting) throw new NotReadyError('server is shutting down');
        return { ready: true };
      },
    );
  };
}
