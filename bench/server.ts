/**
 * The server benchmark on its own (sections/serving/benchmark.ts; `npm run bench` runs the same as
 * its serving section): throughput per protocol with batching on and off and the tfjs baseline,
 * memory per protocol, the soak and the server's CPU per request.
 *
 *   npx tsx bench/server.ts [--quick] [--onnx artifacts/model.onnx] [--tfjs artifacts/tfjs/model.json] [--cnn-onnx P --cnn-tfjs P] [--out P]
 *
 * Results go to bench/results/server.json (written atomically) and tables on stdout.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../common/errors.ts';
import { renderText } from './report/table.ts';
import { benchServer } from './sections/serving/benchmark.ts';
import type { BenchModel } from './sections/serving/data.ts';
import { servingTablesFor } from './sections/serving/tables.ts';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      onnx: { type: 'string' },
      tfjs: { type: 'string' },
      'cnn-onnx': { type: 'string' },
      'cnn-tfjs': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const models: BenchModel[] = [
    {
      name: 'mlp',
      onnx: path.resolve(values.onnx ?? 'artifacts/model.onnx'),
      tfjs: path.resolve(values.tfjs ?? 'artifacts/tfjs/model.json'),
    },
  ];
  if (values['cnn-onnx'])
    models.push({ name: 'cnn', onnx: path.resolve(values['cnn-onnx']), tfjs: values['cnn-tfjs'] && path.resolve(values['cnn-tfjs']) });
  const result = await benchServer({ quick: values.quick, models, out: values.out });
  process.stdout.write(`\n${renderText(servingTablesFor(result))}\n`);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`error: ${describeError(error)}\n`);
  process.exitCode = 1;
}
