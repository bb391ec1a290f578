/**
 * The logging extension (GET/POST /v2/logging: the server log's settings, see log.ts), and the
 * trace extension's routes, refused by name: this server does not trace requests.
 */
import type { FastifyPluginAsync } from 'fastify';
import { UnsupportedFeatureError } from '../../errors.ts';
import type { HttpContext } from '../context.ts';
import { acceptJsonBodies } from './jsonBody.ts';
import { errorResponses } from './schemas.ts';

const settingsBody = { type: 'object' } as const;

export function loggingRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    acceptJsonBodies(app);
    app.get('/v2/logging', { schema: { response: errorResponses } }, async () => context.log.settings());
    app.post<{ Body: Record<string, unknown> | undefined }>(
      '/v2/logging',
      { schema: { body: settingsBody, response: errorResponses } },
      async (request) => context.log.update(request.body ?? {}),
    );

    const refuseTrace = async () => {
      throw new UnsupportedFeatureError(
        'the trace extension (/v2/trace/setting)',
        'requests are not traced; inference statistics (/v2/models/stats) and /metrics report where their time goes',
      );
    };
    for (const url of ['/v2/trace/setting', '/v2/models/:name/trace/setting']) {
      app.get(url, { schema: { response: errorResponses } }, refuseTrace);
      app.post(url, { schema: { response: errorResponses } }, refuseTrace);
    }
  };
}
