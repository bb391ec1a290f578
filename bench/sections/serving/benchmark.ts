/**
 * The server benchmark: requests/s and p50/p99 latency of one-image inference over loopback, for
 * each protocol — HTTP JSON, HTTP with the binary tensor data extension, gRPC — on each model given
 * (the MLP and the CNN in `npm run bench`), with dynamic batching and without, at 1, 16 and 64
 * connections, and a tfjs baseline on JSON (throughput.ts). Then, on the first model: per protocol,
 * a fresh server's resident memory after N requests (serverMemory.ts); a soak of mixed good and bad
 * requests (soak.ts); the server's CPU time per request with h2load as the client in its own
 * process (cpu.ts). Runs alone through bench/server.ts, and as the serving section.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../../../common/errors.ts';
import { writeJsonAtomic } from '../../../common/files.ts';
import { PROJECT_ROOT } from '../../../common/project.ts';
import { measureServerCpu } from './cpu.ts';
import {
  PROTOCOLS,
  type BatchingRatio,
  type BenchModel,
  type BenchPoint,
  type MemoryRun,
  type Protocol,
  type ServerBenchResult,
} from './data.ts';
import { SERVING_PLANS, type ServingPlan } from './plans.ts';
import { measureServerMemory } from './serverMemory.ts';
import { runSoak } from './soak.ts';
import { measureBaseline, measureServeThroughput } from './throughput.ts';

export interface ServerBenchOptions {
  models?: BenchModel[];
  /** Short runs, fewer requests, a short soak: a check that everything works, not figures. */
  quick?: boolean;
  /** Where the JSON goes; default bench/results/server.json. */
  out?: string;
  connections?: number[];
  log?: (line: string) => void;
}

export async function benchServer(options: ServerBenchOptions = {}): Promise<ServerBenchResult> {
  const models = options.models ?? [
    { name: 'mlp', onnx: path.resolve('artifacts/model.onnx'), tfjs: path.resolve('artifacts/tfjs/model.json') },
  ];
  for (const model of models) {
    checkExists(model.onnx, `${model.name} ONNX model`);
    if (model.tfjs !== undefined && !existsSync(model.tfjs)) model.tfjs = undefined;
  }
  const plan = options.quick ? SERVING_PLANS.quick : SERVING_PLANS.full;
  const connections = options.connections ?? [1, 16, 64];
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { points, batching, baselineBackend, requestBytes } = await measureThroughputs(models, plan, connections, log);
  const { memory, soak, cpu } = await measureOnFirstModel(models[0]!, plan, log);

  const result: ServerBenchResult = {
    schema: 2,
    generatedAt: new Date().toISOString(),
    quick: Boolean(options.quick),
    environment: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      platform: `${process.platform}-${process.arch}`,
      baselineBackend,
    },
    models: models.map((model) => ({
      name: model.name,
      onnx: path.relative(PROJECT_ROOT, model.onnx),
      ...(model.tfjs ? { tfjs: path.relative(PROJECT_ROOT, model.tfjs) } : {}),
    })),
    settings: {
      durationSeconds: plan.durationSeconds,
      warmupSeconds: plan.warmupSeconds,
      repetitions: plan.repetitions,
      connections,
      requestBytes,
    },
    points,
    batching,
    memory,
    soak,
    cpu,
  };
  await writeJsonAtomic(options.out ?? path.join(PROJECT_ROOT, 'bench/results/server.json'), result);
  return result;
}

/** Each model's throughput per protocol, with batching and without, and the tfjs baseline where there is a tfjs model. */
async function measureThroughputs(models: BenchModel[], plan: ServingPlan, connections: number[], log: (line: string) => void) {
  const points: BenchPoint[] = [];
  const batching: BatchingRatio[] = [];
  let baselineBackend = 'none';
  let requestBytes = {} as Record<Protocol, number>;
  for (const model of models) {
    log(`${model.name}: ${model.onnx}`);
    const served = await measureServeThroughput(model, plan, connections, log);
    points.push(...served.points);
    batching.push(...served.batching);
    requestBytes = served.requestBytes;
    if (model.tfjs) {
      const baseline = await measureBaseline({ name: model.name, tfjs: model.tfjs }, plan, connections, log);
      points.push(...baseline.points);
      baselineBackend = baseline.backend;
    }
  }

  return { points, batching, baselineBackend, requestBytes };
}

/** On one model: a fresh server's memory per protocol, the soak, and the server's CPU time per request. */
async function measureOnFirstModel(memoryModel: BenchModel, plan: ServingPlan, log: (line: string) => void) {
  const memory: MemoryRun[] = [];
  for (const protocol of PROTOCOLS)
    memory.push(await measureServerMemory(memoryModel.onnx, protocol, plan.memoryCheckpoints, plan.memoryConnections, log));
  const soak = await runSoak(memoryModel.onnx, plan.soakSeconds, plan.soakSampleSeconds, log);
  const cpu = await measureServerCpu(memoryModel.onnx, {
    requests: plan.cpuRequests,
    connections: 16,
    repetitions: plan.cpuRepetitions,
    log,
  });
  return { memory, soak, cpu };
}

function checkExists(file: string, what: string): void {
  if (!existsSync(file))
    throw new InvalidInputError(`${what} ${file} does not exist; train and export first (npm run pipeline), or point --onnx at one`);
}
