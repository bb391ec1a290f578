/**
 * Server benchmark: requests/s and p50/p99 latency of one-image inference over loopback, for each
 * protocol — HTTP JSON, HTTP with the binary tensor data extension, gRPC — on each model given
 * (the MLP and the CNN in `npm run bench`), with dynamic batching (the default: --max-batch 64, no
 * queue delay) and without it (--max-batch 1), at 1, 16 and 64 connections; a tfjs baseline (a
 * Fastify route calling tfjs predict per request) on JSON. Batching on and off run side by side,
 * alternating per repetition, so their ratio is paired against a drifting machine.
 *
 * Then, per protocol, a fresh server's resident memory after 10,000 and 100,000 requests, and a
 * soak: mixed good and bad requests (30% bad, of seven kinds) over HTTP and gRPC for a few minutes,
 * the server's RSS sampled throughout, every reply checked against the status it must get. Last,
 * the server's CPU time per request for each protocol, with h2load as the client in its own process
 * (serving/cpu.ts; also alone: `npx tsx bench/serverCpu.ts`).
 *
 *   npx tsx bench/server.ts [--quick] [--onnx artifacts/model.onnx] [--tfjs artifacts/tfjs/model.json] [--cnn-onnx P --cnn-tfjs P]
 *
 * Results go to bench/results/server.json (written atomically) and tables on stdout.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidInputError, describeError } from '../common/errors.ts';
import { writeJsonAtomic } from '../common/files.ts';
import { readStatusMB } from './memory.ts';
import { measureServerCpu, type ServerCpuResult } from './serving/cpu.ts';
import { grpcLoad, httpLoad, type LoadResult } from './serving/load.ts';
import { binaryRequest, grpcRequest, jsonRequest, newTally, readSignature, soakGrpcMix, soakHttpMix, type ModelSignature, type Tally } from './serving/requests.ts';
import { startBaseline, startServe, type RunningBenchServer } from './serving/servers.ts';
import { median, pairedRatio, type Spread } from '../common/stats.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const THIS_FILE = fileURLToPath(import.meta.url);

export const PROTOCOLS = ['json', 'binary', 'grpc'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export type ServerKind = 'batching' | 'no-batching' | 'tfjs-baseline';

const SERVE_FLAGS: Record<Exclude<ServerKind, 'tfjs-baseline'>, string[]> = {
  batching: [],
  'no-batching': ['--max-batch', '1'],
};

export interface BenchModel {
  name: string;
  onnx: string;
  /** Its tfjs model.json, for the baseline; without it the baseline is skipped. */
  tfjs?: string;
}

