/**
 * Server benchmark: requests/s and p50/p99 latency of single-image inference over loopback, for
 *   - onnx-batching     `tfjs-onnx serve` with dynamic batching (the default --max-batch 64)
 *   - onnx-no-batching  `tfjs-onnx serve --max-batch 1`
 *   - tfjs-baseline     a Fastify route calling the tfjs model's predict() per request, i.e. what a
 *                       user would write without this project (fastest tfjs backend that loads)
 *   - onnx-batching-0ms `tfjs-onnx serve --max-delay-ms 0`: no waiting, batches what queues during a run
 * at 1, 16 and 64 connections, each the median of several autocannon runs. Every server runs in its
 * own child process so the load generator does not share its event loop.
 *
 *   npx tsx bench/server.ts [--quick] [--onnx artifacts/model.onnx] [--tfjs artifacts/tfjs/model.json]
 *
 * Results go to bench/results/server.json (written atomically) and a table on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidInputError, UserError, describeError } from '../common/errors.ts';
import { writeJsonAtomic } from '../common/files.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO_ROOT, 'bin/tfjs-onnx.js');
const THIS_FILE = fileURLToPath(import.meta.url);

export interface ServerBenchOptions {
  onnx?: string;
  tfjs?: string;
  /** ≤ 1 minute: one short run per point instead of the median of several. */
  quick?: boolean;
  /** Where the JSON goes; default bench/results/server.json. */
  out?: string;
  connections?: number[];
  log?: (line: string) => void;
}

export interface BenchPoint {
  server: ServerKind;
  connections: number;
  requestsPerSecond: number;
  /** p50/p99 from autocannon (whole ms); mean = connections ÷ req/s. */
  latencyMs: { p50: number; p99: number; mean: number };
  /** Connection errors, timeouts and non-2xx replies over all repetitions; anything but 0 voids the point. */
  failures: number;
  runs: { requestsPerSecond: number; p50: number; p99: number; mean: number }[];
}

export interface ServerBenchResult {
  generatedAt: string;
  quick: boolean;
  environment: { node: string; cpus: number; cpuModel: string; platform: string; baselineBackend: string };
  model: { onnx: string; tfjs: string };
  settings: { durationSeconds: number; warmupSeconds: number; repetitions: number; connections: number[]; requestBytes: number };
  points: BenchPoint[];
}

type ServerKind = 'onnx-batching' | 'onnx-batching-0ms' | 'onnx-no-batching' | 'tfjs-baseline';

const SERVERS: { kind: ServerKind; describe: string }[] = [
  { kind: 'onnx-batching', describe: 'tfjs-onnx serve (onnxruntime-node, dynamic batching up to 64, 2 ms)' },
  { kind: 'onnx-batching-0ms', describe: 'tfjs-onnx serve --max-delay-ms 0 (batches only what queues while a run is busy)' },
  { kind: 'onnx-no-batching', describe: 'tfjs-onnx serve --max-batch 1 (onnxruntime-node, one run per request)' },
  { kind: 'tfjs-baseline', describe: 'Fastify route calling tfjs model.predict per request' },
];

const SERVE_FLAGS: Record<Exclude<ServerKind, 'tfjs-baseline'>, string[]> = {
  'onnx-batching': [],
  'onnx-batching-0ms': ['--max-delay-ms', '0'],
  'onnx-no-batching': ['--max-batch', '1'],
};

const FULL = { durationSeconds: 5, warmupSeconds: 3, repetitions: 3 };
const QUICK = { durationSeconds: 2, warmupSeconds: 1, repetitions: 1 };

export async function benchServer(options: ServerBenchOptions = {}): Promise<ServerBenchResult> {
  const onnx = path.resolve(options.onnx ?? 'artifacts/model.onnx');
  const tfjs = path.resolve(options.tfjs ?? 'artifacts/tfjs/model.json');
  checkModelExists(onnx, 'ONNX model', '--onnx');
  checkModelExists(tfjs, 'tfjs model.json', '--tfjs');
  const settings = options.quick ? QUICK : FULL;
  const connections = options.connections ?? [1, 16, 64];
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const points: BenchPoint[] = [];
  let baselineBackend = 'unknown';
  let requestBytes = 0;
  for (const server of SERVERS) {
    log(`${server.kind}: ${server.describe}`);
    const running = await startBenchServer(server.kind, onnx, tfjs);
    try {
      if (server.kind === 'tfjs-baseline') baselineBackend = running.backend ?? 'unknown';
      const body = await requestBody(running.url);
      requestBytes = body.length;
      await load(running.url, body, 16, settings.warmupSeconds);
      for (const count of connections) {
        const runs = [];
        let failures = 0;
        for (let repetition = 0; repetition < settings.repetitions; repetition++) {
          const result = await load(running.url, body, count, settings.durationSeconds);
          failures += result.errors + result.timeouts + result.non2xx;
          const requestsPerSecond = result.requests.total / (result.duration || settings.durationSeconds);
          // autocannon's whole-millisecond latencies floor fast replies to 0; with a fixed number of
          // connections each waiting for its reply, the mean follows exactly from throughput (Little's law).
          runs.push({ requestsPerSecond, p50: result.latency.p50, p99: result.latency.p99, mean: (count / requestsPerSecond) * 1000 });
        }
        const point: BenchPoint = {
          server: server.kind,
          connections: count,
          requestsPerSecond: round(median(runs.map((run) => run.requestsPerSecond))),
          latencyMs: { p50: round(median(runs.map((run) => run.p50))), p99: round(median(runs.map((run) => run.p99))), mean: round(median(runs.map((run) => run.mean))) },
          failures,
          runs,
        };
        points.push(point);
        log(`  ${String(count).padStart(2)} connections: ${point.requestsPerSecond} req/s, p50 ${point.latencyMs.p50} ms, p99 ${point.latencyMs.p99} ms, mean ${point.latencyMs.mean} ms${failures ? `, ${failures} FAILED` : ''}`);
      }
    } finally {
      await running.stop();
    }
  }
  const result: ServerBenchResult = {
    generatedAt: new Date().toISOString(),
    quick: Boolean(options.quick),
    environment: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', platform: `${process.platform}-${process.arch}`, baselineBackend },
    model: { onnx: path.relative(REPO_ROOT, onnx), tfjs: path.relative(REPO_ROOT, tfjs) },
    settings: { ...settings, connections, requestBytes },
    points,
  };
  await writeJsonAtomic(options.out ?? path.join(REPO_ROOT, 'bench/results/server.json'), result);
  log('');
  log(formatTable(result));
  return result;
}

