/**
 * What each protocol costs the server, measured apart from the client: server CPU-seconds per
 * 1,000 one-image requests over HTTP JSON, HTTP binary and gRPC. The load comes from h2load
 * (Debian's nghttp2-client), one process of its own per run — HTTP/1.1 with `--h1`, gRPC as
 * HTTP/2 POSTs of a prepared length-prefixed ModelInferRequest — so the client's work is never on
 * the server's books, and the server's CPU time is read from /proc/<pid>/stat (every thread: the
 * event loop, libuv's pool, onnxruntime's) before and after each run. CPU time per request barely
 * moves when other processes load the machine, unlike requests/s.
 *
 * The server runs with `--max-batch 1 --threads 1`: one onnxruntime run per request, and no
 * intra-op thread pool spinning while it waits, so the model's share of each request is the same
 * whatever the protocol and the differences are the protocols'. Protocols take turns within each
 * repetition; gRPC ÷ binary is paired per repetition.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pairedRatio, spread } from '../../../common/stats.ts';
import { loadServiceDefinition } from '../../../server/grpc/service.ts';
import { readCpuSeconds } from '../../memory.ts';
import { PROTOCOLS, type Protocol, type ServerCpuResult, type ServerCpuRun } from './data.ts';
import { binaryRequest, grpcRequest, jsonRequest, readSignature, type ModelSignature } from './requests.ts';
import { round, roundSpread } from './rounding.ts';
import { startServe, type RunningBenchServer } from './servers.ts';

/** The serve flags of this measurement: one run per request, no intra-op thread pool. */
export const CPU_SERVE_FLAGS = ['--max-batch', '1', '--threads', '1'];

export interface ServerCpuOptions {
  /** Requests per run (after a warm-up of a fifth as many). */
  requests: number;
  connections: number;
  repetitions: number;
  log?: (line: string) => void;
}

interface LoadSpec {
  url: string;
  bodyFile: string;
  headers: string[];
  http1: boolean;
  bytes: number;
}