export interface ServerBenchOptions {
  models?: BenchModel[];
  /** Short runs, fewer requests, a short soak: a check that everything works, not figures. */
  quick?: boolean;
  /** Where the JSON goes; default bench/results/server.json. */
  out?: string;
  connections?: number[];
  log?: (line: string) => void;
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

export interface ServerBenchResult {
  schema: 2;
  generatedAt: string;
  quick: boolean;
  environment: { node: string; cpus: number; cpuModel: string; platform: string; baselineBackend: string };
  models: BenchModel[];
  settings: { durationSeconds: number; warmupSeconds: number; repetitions: number; connections: number[]; requestBytes: Record<Protocol, number> };
  points: BenchPoint[];
  batching: BatchingRatio[];
  memory: MemoryRun[];
  soak: SoakRun;
  /** Server CPU-seconds per 1,000 requests per protocol, load from h2load in its own process (absent in older results). */
  cpu?: ServerCpuResult;
}

const FULL = { durationSeconds: 4, warmupSeconds: 2, repetitions: 3, memoryCheckpoints: [10_000, 100_000], memoryConnections: 16, soakSeconds: 180, soakSampleSeconds: 5, cpuRequests: 10_000, cpuRepetitions: 5 };
const QUICK = { durationSeconds: 1, warmupSeconds: 1, repetitions: 1, memoryCheckpoints: [1_000, 10_000], memoryConnections: 16, soakSeconds: 20, soakSampleSeconds: 2, cpuRequests: 2_000, cpuRepetitions: 1 };

export async function benchServer(options: ServerBenchOptions = {}): Promise<ServerBenchResult> {
  const models = options.models ?? [{ name: 'mlp', onnx: path.resolve('artifacts/model.onnx'), tfjs: path.resolve('artifacts/tfjs/model.json') }];
  for (const model of models) {
    checkExists(model.onnx, `${model.name} ONNX model`);
    if (model.tfjs !== undefined && !existsSync(model.tfjs)) model.tfjs = undefined;
  }
  const settings = options.quick ? QUICK : FULL;
  const connections = options.connections ?? [1, 16, 64];
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const points: BenchPoint[] = [];
  const batching: BatchingRatio[] = [];
  let baselineBackend = 'none';
  const requestBytes = {} as Record<Protocol, number>;

  for (const model of models) {
    log(`${model.name}: ${model.onnx}`);
    const servers = { batching: await startServe(model.onnx, SERVE_FLAGS.batching), 'no-batching': await startServe(model.onnx, SERVE_FLAGS['no-batching']) };
    try {
      const signature = await readSignature(servers.batching.url);
      for (const protocol of PROTOCOLS) {
        const send = sender(protocol, signature);
        requestBytes[protocol] = send.bytes;
        for (const server of Object.values(servers)) await send.load(server, 16, { seconds: settings.warmupSeconds });
        for (const count of connections) {
          const runs: Record<'batching' | 'no-batching', LoadResult[]> = { batching: [], 'no-batching': [] };
          for (let repetition = 0; repetition < settings.repetitions; repetition++) {
            // Alternate which goes first, so neither always runs on the warmer (or more loaded) machine.
            const order = repetition % 2 === 0 ? (['batching', 'no-batching'] as const) : (['no-batching', 'batching'] as const);
            for (const kind of order) runs[kind].push(await send.load(servers[kind], count, { seconds: settings.durationSeconds }));
          }
          for (const kind of ['batching', 'no-batching'] as const) {
            const point = summarize(model.name, protocol, kind, count, runs[kind]);
            points.push(point);
            log(`  ${protocol.padEnd(6)} ${kind.padEnd(11)} ${String(count).padStart(2)} conn: ${point.requestsPerSecond} req/s, p50 ${point.latencyMs.p50} ms, p99 ${point.latencyMs.p99} ms${point.failures ? `, ${point.failures} FAILED` : ''}`);
          }
          const ratio = pairedRatio(runs.batching.map((run) => run.requestsPerSecond), runs['no-batching'].map((run) => run.requestsPerSecond));
          batching.push({ model: model.name, protocol, connections: count, ratio: roundSpread(ratio) });
          log(`  ${protocol.padEnd(6)} batching ÷ no batching at ${count}: ${ratio.median.toFixed(2)}×`);
        }
      }
    } finally {
      await Promise.all(Object.values(servers).map((server) => server.stop()));
    }
    if (model.tfjs) {
      const baseline = await startBaseline(THIS_FILE, model.tfjs);
      try {
        baselineBackend = baseline.backend ?? 'unknown';
        const send = sender('json', await readSignature(baseline.url));
        await send.load(baseline, 16, { seconds: settings.warmupSeconds });
        for (const count of connections) {
          const runs: LoadResult[] = [];
          for (let repetition = 0; repetition < settings.repetitions; repetition++) runs.push(await send.load(baseline, count, { seconds: settings.durationSeconds }));
          const point = summarize(model.name, 'json', 'tfjs-baseline', count, runs);
          points.push(point);
          log(`  json   tfjs-baseline ${String(count).padStart(2)} conn: ${point.requestsPerSecond} req/s`);
        }
      } finally {
        await baseline.stop();
      }
    }
  }

  const memoryModel = models[0]!;
  const memory: MemoryRun[] = [];
  for (const protocol of PROTOCOLS) memory.push(await measureMemory(memoryModel.onnx, protocol, settings.memoryCheckpoints, settings.memoryConnections, log));
  const soak = await runSoak(memoryModel.onnx, settings.soakSeconds, settings.soakSampleSeconds, log);
  const cpu = await measureServerCpu(memoryModel.onnx, { requests: settings.cpuRequests, connections: 16, repetitions: settings.cpuRepetitions, log });

  const result: ServerBenchResult = {
    schema: 2,
    generatedAt: new Date().toISOString(),
    quick: Boolean(options.quick),
    environment: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', platform: `${process.platform}-${process.arch}`, baselineBackend },
    models: models.map((model) => ({ name: model.name, onnx: path.relative(REPO_ROOT, model.onnx), ...(model.tfjs ? { tfjs: path.relative(REPO_ROOT, model.tfjs) } : {}) })),
    settings: { durationSeconds: settings.durationSeconds, warmupSeconds: settings.warmupSeconds, repetitions: settings.repetitions, connections, requestBytes },
    points,
    batching,
    memory,
    soak,
    cpu,
  };
  await writeJsonAtomic(options.out ?? path.join(REPO_ROOT, 'bench/results/server.json'), result);
  return result;
}

function checkExists(file: string, what: string): void {
  if (!existsSync(file)) throw new InvalidInputError(`${what} ${file} does not exist; train and export first (npm run pipeline), or point --onnx at one`);
}

/** How one protocol's request is sent, and its size on the wire. */
function sender(protocol: Protocol, signature: ModelSignature) {
  if (protocol === 'grpc') {
    const request = grpcRequest(signature);
    const bytes = (request.message as { raw_input_contents: Buffer[] }).raw_input_contents[0]!.length;
    return { bytes, load: (server: RunningBenchServer, connections: number, limit: { seconds: number } | { amount: number }) => grpcLoad(server.grpc!, [request], connections, limit) };
  }
  const request = protocol === 'json' ? jsonRequest(signature) : binaryRequest(signature);
  return { bytes: request.body.length, load: (server: RunningBenchServer, connections: number, limit: { seconds: number } | { amount: number }) => httpLoad(server.url, [request], connections, limit) };
}

function summarize(model: string, protocol: Protocol, server: ServerKind, connections: number, runs: LoadResult[]): BenchPoint {
  const requestsPerSecond = round(median(runs.map((run) => run.requestsPerSecond)));
  return {
    model,
    protocol,
    server,
    connections,
    requestsPerSecond,
    latencyMs: { p50: round(median(runs.map((run) => run.latencyMs.p50))), p99: round(median(runs.map((run) => run.latencyMs.p99))), mean: round((connections / requestsPerSecond) * 1000) },
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
    runs: runs.map((run) => ({ requestsPerSecond: round(run.requestsPerSecond), p50: run.latencyMs.p50, p99: run.latencyMs.p99 })),
  };
}

/** A fresh default server: RSS after each checkpoint's total of requests over one protocol. */
async function measureMemory(onnx: string, protocol: Protocol, checkpoints: number[], connections: number, log: (line: string) => void): Promise<MemoryRun> {
  const server = await startServe(onnx, []);
  try {
    const send = sender(protocol, await readSignature(server.url));
    const measured: MemoryRun['checkpoints'] = [];
    let sent = 0;
    for (const requests of checkpoints) {
      const result = await send.load(server, connections, { amount: requests - sent });
      if (result.failures > 0) throw new Error(`${result.failures} of ${requests - sent} ${protocol} requests failed while measuring memory${result.firstFailure ? ` (first: ${result.firstFailure})` : ''}`);
      sent = requests;
      const rssMB = readStatusMB(server.pid, 'VmRSS');
      measured.push({ requests, rssMB });
      log(`memory ${protocol}: RSS after ${requests} requests: ${rssMB.toFixed(1)} MB`);
    }
    const first = measured[0]!.rssMB;
    const last = measured.at(-1)!.rssMB;
    return { protocol, connections, checkpoints: measured, growthMB: round(last - first), growthPercent: round(((last - first) / first) * 100), peakRssMB: readStatusMB(server.pid, 'VmHWM') };
  } finally {
    await server.stop();
  }
}

/** Mixed good and bad requests over HTTP and gRPC together for `seconds`, the server's RSS sampled. */
async function runSoak(onnx: string, seconds: number, sampleSeconds: number, log: (line: string) => void): Promise<SoakRun> {
  const server = await startServe(onnx, []);
  const httpConnections = 16;
  const grpcConnections = 4;
  try {
    const signature = await readSignature(server.url);
    const tally: Tally = newTally();
    const httpMix = soakHttpMix(signature, tally);
    const grpcMix = soakGrpcMix(signature, tally);
    const samples: SoakRun['samples'] = [];
    const started = performance.now();
    const sampler = setInterval(() => samples.push({ seconds: round((performance.now() - started) / 1000), rssMB: readStatusMB(server.pid, 'VmRSS') }), sampleSeconds * 1000);
    const [http, grpc] = await Promise.all([httpLoad(server.url, httpMix, httpConnections, { seconds }), grpcLoad(server.grpc!, grpcMix, grpcConnections, { seconds })]);
    clearInterval(sampler);
    samples.push({ seconds: round((performance.now() - started) / 1000), rssMB: readStatusMB(server.pid, 'VmRSS') });
    const liveAfter = (await fetch(`${server.url}/v2/health/live`)).ok;
    const secondHalf = samples.filter((sample) => sample.seconds >= seconds / 2);
    const requests = http.requests + grpc.requests;
    const bad = Object.entries(tally.byStatus).filter(([status]) => status !== '200' && status !== 'grpc 0').reduce((sum, [, count]) => sum + count, 0);
    const soak: SoakRun = {
      seconds,
      httpConnections,
      grpcConnections,
      samples,
      sampleSeconds,
      requests,
      expected: tally.expected,
      unexpected: tally.unexpected + http.failures + grpc.failures,
      byStatus: tally.byStatus,
      badShare: round(bad / Math.max(1, tally.expected + tally.unexpected)),
      secondHalf: { firstMB: secondHalf[0]?.rssMB ?? 0, lastMB: secondHalf.at(-1)?.rssMB ?? 0, maxMB: Math.max(...secondHalf.map((sample) => sample.rssMB)) },
      liveAfter,
    };
    log(`soak: ${requests} requests in ${seconds} s (${Math.round(soak.badShare * 100)}% bad), ${soak.unexpected} unexpected replies; RSS ${samples.map((sample) => sample.rssMB.toFixed(0)).join(' ')} MB`);
    return soak;
  } finally {
    await server.stop();
  }
}

/**
 * The baseline: what a user without this project would deploy. Loads the tfjs Layers model on the
 * fastest tfjs backend available (as training picks it) and answers the same request format by
 * calling model.predict() for each request, with no batching.
 */
async function runBaselineServer(tfjsPath: string): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { default: Fastify } = await import('fastify');
  const { selectBackend } = await import('../training/backends/select.ts');
  const { fileSystemLoader } = await import('../common/tfjsModelFiles.ts');
  const backend = await selectBackend();
  const model = await tf.loadLayersModel(fileSystemLoader(tfjsPath));
  const inputName = model.inputs[0]!.name;
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  app.get('/v2/models/model', async () => ({ name: 'model', inputs: [{ name: inputName, datatype: 'FP32', shape: model.inputs[0]!.shape.map((d) => d ?? -1) }], outputs: [{ name: 'output' }] }));
  app.post<{ Body: { inputs: { shape: number[]; data: number[] }[] } }>('/v2/models/model/infer', async (request) => {
    const [input] = request.body.inputs;
    const output = tf.tidy(() => model.predict(tf.tensor(input!.data, input!.shape)) as import('@tensorflow/tfjs').Tensor);
    const data = await output.data();
    const shape = output.shape;
    output.dispose();
    return { model_name: 'model', outputs: [{ name: 'output', datatype: 'FP32', shape, data: Array.from(data) }] };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as import('node:net').AddressInfo;
  process.stdout.write(`baseline on backend ${backend}: listening on http://127.0.0.1:${address.port}\n`);
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await app.close();
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function roundSpread(value: Spread): Spread {
  return { median: round(value.median), min: round(value.min), max: round(value.max), repetitions: value.repetitions };
}

/** Command line: `tsx bench/server.ts [--quick] [--onnx P] [--tfjs P] [--cnn-onnx P] [--cnn-tfjs P] [--out P]`. */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      onnx: { type: 'string' },
      tfjs: { type: 'string' },
      'cnn-onnx': { type: 'string' },
      'cnn-tfjs': { type: 'string' },
      out: { type: 'string' },
      'baseline-server': { type: 'boolean', default: false },
    },
  });
  try {
    if (values['baseline-server']) {
      await runBaselineServer(values.tfjs ?? 'artifacts/tfjs/model.json');
      return 0;
    }
    const models: BenchModel[] = [{ name: 'mlp', onnx: path.resolve(values.onnx ?? 'artifacts/model.onnx'), tfjs: path.resolve(values.tfjs ?? 'artifacts/tfjs/model.json') }];
    if (values['cnn-onnx']) models.push({ name: 'cnn', onnx: path.resolve(values['cnn-onnx']), tfjs: values['cnn-tfjs'] && path.resolve(values['cnn-tfjs']) });
    const result = await benchServer({ quick: values.quick, models, out: values.out });
    const { renderText, servingTablesFor } = await import('./table.ts');
    process.stdout.write(`\n${renderText(servingTablesFor(result))}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
