/**
 * The servers the benchmark measures, each in its own process so the load generator does not share
 * its event loop: `tfjs-onnx serve` (HTTP and gRPC on free ports) with the flags of a variant, and
 * the tfjs baseline (a Fastify route calling tfjs predict per request, what a user would write
 * without this project).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { UserError } from '../../../common/errors.ts';
import { PROJECT_ROOT } from '../../../common/project.ts';

const CLI = path.join(PROJECT_ROOT, 'bin/tfjs-onnx.js');
const BASELINE_SERVER = path.join(import.meta.dirname, 'baseline.ts');

export interface RunningBenchServer {
  url: string;
  /** host:port of its gRPC endpoint (not for the baseline). */
  grpc?: string;
  pid: number;
  backend?: string;
  stop(): Promise<void>;
}

/** `tfjs-onnx serve` on `onnx` as model "model", with `flags` (e.g. --max-batch 1). */
export function startServe(onnx: string, flags: string[]): Promise<RunningBenchServer> {
  const child = spawn(process.execPath, [CLI, 'serve', onnx, '--name', 'model', '--port', '0', '--grpc-port', '0', ...flags], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return waitForListening(child, `tfjs-onnx serve ${flags.join(' ')}`.trim());
}

/** The tfjs baseline server (baseline.ts) on the tfjs Layers model `tfjs`. */
export function startBaseline(tfjs: string): Promise<RunningBenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', BASELINE_SERVER, '--tfjs', tfjs], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return waitForListening(child, 'tfjs baseline');
}

function waitForListening(child: ChildProcess, what: string): Promise<RunningBenchServer> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new UserError(`${what} did not start within 120 s:\n${output}`)), 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const grpc = /listening on grpc (\S+)/.exec(output)?.[1];
      // serve prints the gRPC address right after the HTTP one; the baseline has none.
      if (!url || (!grpc && !/baseline/.test(output))) return;
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      resolve({ url, grpc, pid: child.pid!, backend: /backend (\w+)/.exec(output)?.[1], stop: () => stopChild(child) });
    };
    const onExit = (code: number | null) => fail(new UserError(`${what} exited with ${code} before listening:\n${output}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
