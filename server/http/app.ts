/**
 * The Fastify application: compression both ways (@fastify/compress), the route plugins, the one
 * error handler that gives every failure the protocol's `{"error": "..."}` body, and the hook that
 * counts requests for /metrics.
 */
import compress from '@fastify/compress';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { RuntimeInputError } from '@tfjs-onnx/runtime';
import { RequestError } from '../errors.ts';
import type { HttpContext } from './context.ts';
import { classifyRoutes } from './routes/classify.ts';
import { healthRoutes } from './routes/health.ts';
import { inferRoutes } from './routes/infer.ts';
import { loggingRoutes } from './routes/logging.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { modelConfigRoutes } from './routes/modelConfig.ts';
import { modelRoutes } from './routes/models.ts';
import { repositoryRoutes } from './routes/repository.ts';
import { sharedMemoryRoutes } from './routes/sharedMemory.ts';
import { statisticsRoutes } from './routes/statistics.ts';

export interface AppOptions {
  bodyLimit: number;
  /** Creates the node:http server, with its timeouts and connection bound (see connections.ts). */
  serverFactory: FastifyServerFactory;
  /** Where unexpected errors are reported; they are bugs, so their stack is kept. */
  logError: (error: unknown) => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** process.hrtime.bigint() when the request arrived, for the inference statistics. */
    receivedAt: bigint;
  }
}

export async function buildApp(context: HttpContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit,
    serverFactory: options.serverFactory,
    // Keep-alive sockets idle at shutdown are closed at once; busy ones finish their request first.
    forceCloseConnections: 'idle',
    // Our schemas use JSON Schema's type lists (a parameter is a string, number or boolean); without
    // this, Ajv's strict mode prints a warning per list to stderr each time a server starts.
    ajv: { customOptions: { allowUnionTypes: true } },
  });
  app.decorateRequest('receivedAt', 0n);
  app.addHook('onRequest', async (request) => {
    request.receivedAt = process.hrtime.bigint();
  });
  // gzip/deflate bodies are inflated before parsing (bodyLimit then bounds the inflated size, so a
  // compression bomb gets 413), and replies are compressed when the client's Accept-Encoding asks.
  await app.register(compress, {
    global: true,
    encodings: ['gzip', 'deflate'],
    requestEncodings: ['gzip', 'deflate'],
    customTypes: /^(application\/(json|octet-stream)|text\/plain)/,
  });
  // Node closes only the keep-alive sockets idle when shutdown begins; a socket busy then would
  // stay open for the whole keep-alive timeout afterwards and hold the exit back. Replies sent
  // during shutdown therefore ask the client to close the connection.
  app.addHook('onSend', async (_request, reply) => {
    if (!context.core.accepting) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    context.metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const { status, message, expected } = describeFailure(error);
    // Refusals (4xx, and the 503s of a shutdown) are the protocol working; only bugs are logged.
    if (!expected) options.logError(error);
    return reply.status(status).type('application/json; charset=utf-8').send({ error: message });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));
  app.register(healthRoutes(context));
  app.register(modelRoutes(context));
  app.register(inferRoutes(context));
  app.register(classifyRoutes(context));
  app.register(statisticsRoutes(context));
  app.register(repositoryRoutes(context));
  app.register(metricsRoutes(context));
  app.register(modelConfigRoutes(context));
  app.register(loggingRoutes(context));
  app.register(sharedMemoryRoutes(context));
  return app;
}

/** Status and user-facing message for anything a request handler or Fastify itself threw. */
function describeFailure(error: FastifyError): { status: number; message: string; expected: boolean } {
  if (error instanceof RequestError) return { status: error.statusCode, message: error.message, expected: error.statusCode !== 500 };
  // Schema validation: Fastify's message names the field, e.g. "body/inputs/0 must have required property 'name'".
  if (error.validation) return { status: 400, message: `invalid request: ${error.message}`, expected: true };
  // The runtime refusing an input (undecodable image, wrong pixel count) is the caller's mistake.
  if (error instanceof RuntimeInputError) return { status: 400, message: error.message, expected: true };
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: `malformed JSON body: ${error.message}`, expected: true };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'request body is larger than the server accepts (--body-limit)', expected: true };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: `unsupported content type: ${error.message}`, expected: true };
    case 'FST_CP_ERR_INVALID_CONTENT_ENCODING':
      return { status: 415, message: `${error.message}; this server reads gzip and deflate bodies`, expected: true };
    case 'FST_CP_ERR_INVALID_CONTENT':
      return { status: 400, message: 'the body cannot be decompressed with its Content-Encoding', expected: true };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: 'the body is shorter or longer than its Content-Length', expected: true };
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, message: error.message, expected: true };
  return { status: 500, message: `internal server error: ${error.message}`, expected: false };
}
