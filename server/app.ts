/**
 * The Fastify application: route plugins, the one error handler that gives every failure the
 * protocol's `{"error": "..."}` body, and the hook that counts requests for /metrics.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { RuntimeInputError } from '@tfjs-onnx/runtime';
import type { ServerContext } from './context.ts';
import { RequestError } from './errors.ts';
import { classifyRoutes } from './routes/classify.ts';
import { healthRoutes } from './routes/health.ts';
import { inferRoutes } from './routes/infer.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { modelRoutes } from './routes/models.ts';

export interface AppOptions {
  bodyLimit: number;
  /** Where unexpected (5xx) errors are reported; they are bugs, so their stack is kept. */
  logError: (error: unknown) => void;
}

export function buildApp(context: ServerContext, options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit,
    // Keep-alive sockets idle at shutdown are closed at once; busy ones finish their request first.
    forceCloseConnections: 'idle',
  });
  // Bodies are JSON or image bytes; Fastify's built-in text/plain parser would let a text body reach
  // schema validation as a string, where 415 Unsupported Media Type is the honest answer.
  app.removeContentTypeParser('text/plain');
  // Node closes only the keep-alive sockets idle when shutdown begins; a socket busy then would
  // stay open for the whole keep-alive timeout afterwards and hold the exit back. Replies sent
  // during shutdown therefore ask the client to close the connection.
  app.addHook('onSend', async (_request, reply) => {
    if (!context.state.accepting) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    context.metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const { status, message } = describeFailure(error);
    if (status >= 500) options.logError(error);
    return reply.status(status).send({ error: message });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));
  app.register(healthRoutes(context));
  app.register(modelRoutes(context));
  app.register(inferRoutes(context));
  app.register(classifyRoutes(context));
  app.register(metricsRoutes(context));
  return app;
}

/** Status and user-facing message for anything a request handler or Fastify itself threw. */
function describeFailure(error: FastifyError): { status: number; message: string } {
  if (error instanceof RequestError) return { status: error.statusCode, message: error.message };
  // Schema validation: Fastify's message names the field, e.g. "body/inputs/0 must have required property 'data'".
  if (error.validation) return { status: 400, message: `invalid request: ${error.message}` };
  // The runtime refusing an input (undecodable image, wrong pixel count) is the caller's mistake.
  if (error instanceof RuntimeInputError) return { status: 400, message: error.message };
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: `malformed JSON body: ${error.message}` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'request body is larger than the server accepts (--body-limit)' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: `unsupported content type: ${error.message}` };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, message: error.message };
  return { status: 500, message: `internal server error: ${error.message}` };
}
