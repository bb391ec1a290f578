/**
 * The gRPC listener: @grpc/grpc-js serving GRPCInferenceService on connections this server accepts
 * itself (through the shared connection gate) and injects, so HTTP and gRPC share one bound.
 */
import type { AddressInfo, Server as NetServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { GrpcUploads, gatedListener, type ConnectionGate, type SlowClientLimits } from '../connections.ts';
import type { InferenceCore } from '../core/inference.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { ServerLog } from '../log.ts';
import { StreamRegistry } from './extensions.ts';
import { addHealthService, type HealthService } from './health.ts';
import { inferenceService, loadServiceDefinition } from './service.ts';

export interface GrpcListener {
  port: number;
  /** grpc.health.v1.Health: SERVING until shutdown begins. */
  health: HealthService;
  /** Stops new calls (GOAWAY), lets running ones finish; resolves when all are done. */
  drain(graceMs: number): Promise<void>;
  /** Cancels whatever is left. */
  forceClose(): void;
}

export interface GrpcOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** The request timeout, header timeout and minimum data rate, as for HTTP. */
  limits: SlowClientLimits;
  gate: ConnectionGate;
  logError: (error: unknown) => void;
  log: ServerLog;
}

export async function startGrpc(core: InferenceCore, metrics: ServerMetrics, options: GrpcOptions): Promise<GrpcListener> {
  const uploads = new GrpcUploads(options.limits);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': -1,
    // Connections without a call for this long are closed politely (GOAWAY); the socket timeout
    // below catches only calls that stall mid-message.
    'grpc.max_connection_idle_ms': options.limits.requestTimeoutMs,
    // A ModelStreamInfer stream may rightly sit silent between its requests, as long as its client
    // is there: pinging every half request timeout keeps such a connection's bytes moving past the
    // stall guard (closeWhenSilent), while a client that does not answer a ping is cut.
    'grpc.keepalive_time_ms': Math.max(50, Math.round(options.limits.requestTimeoutMs / 2)),
    'grpc.keepalive_timeout_ms': options.limits.requestTimeoutMs,
    // No channelz service is served, so grpc-js need not keep its books on every call and stream
    // (the per-call cost bench/serverCpu.ts measures).
    'grpc.enable_channelz': 0,
    // Only a minimum rate needs to see request messages arrive.
    ...(options.limits.minBodyRate > 0 ? { interceptors: [uploadInterceptor(uploads)] } : {}),
  });
  const streams = new StreamRegistry();
  server.addService(loadServiceDefinition(), inferenceService(core, metrics, options.logError, { log: options.log, streams }));
  const health = addHealthService(server);
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener: NetServer = gatedListener(options.gate, options.limits, uploads, (socket) => injector.injectConnection(socket));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ host: options.host, port: options.port }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const port = (listener.address() as AddressInfo).port;
  return {
    port,
    health,
    drain: (graceMs) =>
      new Promise<void>((resolve) => {
        // Streams and health watches would keep their calls open for the whole grace period:
        // streams end once their requests are answered, watches once told NOT_SERVING.
        health.setServing(false);
        health.endWatches();
        streams.endAll();
        listener.close();
        injector.drain(graceMs);
        server.tryShutdown(() => {
          uploads.stop();
          resolve();
        });
      }),
    forceClose: () => {
      uploads.stop();
      injector.destroy();
      server.forceShutdown();
    },
  };
}

/**
 * Reports each unary call's request message to `uploads` from the moment its headers arrive (when
 * grpc-js builds the call, which is when interceptors run) until the message is in, so a
 * connection trickling a message in is held to the minimum rate. Streaming calls pass untouched.
 */
function uploadInterceptor(uploads: GrpcUploads): grpc.ServerInterceptor {
  return (method, call) => {
    if (method.requestStream) return new grpc.ServerInterceptingCall(call);
    const { remoteAddress, remotePort } = call.getConnectionInfo();
    const done = uploads.begin(remoteAddress, remotePort);
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            done();
            nextMessage(message);
          },
          onReceiveHalfClose: (nextHalfClose) => {
            done();
            nextHalfClose();
          },
          onCancel: done,
        }),
      sendStatus: (status, nextStatus) => {
        done();
        nextStatus(status);
      },
    });
  };
}
