/** GET /metrics in the Prometheus text format, from the server's own registry. */
import type { FastifyPluginAsync } from 'fastify';
import type { HttpContext } from '../context.ts';

export function metricsRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', async (_request, reply) => {
      reply.type(context.metrics.registry.contentType);
      return context.metrics.registry.metrics();
    });
  };
}
