import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../common/errors.ts';
import { writeJsonAtomic } from '../../common/files.ts';
import type { CliCommand } from '../flags.ts';
import { withParityThresholds } from './pipeline.ts';

function builder(yargs: Argv) {
  return withParityThresholds(yargs)
    .option('tfjs', { type: 'string', demandOption: true, describe: 'The tfjs model.json' })
    .option('onnx', { type: 'string', demandOption: true, describe: 'The ONNX model' })
    .option('dataset', { type: 'string', default: 'mnist', describe: 'Dataset whose test split is predicted' })
    .option('data-dir', { type: 'string', describe: 'Folder of MNIST-style IDX files (overrides --dataset)' })
    .option('backend', { type: 'string', describe: 'tfjs backend for the reference predictions' })
    .option('json', { type: 'string', describe: 'Also write the full report (with disagreeing indices) to this file' });
}

export const parityCommand: CliCommand = {
  command: 'parity',
  describe: 'Check that a tfjs model, onnxruntime-node and onnxruntime-web predict the same on a test set',
  builder,
  handler: async (argv: Awaited<ReturnType<typeof builder>['argv']>) => {
    if (!argv.tfjs.endsWith('.json')) throw new InvalidOptionError(`--tfjs must be a tfjs model.json, got ${argv.tfjs}`);
    const [{ loadDataset }, { ParityError, checkParity, describeParityFailure }] = await Promise.all([import('../../training/data/datasets.ts'), import('../parity.ts')]);
    const dataset = await loadDataset({ dataset: argv.dataset, dataDir: argv['data-dir'] });
    const { report } = await checkParity({
      tfjsModelPath: argv.tfjs,
      onnxPath: argv.onnx,
      dataset,
      tfjsBackend: argv.backend,
      thresholds: { minTop1Agreement: argv['min-agreement'], maxAbsDiff: argv['max-abs-diff'] },
    });
    for (const pair of report.pairs) {
      console.log(
        `${pair.passed ? 'ok  ' : 'FAIL'} ${pair.a} vs ${pair.b}: top-1 agreement ${(pair.top1Agreement * 100).toFixed(2)}% of ${pair.samples}, max |Δp| ${pair.maxAbsDiff.toExponential(2)}, mean |Δp| ${pair.meanAbsDiff.toExponential(2)}, ${pair.disagreements.length} disagreements`,
      );
    }
    if (argv.json) await writeJsonAtomic(argv.json, report);
    if (!report.passed) throw new ParityError(`parity failed: ${describeParityFailure(report)}`);
  },
};
