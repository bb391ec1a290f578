/**
 * `npm run gpu-check`: every execution provider onnxruntime offers on this machine, and on each one
 * the runtime can drive, the lecture's MLP, the CNN and two real GraphModels: agreement with the
 * CPU, images/s at batch 1, 32 and 256, and the first run's milliseconds (session creation and
 * shader compilation included). A user with a GPU runs it to see the GPU work. This module is the
 * command line; the check is `check.ts` (providers, models, measurement beside it), the tables `tables.ts`.
 *
 *   npm run gpu-check [-- --batches 1,32,256] [--max-call-seconds 5] [--json file]
 *
 * On Linux without any Vulkan driver it points Dawn at SwiftShader's (Debian's chromium ships one),
 * so the WebGPU path still runs and the table says the adapter is software: those rows show that it
 * runs and agrees, not GPU speed. A call slower than --max-call-seconds ends that model's larger
 * batches on that provider (a software adapter takes seconds per CNN batch of 256).
 */
import { parseArgs } from 'node:util';
import { describeError, InvalidOptionError } from '../../common/errors.ts';
import { writeJsonAtomic } from '../../common/files.ts';
import { renderText } from '../report/table.ts';
import { checkGpus } from './check.ts';
import { gpuCheckTables } from './tables.ts';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      batches: { type: 'string', default: '1,32,256' },
      'max-call-seconds': { type: 'string', default: '5' },
      json: { type: 'string' },
    },
  });
  const batches = values.batches.split(',').map(Number);
  if (batches.some((batch) => !Number.isInteger(batch) || batch < 1 || batch > 4096))
    throw new InvalidOptionError(`--batches must be whole numbers from 1 to 4096, got ${values.batches}`);
  const maxCallSeconds = Number(values['max-call-seconds']);
  if (!(maxCallSeconds > 0))
    throw new InvalidOptionError(`--max-call-seconds must be a positive number, got ${values['max-call-seconds']}`);
  const result = await checkGpus({ batches, maxCallSeconds, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${renderText(gpuCheckTables(result, batches))}\n`);
  if (values.json) await writeJsonAtomic(values.json, result);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exitCode = 1;
  });
}
