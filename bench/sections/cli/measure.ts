/**
 * CLI start-up: wall-clock milliseconds from spawning `node bin/tfjs-onnx.js <args>` to its exit,
 * for `--help`, every command's `--help` and `--version` (the goal: under 300 ms each), with a bare
 * `node -e ""` beside them for what Node itself costs. The targets run round-robin, one spawn at
 * a time, so every repetition of every target sees the same load; `× node` is paired per round.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../common/project.ts';
import { commands } from '../../../pipeline/cli.ts';
import { pairedRatio, spread, type Spread } from '../../../common/stats.ts';
import type { SectionContext } from '../definition.ts';

export interface CliRow {
  /** e.g. "tfjs-onnx convert --help". */
  command: string;
  /** Spawn to exit, wall clock. */
  ms: Spread;
  /** ms ÷ a bare `node -e ""` spawned in the same round. */
  overNode: Spread;
  /** The median is under the goal (300 ms). */
  underGoal: boolean;
}

export interface CliData {
  goalMs: number;
  /** A bare `node -e ""`: what Node's own start costs on this machine. */
  nodeMs: Spread;
  rows: CliRow[];
}

const BIN = path.join(PROJECT_ROOT, 'bin', 'tfjs-onnx.js');
export const CLI_GOAL_MS = 300;

export async function measureCli(context: SectionContext): Promise<CliData> {
  const { repetitions, warmup } = context.settings.cli;
  const targets = [['--help'], ...commands.map((command) => [command.command.split(' ')[0]!, '--help']), ['--version']];
  const bare = () => timeSpawn(['-e', '']);
  const times = new Map<string, number[]>(targets.map((args) => [args.join(' '), []]));
  const node: number[] = [];
  for (let round = -warmup; round < repetitions; round++) {
    const nodeMs = bare();
    const roundTimes = targets.map((args) => timeSpawn([BIN, ...args]));
    if (round < 0) continue;
    node.push(nodeMs);
    targets.forEach((args, i) => {
      times.get(args.join(' '))!.push(roundTimes[i]!);
    });
  }
  const rows: CliRow[] = targets.map((args) => {
    const ms = times.get(args.join(' '))!;
    return {
      command: `tfjs-onnx ${args.join(' ')}`,
      ms: spread(ms),
      overNode: pairedRatio(ms, node),
      underGoal: spread(ms).median < CLI_GOAL_MS,
    };
  });
  const slowest = Math.max(...rows.map((row) => row.ms.median));
  process.stderr.write(`cli: slowest --help ${slowest.toFixed(0)} ms (median), bare node ${spread(node).median.toFixed(0)} ms\n`);
  return { goalMs: CLI_GOAL_MS, nodeMs: spread(node), rows };
}

/** Milliseconds from spawn to exit of `node <args>`, which must succeed. */
function timeSpawn(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}: ${run.stderr}`);
  return ms;
}
