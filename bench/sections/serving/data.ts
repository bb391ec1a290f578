/**
 * What the serving section records (results/latest.json's `serving.benchmark`, and
 * bench/results/server.json when the server benchmark runs alone): throughput per model, protocol
 * and batching; the paired batching ratios; memory per protocol; the soak; the server's CPU per
 * request.
 */
import type { Spread } from '../../../common/stats.ts';

export const PROTOCOLS = ['json', 'binary', 'grpc'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export type ServerKind = 'batching' | 'no-batching' | 'tfjs-baseline';

export interface BenchModel {
  name: string;
  onnx: string;
  /** Its tfjs model.json, for the baseline; without it the baseline is skipped. */
  tfjs?: string;
}

export interface BenchPoint {
  model: string;
  protocol: Protocol;
  server: ServerKind;
  connections: number;
  requestsPerSecond: number;
  /** Medians over repetitions of each run's p50 / p99; mean = connections ÷ req/s (Little's law). */
  latencyMs: { p50: number; p99: number; mean: number };
  /** Connection errors, timeouts and failed replies over all repetitions; anything but 0 voids the point. */
  failures: number;
  runs: { requestsPerSecond: number; p50: number; p99: number }[];
}

export interface BatchingRatio {
  model: string;
  protocol: Protocol;
  connections: number;
  /** requests/s with batching ÷ without, paired per repetition. */
  ratio: Spread;
}

export interface MemoryRun {
  protocol: Protocol;
  connections: number;
  checkpoints: { requests: number; rssMB: number }[];
  growthMB: number;
  growthPercent: number;
  peakRssMB: number;
}

export interface SoakRun {
  seconds: number;
  httpConnections: number;
  grpcConnections: number;
  /** RSS of the server every sampleSeconds. */
  samples: { seconds: number; rssMB: number }[];
  sampleSeconds: number;
  requests: number;
  /** Replies with the status each request must get (200 for good ones, the 4xx for each bad kind). */
  expected: number;
  unexpected: number;
  byStatus: Record<string, number>;
  badShare: number;
  /** RSS over the second half of the soak: its first and last sample, and the largest. */
  secondHalf: { firstMB: number; lastMB: number; maxMB: number };
  liveAfter: boolean;
}

export interface ServerCpuRun {
  requests: number;
  serverCpuSeconds: number;
  wallSeconds: number;
}

export interface ServerCpuProtocol {
  protocol: Protocol;
  /** Bytes of one request on the wire: HTTP body, or the gRPC message with its 5-byte prefix. */
  requestBytes: number;
  /** Server CPU-seconds per 1,000 requests: median (min–max) over repetitions. */
  cpuSecondsPer1000: Spread;
  /** Requests per second h2load saw (informative: the load generator shares the machine). */
  requestsPerSecond: Spread;
  runs: ServerCpuRun[];
}

export interface ServerCpuResult {
  loadGenerator: string;
  serveFlags: string[];
  requests: number;
  connections: number;
  repetitions: number;
  protocols: ServerCpuProtocol[];
  /** Server CPU per request, gRPC ÷ binary and gRPC ÷ JSON, paired per repetition. */
  grpcOverBinary: Spread;
  grpcOverJson: Spread;
}

export interface ServerBenchResult {
  schema: 2;
  generatedAt: string;
  quick: boolean;
  environment: { node: string; cpus: number; cpuModel: string; platform: string; baselineBackend: string };
  models: BenchModel[];
  settings: {
    durationSeconds: number;
    warmupSeconds: number;
    repetitions: number;
    connections: number[];
    requestBytes: Record<Protocol, number>;
  };
  points: BenchPoint[];
  batching: BatchingRatio[];
  memory: MemoryRun[];
  soak: SoakRun;
  /** Server CPU-seconds per 1,000 requests per protocol, load from h2load in its own process (absent in older results). */
  cpu?: ServerCpuResult;
}

/** The serving section's data in results/latest.json. */
export interface ServingData {
  benchmark: ServerBenchResult;
}
