/**
 * Load generators for the server benchmark: HTTP through autocannon (JSON or binary bodies), and
 * gRPC through @grpc/grpc-js clients, one channel per connection so `connections` means the same
 * on both. Each keeps every connection busy with one request at a time for a duration or until an
 * amount of requests is sent, and reports throughput and latency percentiles.
 */
import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_PATH } from '../../../server/grpc/service.ts';
import { percentile } from '../../../common/stats.ts';

/** How long a load runs: for a duration, or until an amount of requests is sent. */
export type LoadLimit = { seconds: number } | { amount: number };

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Milliseconds. autocannon records whole milliseconds; the gRPC generator fractions. */
  latencyMs: { p50: number; p99: number };
  /** Connection errors, timeouts and non-2xx / non-OK replies. */
  failures: number;
  /** The first failure's status and message, where the generator sees it (gRPC), to say what failed. */
  firstFailure?: string;
}

export interface HttpRequest {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Told each reply's status, e.g. to count expected errors in the soak. */
  onStatus?: (status: number) => void;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number };
  requests: { total: number };
}
/** autocannon ships no type declarations; this is the one call shape used here. */
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

/** `requests` cycle per connection (one kind of request, or a mix for the soak). */
export async function httpLoad(url: string, requests: HttpRequest[], connections: number, limit: LoadLimit): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    ...('seconds' in limit ? { duration: limit.seconds } : { amount: limit.amount }),
    timeout: 30,
    requests: requests.map((request) => ({
      method: 'POST',
      path: request.path,
      headers: request.headers,
      body: request.body,
      ...(request.onStatus ? { onResponse: (status: number) => request.onStatus!(status) } : {}),
    })),
  });
  const seconds = result.duration || ('seconds' in limit ? limit.seconds : 1);
  const expectedErrors = requests.some((request) => request.onStatus) ? result.non2xx : 0;
  return {
    requests: result.requests.total,
    seconds,
    requestsPerSecond: result.requests.total / seconds,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    failures: result.errors + result.timeouts + result.non2xx - expectedErrors,
  };
}

export interface GrpcRequest {
  message: object;
  /** Told each reply's status code, e.g. to count expected errors in the soak. */
  onCode?: (code: number) => void;
}

let serviceConstructor: grpc.ServiceClientConstructor | undefined;

/** A client grpc-js builds for the inference service loaded from its .proto: one method per RPC, by name. */
type InferenceClient = InstanceType<grpc.ServiceClientConstructor>;

function inferenceClient(address: string): InferenceClient {
  if (!serviceConstructor) {
    const definition = protoLoader.loadSync(PROTO_PATH, { keepCase: true, longs: Number, defaults: false });
    serviceConstructor = (grpc.loadPackageDefinition(definition).inference as grpc.GrpcObject)
      .GRPCInferenceService as grpc.ServiceClientConstructor;
  }
  // A channel of its own per connection: grpc-js would otherwise share one subchannel among them.
  return new serviceConstructor(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
}

/** `connections` clients, each sending ModelInfer requests back to back (cycling `requests`). */
export async function grpcLoad(address: string, requests: GrpcRequest[], connections: number, limit: LoadLimit): Promise<LoadResult> {
  const clients = Array.from({ length: connections }, () => inferenceClient(address));
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let sent = 0;
  const started = performance.now();
  const deadline = 'seconds' in limit ? started + limit.seconds * 1000 : Number.POSITIVE_INFINITY;
  const budget = 'amount' in limit ? limit.amount : Number.POSITIVE_INFINITY;
  const expectsErrors = requests.some((request) => request.onCode);
  const worker = async (client: InferenceClient, offset: number) => {
    for (let i = offset; performance.now() < deadline && sent < budget; i++) {
      sent++;
      const request = requests[i % requests.length]!;
      const begin = performance.now();
      const error = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.ModelInfer(request.message, { deadline: Date.now() + 30_000 }, (failure: grpc.ServiceError | null) => resolve(failure)),
      );
      const code = error ? error.code : grpc.status.OK;
      latencies.push(performance.now() - begin);
      request.onCode?.(code);
      if (code !== grpc.status.OK && !expectsErrors) {
        failures++;
        firstFailure ??= `${grpc.status[code]}: ${error!.details}`;
      }
    }
  };
  await Promise.all(clients.map((client, index) => worker(client, index)));
  const seconds = (performance.now() - started) / 1000;
  for (const client of clients) client.close();
  return {
    requests: latencies.length,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    latencyMs: latencies.length ? { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) } : { p50: 0, p99: 0 },
    failures,
    firstFailure,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
