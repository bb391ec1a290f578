/**
 * A unary GRPCInferenceService method as a grpc-js call handler: its handler takes the request
 * message and returns the response (or throws), and this counts the call in /metrics by method and
 * code and turns a thrown RequestError into the matching gRPC status.
 */
import * as grpc from '@grpc/grpc-js';
import { RequestError, grpcCodeOf } from '../errors.ts';
import type { ServerMetrics } from '../metrics.ts';

/**
 * One unary method: the request message as @grpc/proto-loader decodes it (PROTO_LOADER_OPTIONS) in,
 * the response message out, or a thrown RequestError. A table of methods holds handlers of different
 * request types, so it is typed `UnaryHandler<never>` (any handler fits there); `unary` passes each
 * handler the message grpc-js decoded for its method.
 */
export type UnaryHandler<Request> = (request: Request) => Promise<object> | object;

const CODE_NAMES = new Map(
  Object.entries(grpc.status)
    .filter(([, value]) => typeof value === 'number')
    .map(([name, value]) => [value as number, name]),
);

export function unary<Request>(
  method: string,
  handler: UnaryHandler<Request>,
  metrics: ServerMetrics,
  logError: (error: unknown) => void,
): grpc.handleUnaryCall<Request, object> {
  return (call, callback) => {
    const started = process.hrtime.bigint();
    const finish = (code: number) =>
      metrics.observeGrpc(method, CODE_NAMES.get(code) ?? String(code), Number(process.hrtime.bigint() - started) / 1e9);
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => {
          finish(grpc.status.OK);
          callback(null, response);
        },
        (error: unknown) => {
          const expected = error instanceof RequestError && error.statusCode !== 500;
          if (!expected) logError(error);
          const code = error instanceof RequestError ? grpcCodeOf(error) : grpc.status.INTERNAL;
          const message = error instanceof Error ? error.message : String(error);
          finish(code);
          callback({ code, details: expected ? message : `internal server error: ${message}` });
        },
      );
  };
}
