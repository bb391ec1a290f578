/**
 * Server CPU per request for each protocol (sections/serving/cpu.ts), on its own:
 *
 *   npx tsx bench/serverCpu.ts [--onnx artifacts/model.onnx] [--requests 10000] [--connections 16] [--repetitions 5] [--out bench/results/server-cpu.json]
 *
 * Builds nothing: the server is the compiled `tfjs-onnx serve` (npm run build). Writes the JSON
 * (atomically) with the machine and its load, and prints the table. `npm run bench` measures the
 * same in its serving section.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidInputError, describeError } from '../common/errors.ts';
import { writeJsonAtomic } from '../common/files.ts';
import { PROJECT_ROOT } from '../common/project.ts';
import { parseNumberFlag } from '../pipeline/flags.ts';
import { describeMachine, type MachineDescription } from './machine.ts';
import { renderText } from './report/table.ts';
import { measureServerCpu } from './sections/serving/cpu.ts';
import type { ServerCpuResult } from './sections/serving/data.ts';
import { serverCpuTable } from './sections/serving/tables.ts';

export interface ServerCpuReport {
  schema: 1;
  generatedAt: string;
  machine: MachineDescription;
  /** The model, relative to the repository (or its file name when outside it). */
  model: string;
  cpu: ServerCpuResult;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      onnx: { type: 'string', default: 'artifacts/model.onnx' },
      requests: { type: 'string', default: '10000' },
      connections: { type: 'string', default: '16' },
      repetitions: { type: 'string', default: '5' },
      out: { type: 'string', default: 'bench/results/server-cpu.json' },
    },
  });
  const onnx = path.resolve(values.onnx);
  if (!existsSync(onnx))
    throw new InvalidInputError(`${values.onnx} does not exist; train and export first (npm run pipeline), or point --onnx at one`);
  const count = (name: 'requests' | 'connections' | 'repetitions', max: number) =>
    parseNumberFlag(name, values[name], { min: 1, max }, true);
  // Read first: the load average before this run adds to it.
  const machine = describeMachine();
  const cpu = await measureServerCpu(onnx, {
    requests: count('requests', 10_000_000),
    connections: count('connections', 1_000),
    repetitions: count('repetitions', 100),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  // Recorded relative to the repository, or by file name when it lies elsewhere: no absolute paths in results.
  const model = onnx.startsWith(PROJECT_ROOT + path.sep) ? path.relative(PROJECT_ROOT, onnx) : path.basename(onnx);
  const report: ServerCpuReport = { schema: 1, generatedAt: new Date().toISOString(), machine, model, cpu };
  await writeJsonAtomic(path.resolve(PROJECT_ROOT, values.out), report);
  process.stdout.write(
    `${renderText([serverCpuTable(cpu, `${report.model} on ${machine.cpu.model}, ${machine.cpu.logicalCpus} logical CPUs, load average ${machine.loadAverageAtStart.join(' / ')} at start`)])}\n`,
  );
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`error: ${describeError(error)}\n`);
  process.exitCode = 1;
}
