/**
 * A PyTorch process running the lecture's MLP recipe (bench/pytorch/mnist_mlp.py) on request, so
 * the training section can alternate its epochs with ours in one process tree. PyTorch is not a
 * dependency of the project: Debian's python3-torch is used where it is installed.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../pytorch/mnist_mlp.py', import.meta.url));
/** Debian's interpreter first: a python3 earlier on PATH (pyenv, a venv) usually lacks torch. */
const PYTHONS = ['/usr/bin/python3', 'python3'];

export interface PyTorchEpoch {
  seconds: number;
  loss: number;
  accuracy: number;
  test_loss: number;
  test_accuracy: number;
}

export class PyTorchRunner {
  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    readonly torchVersion: string,
    readonly threads: number,
  ) {}

  /** Starts the PyTorch process, or says why it cannot run here. */
  static async start(idxFiles: string[]): Promise<PyTorchRunner | { unavailable: string }> {
    const python = PYTHONS.find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
    if (!python)
      return { unavailable: 'PyTorch is not installed (no python3 here can import torch; on Debian: apt-get install python3-torch)' };
    const child = spawn(python, [SCRIPT, ...idxFiles], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ready = JSON.parse((await lines.next()).value ?? '{}') as { ready?: boolean; torch?: string; threads?: number };
    if (!ready.ready) {
      child.kill();
      return { unavailable: `${path.basename(SCRIPT)} did not start` };
    }
    return new PyTorchRunner(child, lines, ready.torch ?? 'unknown', ready.threads ?? 0);
  }

  async warmup(steps: number): Promise<void> {
    await this.request(`warmup ${steps}`);
  }

  /** One epoch from a fresh model, with the test evaluation, timed inside the Python process. */
  async epoch(): Promise<PyTorchEpoch> {
    return (await this.request('epoch')) as PyTorchEpoch;
  }

  stop(): void {
    this.child.stdin.end();
    this.child.kill();
  }

  private async request(command: string): Promise<unknown> {
    this.child.stdin.write(`${command}\n`);
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`the PyTorch process ended while running "${command}"`);
    return JSON.parse(value);
  }
}
