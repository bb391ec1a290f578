/**
 * The runtime's classifier against a bare onnxruntime session, on its own
 * (sections/inference/classifierSpeed.ts; the inference section of `npm run bench` takes its
 * runtime images/s from the same measurement):
 *
 *   npx tsx bench/classifierSpeed.ts [model.onnx] [--reps 15] [--threads N] [--wasm-threads N] [--out bench/results/classifier-speed.json]
 *
 * The model defaults to the pipeline's (artifacts/model.onnx). Runs the built runtime package
 * (`npm ci` builds it). Writes the JSON (atomically) and prints the table.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidInputError, describeError } from '../common/errors.ts';
import { writeJsonAtomic } from '../common/files.ts';
import { PROJECT_ROOT } from '../common/project.ts';
import { parseNumberFlag } from '../pipeline/flags.ts';
import { renderText, type Table } from './report/table.ts';
import { BLOCK_MS, measureClassifier, type ClassifierSpeedResult } from './sections/inference/classifierSpeed.ts';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      reps: { type: 'string' },
      threads: { type: 'string' },
      'wasm-threads': { type: 'string' },
      out: { type: 'string', default: 'bench/results/classifier-speed.json' },
    },
  });
  const given = positionals[0] ?? 'artifacts/model.onnx';
  const model = path.resolve(given);
  if (!existsSync(model))
    throw new InvalidInputError(`${given} does not exist; train and export first (npm run pipeline), or name a model`);
  const whole = (name: string, value: string | undefined, max: number) =>
    value === undefined ? undefined : parseNumberFlag(name, value, { min: 1, max }, true);
  const result = await measureClassifier(model, {
    repetitions: whole('reps', values.reps, 1_000),
    intraOpThreads: whole('threads', values.threads, 256),
    numThreads: whole('wasm-threads', values['wasm-threads'], 256),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  result.model = given;
  await writeJsonAtomic(path.resolve(PROJECT_ROOT, values.out), result);
  process.stdout.write(`${renderText([speedTable(result)])}\n\nwritten to ${values.out}\n`);
  return 0;
}

function speedTable(result: ClassifierSpeedResult): Table {
  return {
    title: `Classifier API against bare onnxruntime (${result.model})`,
    header: [
      'device',
      'runtime',
      'batch',
      'api img/s',
      'bare img/s',
      'api ms',
      'bare ms',
      'classify ms',
      'predictBatch %',
      'predictBatch µs',
      'run %',
      'run µs',
    ],
    rows: result.rows.map((r) => [
      r.device,
      r.runtime,
      String(r.batch),
      r.apiImagesPerSecond.toFixed(0),
      r.rawImagesPerSecond.toFixed(0),
      r.apiMs.toFixed(3),
      r.rawMs.toFixed(3),
      r.classifyMs.toFixed(3),
      r.overheadPercent.toFixed(1),
      r.overheadMicroseconds.toFixed(1),
      r.runOverheadPercent.toFixed(1),
      r.runOverheadMicroseconds.toFixed(1),
    ]),
    notes: [
      `Medians of ${result.repetitions} timed blocks of ≥${BLOCK_MS} ms per call kind, the kinds alternating; % and µs: over the bare session.run, paired per round.`,
    ],
  };
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`error: ${describeError(error)}\n`);
  process.exitCode = 1;
}
