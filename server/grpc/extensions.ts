/**
 * The GRPCInferenceService methods of the streaming, model configuration, logging and trace
 * extensions, over the same core as the rest:
 *
 *   ModelStreamInfer  a bidirectional stream for any model: each ModelInferRequest is run like a
 *                     ModelInfer call (same batching, statistics and errors) and answered on the
 *                     stream as soon as it is done, with its id echoed and, as Triton marks the
 *                     response that completes a request, the parameter triton_final_response: true
 *                     (a model here answers each request once); a request that fails is answered
 *                     with error_message and the stream stays open for the next
 *   ModelConfig       the configuration in force (core/configInForce.ts, as the HTTP route)
 *   LogSettings       the logging extension over the server's log (log.ts)
 *   TraceSetting      refused with UNIMPLEMENTED: the server does not trace requests
 */
import * as grpc from '@grpc/grpc-js';
import { configInForce } from '../core/configInForce.ts';
import type { InferenceCore } from '../core/inference.ts';
import { RequestError, UnsupportedFeatureError, grpcCodeOf } from '../errors.ts';
import type { ServerLog } from '../log.ts';
import type { ServerMetrics } from '../metrics.ts';
import { inferCallFromGrpc, inferResponseToGrpc, type GrpcInferRequest } from './codec.ts';
import type { UnaryHandler } from './unary.ts';

/** Requests one stream may have in the core at once; past it the stream is paused until one is answered. */
export const STREAM_MAX_IN_FLIGHT = 64;

type SettingValue = {
  parameter_choice?: 'bool_param' | 'uint32_param' | 'string_param';
  bool_param?: boolean;
  uint32_param?: number;
  string_param?: string;
};

/** The unary methods of these extensions, in the form service.ts wraps (request in, response out or a thrown RequestError). */
export function extensionHandlers(core: InferenceCore, log: ServerLog): Record<string, UnaryHandler<never>> {
  return {
    ModelConfig: (request: { name?: string; version?: string }) => ({
      config: configInForce(core.registry.resolve(request.name ?? '', request.version || undefined)),
    }),
    LogSettings: (request: { settings?: Record<string, SettingValue> }) => {
      const changes = Object.fromEntries(Object.entries(request.settings ?? {}).map(([name, value]) => [name, settingValue(value)]));
      const settings = Object.keys(changes).length > 0 ? log.update(changes) : log.settings();
      return { settings: Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, toSettingValue(value)])) };
    },
    TraceSetting: () => {
      throw new UnsupportedFeatureError(
        'the trace extension (TraceSetting)',
        'requests are not traced; inference statistics and /metrics report where their time goes',
      );
    },
  };
}

function settingValue(value: SettingValue): unknown {
  switch (value.parameter_choice) {
    case 'bool_param':
      return value.bool_param;
    case 'uint32_param':
      return value.uint32_param;
    case 'string_param':
      return value.string_param;
    default:
      return undefined;
  }
}

function toSettingValue(value: string | number | boolean): SettingValue {
  if (typeof value === 'boolean') return { bool_param: value };
  if (typeof value === 'number') return { uint32_param: value };
  return { string_param: value };
}

/** Open streams, so shutdown can end each once its last request is answered. */
export class StreamRegistry {
  private readonly closers = new Set<() => void>();

  add(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  /** Each open stream ends as soon as its requests in flight are answered. */
  endAll(): void {
    for (const close of this.closers) close();
  }
}

interface StreamContext {
  core: InferenceCore;
  metrics: ServerMetrics;
  logError: (error: unknown) => void;
  streams: StreamRegistry;
}

export function modelStreamInfer(context: StreamContext): grpc.handleBidiStreamingCall<GrpcInferRequest, object> {
  return (call) => {
    let inFlight = 0;
    let ended = false;
    let closing = false;
    const finishIfDone = () => {
      if ((ended || closing) && inFlight === 0 && !call.cancelled) call.end();
    };
    const unregister = context.streams.add(() => {
      closing = true;
      finishIfDone();
    });
    call.on('data', (request: GrpcInferRequest) => {
      inFlight++;
      if (inFlight >= STREAM_MAX_IN_FLIGHT) call.pause();
      void answer(context, request).then((message) => {
        inFlight--;
        if (!call.cancelled && !call.writableEnded) call.write(message);
        if (inFlight === STREAM_MAX_IN_FLIGHT - 1) call.resume();
        finishIfDone();
      });
    });
    call.on('end', () => {
      ended = true;
      finishIfDone();
    });
    call.on('error', () => undefined);
    call.once('close', unregister);
    call.once('cancelled', unregister);
  };
}

/**
 * What a streaming client reads to know its request is complete (Triton's decoupled_models.md).
 * Triton sets it on every response that comes from running the request; a request refused before
 * it runs gets error_message alone, as here.
 */
const FINAL_RESPONSE = { triton_final_response: { bool_param: true } };

/** One request of a stream, run like ModelInfer; a failure becomes the message's error_message. */
async function answer(context: StreamContext, request: GrpcInferRequest): Promise<object> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const response = inferResponseToGrpc(await context.core.infer(inferCallFromGrpc(request, started)));
    context.metrics.observeGrpc('ModelStreamInfer', 'OK', seconds());
    return { error_message: '', infer_response: { ...response, parameters: FINAL_RESPONSE } };
  } catch (error) {
    const expected = error instanceof RequestError && error.statusCode !== 500;
    if (!expected) context.logError(error);
    const message = error instanceof Error ? error.message : String(error);
    // Counted under the code the error would have had as a call of its own, though it travels in the stream.
    context.metrics.observeGrpc(
      'ModelStreamInfer',
      grpc.status[error instanceof RequestError ? grpcCodeOf(error) : grpc.status.INTERNAL],
      seconds(),
    );
    // The id (and model) are echoed so the client can tell which request failed.
    return {
      error_message: expected ? message : `internal server error: ${message}`,
      infer_response: { model_name: request.model_name ?? '', model_version: request.model_version ?? '', id: request.id ?? '' },
    };
  }
}
