/**
 * Serving: the server engineer's benchmark (bench/server.ts: batching on, off, 0 ms, and the tfjs
 * baseline at 1, 16 and 64 connections) on the trained MLP, then the server's resident memory
 * after a first and a tenfold number of requests, which must not grow.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetFiles } from '../../training/data/datasets.ts';
import { readIdxFile } from '../../training/data/idx.ts';
import { PIXEL_SCALE } from '../../training/train.ts';
import { readStatusMB } from '../memory.ts';
import { recordedPath } from '../paths.ts';
import type { SectionContext, ServerMemoryCheckpoint, ServingData } from '../results.ts';
import { benchServer } from '../server.ts';
import type { BenchSettings } from '../settings.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(REPO_ROOT, 'bin/tfjs-onnx.js');
/** The server whose memory is watched: `tfjs-onnx serve` with its default (batching) settings. */
const MEMORY_SERVER = 'tfjs-onnx serve (default settings: dynamic batching)';
/** datasetFiles() lists train images, train labels, test images, test labels. */
const TEST_IMAGES_FILE = 2;

export async function measureServing(context: SectionContext): Promise<ServingData> {
  const { models, settings, workDirectory } = context;
  if (!models) throw new Error('the serving section needs the prepared models');
  const benchmark = await benchServer({
    quick: settings.serving.quick,
    onnx: models.mlp.onnx,
    tfjs: models.mlp.tfjs,
    // The server engineer's own results file stays theirs; this run's figures go into latest.json.
    out: path.join(workDirectory, 'server.json'),
    log: (line) => process.stderr.write(`serving: ${line}\n`),
  });
  const memory = await measureServerMemory(models.mlp.onnx, settings.serving);
  // The results name the model files as latest.json records paths, here and in the embedded server benchmark.
  const model = { onnx: recordedPath(models.mlp.onnx, workDirectory), tfjs: recordedPath(models.mlp.tfjs, workDirectory) };
  return { model, benchmark: { ...benchmark, model }, memory };
}

async function measureServerMemory(onnx: string, settings: BenchSettings['serving']): Promise<ServingData['memory']> {
  const server = await startServe(onnx);
  try {
    const body = await singleDigitRequest(server.url);
    const checkpoints: ServerMemoryCheckpoint[] = [];
    let sent = 0;
    for (const requests of settings.memoryCheckpoints) {
      await sendRequests(server.url, body, requests - sent, settings.memoryConnections);
      sent = requests;
      const rssMB = readStatusMB(server.pid, 'VmRSS');
      checkpoints.push({ requests, rssMB });
      process.stderr.write(`serving: server RSS after ${requests} requests: ${rssMB.toFixed(1)} MB\n`);
    }
    const first = checkpoints[0]!.rssMB;
    const last = checkpoints[checkpoints.length - 1]!.rssMB;
    return {
      server: MEMORY_SERVER,
      connections: settings.memoryConnections,
      checkpoints,
      growthMB: round(last - first),
      growthPercent: round(((last - first) / first) * 100),
      peakRssMB: readStatusMB(server.pid, 'VmHWM'),
    };
  } finally {
    await server.stop();
  }
}

interface ServeProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function startServe(onnx: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', onnx, '--name', 'model', '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/[^\s]+)/.exec(output)?.[1];
      if (!url) return;
      child.off('exit', onExit);
      resolve({ url, pid: child.pid!, stop: () => stopChild(child) });
    };
    const onExit = (code: number | null) => reject(new Error(`tfjs-onnx serve exited with ${code} before listening:\n${output}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The first MNIST test digit as one Open Inference Protocol request, with the input name and shape the server reports. */
async function singleDigitRequest(url: string): Promise<string> {
  const metadata = (await (await fetch(`${url}/v2/models/model`)).json()) as { inputs: { name: string; shape: number[] }[] };
  const input = metadata.inputs[0]!;
  const shape = [1, ...input.shape.slice(1)];
  const count = shape.reduce((a, b) => a * b, 1);
  // Only the test images file: this process is the load generator and should stay small.
  const testImages = await readIdxFile(datasetFiles({})[TEST_IMAGES_FILE]!);
  const data = Array.from(testImages.data.subarray(0, count), (pixel) => pixel * PIXEL_SCALE);
  return JSON.stringify({ inputs: [{ name: input.name, shape, datatype: 'FP32', data }] });
}

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
}
/** autocannon ships no type declarations; this is the one call shape used here. */
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

/** Exactly `amount` requests over `connections` connections; any failed request voids the memory figure. */
async function sendRequests(url: string, body: string, amount: number, connections: number): Promise<void> {
  const result = await autocannon({
    url: `${url}/v2/models/model/infer`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    amount,
    timeout: 30,
  });
  const failures = result.errors + result.timeouts + result.non2xx;
  if (failures > 0) throw new Error(`${failures} of ${amount} requests to the server failed while measuring its memory`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
