/**
 * Requests/s and p50/p99 per protocol and connection count: `tfjs-onnx serve` with dynamic batching
 * (its defaults: --max-batch 64, no queue delay) and without (--max-batch 1), both running side by
 * side and loaded alternately per repetition, so their ratio is paired against a drifting machine;
 * then the tfjs baseline on JSON.
 */
import { median, pairedRatio } from '../../../common/stats.ts';
import { PROTOCOLS, type BatchingRatio, type BenchPoint, type Protocol, type ServerKind } from './data.ts';
import type { LoadResult } from './load.ts';
import type { ServingPlan } from './plans.ts';
import { sender } from './protocols.ts';
import { readSignature } from './requests.ts';
import { round, roundSpread } from './rounding.ts';
import { startBaseline, startServe, type RunningBenchServer } from './servers.ts';

type Log = (line: string) => void;
type Batching = Exclude<ServerKind, 'tfjs-baseline'>;

const SERVE_FLAGS: Record<Batching, string[]> = {
  batching: [],
  'no-batching': ['--max-batch', '1'],
};

export interface ServeThroughput {
  points: BenchPoint[];
  batching: BatchingRatio[];
  requestBytes: Record<Protocol, number>;
}

/** Batching on and off for one model, every protocol at every connection count. */
export async function measureServeThroughput(
  model: { name: string; onnx: string },
  plan: ServingPlan,
  connections: number[],
  log: Log,
): Promise<ServeThroughput> {
  const result: ServeThroughput = { points: [], batching: [], requestBytes: {} as Record<Protocol, number> };
  const servers: Record<Batching, RunningBenchServer> = {
    batching: await startServe(model.onnx, SERVE_FLAGS.batching),
    'no-batching': await startServe(model.onnx, SERVE_FLAGS['no-batching']),
  };
  try {
    const signature = await readSignature(servers.batching.url);
    for (const protocol of PROTOCOLS) {
      const send = sender(protocol, signature);
      result.requestBytes[protocol] = send.bytes;
      for (const server of Object.values(servers)) await send.load(server, 16, { seconds: plan.warmupSeconds });
      for (const count of connections) {
        const runs: Record<Batching, LoadResult[]> = { batching: [], 'no-batching': [] };
        for (let repetition = 0; repetition < plan.repetitions; repetition++) {
          // Alternate which goes first, so neither always runs on the warmer (or more loaded) machine.
          const order = repetition % 2 === 0 ? (['batching', 'no-batching'] as const) : (['no-batching', 'batching'] as const);
          for (const kind of order) runs[kind].push(await send.load(servers[kind], count, { seconds: plan.durationSeconds }));
        }
        for (const kind of ['batching', 'no-batching'] as const) {
          const point = summarize(model.name, protocol, kind, count, runs[kind]);
          result.points.push(point);
          log(
            `  ${protocol.padEnd(6)} ${kind.padEnd(11)} ${String(count).padStart(2)} conn: ${point.requestsPerSecond} req/s, p50 ${point.latencyMs.p50} ms, p99 ${point.latencyMs.p99} ms${point.failures ? `, ${point.failures} FAILED` : ''}`,
          );
        }
        const ratio = pairedRatio(
          runs.batching.map((run) => run.requestsPerSecond),
          runs['no-batching'].map((run) => run.requestsPerSecond),
        );
        result.batching.push({ model: model.name, protocol, connections: count, ratio: roundSpread(ratio) });
        log(`  ${protocol.padEnd(6)} batching ÷ no batching at ${count}: ${ratio.median.toFixed(2)}×`);
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
  return result;
}

/** The tfjs baseline on one model's tfjs model.json, JSON at every connection count; with the tfjs backend it ran on. */
export async function measureBaseline(
  model: { name: string; tfjs: string },
  plan: ServingPlan,
  connections: number[],
  log: Log,
): Promise<{ points: BenchPoint[]; backend: string }> {
  const baseline = await startBaseline(model.tfjs);
  try {
    const send = sender('json', await readSignature(baseline.url));
    await send.load(baseline, 16, { seconds: plan.warmupSeconds });
    const points: BenchPoint[] = [];
    for (const count of connections) {
      const runs: LoadResult[] = [];
      for (let repetition = 0; repetition < plan.repetitions; repetition++)
        runs.push(await send.load(baseline, count, { seconds: plan.durationSeconds }));
      const point = summarize(model.name, 'json', 'tfjs-baseline', count, runs);
      points.push(point);
      log(`  json   tfjs-baseline ${String(count).padStart(2)} conn: ${point.requestsPerSecond} req/s`);
    }
    return { points, backend: baseline.backend ?? 'unknown' };
  } finally {
    await baseline.stop();
  }
}

function summarize(model: string, protocol: Protocol, server: ServerKind, connections: number, runs: LoadResult[]): BenchPoint {
  const requestsPerSecond = round(median(runs.map((run) => run.requestsPerSecond)));
  return {
    model,
    protocol,
    server,
    connections,
    requestsPerSecond,
    latencyMs: {
      p50: round(median(runs.map((run) => run.latencyMs.p50))),
      p99: round(median(runs.map((run) => run.latencyMs.p99))),
      mean: round((connections / requestsPerSecond) * 1000),
    },
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
    runs: runs.map((run) => ({ requestsPerSecond: round(run.requestsPerSecond), p50: run.latencyMs.p50, p99: run.latencyMs.p99 })),
  };
}