export async function measureServerCpu(onnx: string, options: ServerCpuOptions): Promise<ServerCpuResult> {
  const log = options.log ?? (() => {});
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tfjs-onnx-server-cpu-'));
  const server = await startServe(onnx, CPU_SERVE_FLAGS);
  try {
    const specs = await loadSpecs(server, await readSignature(server.url), scratch);
    for (const protocol of PROTOCOLS) await runLoad(server, specs[protocol], Math.ceil(options.requests / 5), options.connections);
    const runs: Record<Protocol, ServerCpuRun[]> = { json: [], binary: [], grpc: [] };
    for (let repetition = 0; repetition < options.repetitions; repetition++) {
      // A different protocol goes first each time, so none always runs on the warmest (or busiest) machine.
      const order = PROTOCOLS.map((_, index) => PROTOCOLS[(index + repetition) % PROTOCOLS.length]!);
      for (const protocol of order) {
        const run = await runLoad(server, specs[protocol], options.requests, options.connections);
        runs[protocol].push(run);
        log(
          `server cpu ${protocol}: ${((run.serverCpuSeconds / run.requests) * 1000).toFixed(3)} CPU-s per 1,000 requests, ${Math.round(run.requests / run.wallSeconds)} req/s`,
        );
      }
    }
    const perThousand = (run: ServerCpuRun) => (run.serverCpuSeconds / run.requests) * 1000;
    return {
      loadGenerator: await h2loadVersion(),
      serveFlags: CPU_SERVE_FLAGS,
      requests: options.requests,
      connections: options.connections,
      repetitions: options.repetitions,
      protocols: PROTOCOLS.map((protocol) => ({
        protocol,
        requestBytes: specs[protocol].bytes,
        cpuSecondsPer1000: roundSpread(spread(runs[protocol].map(perThousand)), 4),
        requestsPerSecond: roundSpread(spread(runs[protocol].map((run) => run.requests / run.wallSeconds)), 4),
        runs: runs[protocol],
      })),
      grpcOverBinary: roundSpread(pairedRatio(runs.grpc.map(perThousand), runs.binary.map(perThousand)), 4),
      grpcOverJson: roundSpread(pairedRatio(runs.grpc.map(perThousand), runs.json.map(perThousand)), 4),
    };
  } finally {
    await server.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The three requests as h2load sends them: a body file and headers each. */
async function loadSpecs(server: RunningBenchServer, signature: ModelSignature, scratch: string): Promise<Record<Protocol, LoadSpec>> {
  const infer = `${server.url}/v2/models/model/infer`;
  const json = jsonRequest(signature);
  const binary = binaryRequest(signature);
  const grpcFrame = grpcMessageFrame(grpcRequest(signature).message);
  const files = {
    json: path.join(scratch, 'json.body'),
    binary: path.join(scratch, 'binary.body'),
    grpc: path.join(scratch, 'grpc.frame'),
  };
  await writeFile(files.json, json.body);
  await writeFile(files.binary, binary.body);
  await writeFile(files.grpc, grpcFrame);
  const headers = (given: Record<string, string>) => Object.entries(given).map(([name, value]) => `${name}: ${value}`);
  return {
    json: { url: infer, bodyFile: files.json, headers: headers(json.headers), http1: true, bytes: Buffer.byteLength(json.body) },
    binary: { url: infer, bodyFile: files.binary, headers: headers(binary.headers), http1: true, bytes: Buffer.byteLength(binary.body) },
    grpc: {
      url: `http://${server.grpc}/inference.GRPCInferenceService/ModelInfer`,
      bodyFile: files.grpc,
      headers: ['content-type: application/grpc', 'te: trailers'],
      http1: false,
      bytes: grpcFrame.length,
    },
  };
}

/**
 * A ModelInferRequest as gRPC puts it on the wire: a 0 (uncompressed) byte, its length
 * (big-endian), then the protobuf, serialized as a grpc-js client built from the .proto would.
 */
function grpcMessageFrame(message: object): Buffer {
  const encoded = loadServiceDefinition().ModelInfer!.requestSerialize(message);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(encoded.length, 1);
  return Buffer.concat([prefix, encoded]);
}

/**
 * One h2load run: `requests` requests over `connections` connections, one at a time each; the
 * server's CPU time around it. h2load cannot see gRPC's status (it is in the trailers), so the
 * server's own count of successful inferences must have grown by exactly `requests`.
 */
async function runLoad(server: RunningBenchServer, spec: LoadSpec, requests: number, connections: number): Promise<ServerCpuRun> {
  const succeededBefore = await successCount(server);
  const cpuBefore = readCpuSeconds(server.pid);
  const started = performance.now();
  const args = [
    ...(spec.http1 ? ['--h1'] : []),
    '-n',
    String(requests),
    '-c',
    String(connections),
    '-m',
    '1',
    '-d',
    spec.bodyFile,
    ...spec.headers.flatMap((header) => ['-H', header]),
    spec.url,
  ];
  const { stdout } = await promisify(execFile)('h2load', args, { maxBuffer: 16 * 1024 * 1024 });
  const wallSeconds = (performance.now() - started) / 1000;
  const serverCpuSeconds = readCpuSeconds(server.pid) - cpuBefore;
  const succeeded = (await successCount(server)) - succeededBefore;
  const done = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(stdout);
  if (!done || Number(done[1]) !== requests || succeeded !== requests) {
    throw new Error(
      `h2load ${args.join(' ')}: ${done?.[1] ?? '?'} of ${requests} requests succeeded at the HTTP level, ${succeeded} inferences at the server:\n${stdout.slice(-2000)}`,
    );
  }
  return { requests, serverCpuSeconds: round(serverCpuSeconds, 3), wallSeconds: round(wallSeconds, 3) };
}

/** The server's nv_inference_request_success for the model. */
async function successCount(server: RunningBenchServer): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const line = metrics.split('\n').find((candidate) => candidate.startsWith('nv_inference_request_success{'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function h2loadVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)('h2load', ['--version']);
  return stdout.trim().split('\n')[0] ?? 'h2load';
}