function checkModelExists(file: string, what: string, flag: string): void {
  if (!existsSync(file)) {
    throw new InvalidInputError(`${what} ${file} does not exist; train and export first (npm run pipeline), or point ${flag} at one`);
  }
}

/** One single-image request in the protocol's JSON, with the input name the server reports. */
async function requestBody(url: string): Promise<string> {
  const metadata = (await (await fetch(`${url}/v2/models/model`)).json()) as { inputs: { name: string; shape: number[] }[] };
  const [input] = metadata.inputs;
  const shape = [1, ...input.shape.slice(1)];
  const count = shape.reduce((a, b) => a * b, 1);
  // A blurry stroke rather than noise, so the request is what a digit client would send.
  const data = Array.from({ length: count }, (_, i) => Math.round(Math.max(0, 1 - Math.abs((i % 28) - 14) / 4) * 1000) / 1000);
  return JSON.stringify({ inputs: [{ name: input.name, shape, datatype: 'FP32', data }] });
}

// ---- load generation -------------------------------------------------------------------------

interface AutocannonResult {
  /** Seconds. */
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Milliseconds, recorded as whole milliseconds (so "0" means under 1 ms). */
  latency: { p50: number; p99: number };
  requests: { total: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

/** autocannon ships no type declarations; this is the one call shape used here. */
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function load(url: string, body: string, connections: number, seconds: number): Promise<AutocannonResult> {
  return autocannon({
    url: `${url}/v2/models/model/infer`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
    timeout: 30,
  });
}

// ---- servers under test ----------------------------------------------------------------------

interface RunningBenchServer {
  url: string;
  backend?: string;
  stop(): Promise<void>;
}

function startBenchServer(kind: ServerKind, onnx: string, tfjs: string): Promise<RunningBenchServer> {
  const args =
    kind === 'tfjs-baseline'
      ? ['--import', 'tsx', THIS_FILE, '--baseline-server', '--tfjs', tfjs]
      : [CLI, 'serve', onnx, '--name', 'model', '--port', '0', ...SERVE_FLAGS[kind]];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return waitForListening(child, kind);
}

function waitForListening(child: ChildProcess, kind: ServerKind): Promise<RunningBenchServer> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new UserError(`${kind} server did not start within 120 s:\n${output}`)), 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/[^\s]+)/.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      resolve({ url, backend: /backend (\w+)/.exec(output)?.[1], stop: () => stopChild(child) });
    };
    const onExit = (code: number | null) => fail(new UserError(`${kind} server exited with ${code} before listening:\n${output}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
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
  const inputName = model.inputs[0].name;
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  app.get('/v2/models/model', async () => ({ name: 'model', inputs: [{ name: inputName, datatype: 'FP32', shape: model.inputs[0].shape.map((d) => d ?? -1) }] }));
  app.post<{ Body: { inputs: { shape: number[]; data: number[] }[] } }>('/v2/models/model/infer', async (request) => {
    const [input] = request.body.inputs;
    const output = tf.tidy(() => model.predict(tf.tensor(input.data, input.shape)) as import('@tensorflow/tfjs').Tensor);
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

// ---- reporting -------------------------------------------------------------------------------

export function formatTable(result: ServerBenchResult): string {
  const header = ['server', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'mean ms'];
  const rows = result.points.map((point) => [point.server + (point.failures ? ' (failures!)' : ''), String(point.connections), point.requestsPerSecond.toFixed(0), point.latencyMs.p50.toFixed(0), point.latencyMs.p99.toFixed(0), point.latencyMs.mean.toFixed(2)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const note = `${result.quick ? 'quick run: 1 × ' : `median of ${result.settings.repetitions} × `}${result.settings.durationSeconds} s per point; ${result.environment.cpus} CPUs; baseline tfjs backend: ${result.environment.baselineBackend}`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line), note].join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Command line: `tsx bench/server.ts [--quick] [--onnx P] [--tfjs P] [--out P]`. */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, onnx: { type: 'string' }, tfjs: { type: 'string' }, out: { type: 'string' }, 'baseline-server': { type: 'boolean', default: false } },
  });
  try {
    if (values['baseline-server']) await runBaselineServer(values.tfjs ?? 'artifacts/tfjs/model.json');
    else await benchServer({ quick: values.quick, onnx: values.onnx, tfjs: values.tfjs, out: values.out });
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
