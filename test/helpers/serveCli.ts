/**
 * `tfjs-onnx serve` as a user starts it: the real binary in its own process, resolved once it
 * prints its listening lines and its models' routes. Every server started here is killed by
 * `killServeClis` (call it after each test), so a failed assertion leaves no server listening.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli.ts';

export interface StartedServe {
  child: ChildProcess;
  url: string;
  /** The gRPC address, when the server listens for gRPC. */
  grpcAddress?: string;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)\n(?:listening on grpc (127\.0\.0\.1:\d+)\n)?[\s\S]*\/infer\n/;
const running = new Set<ChildProcess>();

export function startServeCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<StartedServe> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/tfjs-onnx.js'), 'serve', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  running.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`serve did not start in time:\n${output}`)), options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The startup lines end with the models' infer routes; wait for the whole block.
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timeout);
        resolve({ child, url: match[1]!, grpcAddress: match[2], output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timeout);
      reject(Object.assign(new Error(`serve exited with ${code} before listening:\n${output}`), { output }));
    });
  });
}

/** Kills every server startServeCli started that has not exited. */
export function killServeClis(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}
