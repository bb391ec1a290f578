import { DEVICES, GPU_DEVICES, type ResolvedDevice } from '@tfjs-onnx/runtime/constants';
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../common/errors.ts';
import { writeJsonAtomic } from '../../common/files.ts';
import { readTfjsModelFiles } from '../../common/tfjsModelFiles.ts';
import { integerFlag, type CliCommand } from '../flags.ts';
import type { ParityReport } from '../report/index.ts';
import { RANDOM_PARITY_LIMITS } from '../options.ts';
import { withParityThresholds } from './pipeline.ts';

function builder(yargs: Argv) {
  return withParityThresholds(yargs)
    .option('tfjs', { type: 'string', demandOption: true, describe: 'The tfjs model.json' })
    .option('onnx', { type: 'string', demandOption: true, describe: 'The ONNX model' })
    .option('dataset', { type: 'string', default: 'mnist', describe: 'Dataset whose test split is predicted' })
    .option('data-dir', { type: 'string', describe: 'Folder of MNIST-style IDX files (overrides --dataset)' })
    .option('tfjs-backend', {
      type: 'string',
      describe: "tfjs's backend for the reference predictions (tensorflow, wasm or cpu; default: the fastest that loads)",
    })
    .option('device', {
      type: 'string',
      default: 'cpu,wasm',
      describe:
        'Devices to run the ONNX model on, comma-separated; every pair (and each with tfjs) is compared: cpu (onnxruntime-node), wasm (onnxruntime-web), webgpu, cuda, dml, coreml. cpu,webgpu and wasm,webgpu check WebGPU',
    })
    .option('json', { type: 'string', describe: 'Also write the full report (with disagreeing indices) to this file' })
    .option(
      ...integerFlag('random', {
        ...RANDOM_PARITY_LIMITS.samples,
        describe:
          "Compare on N seeded random inputs of the model's declared shapes instead of a test set (any model, Layers or GraphModel; outputs scaled by max(1, max |tfjs|))",
      }),
    )
    .option(...integerFlag('seed', { ...RANDOM_PARITY_LIMITS.seed, default: 1, describe: 'Seed of the --random inputs' }));
}

async function isGraphModel(modelJsonPath: string): Promise<boolean> {
  const { modelJson } = await readTfjsModelFiles(modelJsonPath);
  return modelJson.format === 'graph-model';
}

export const parityCommand: CliCommand = {
  command: 'parity',
  describe:
    'Check that a tfjs model (Layers or GraphModel) and its ONNX model on each --device (default cpu and wasm) predict the same, on a test set or on --random N inputs',
  builder,
  handler: async (argv: Awaited<ReturnType<typeof builder>['argv']>) => {
    if (!argv.tfjs.endsWith('.json')) throw new InvalidOptionError(`--tfjs must be a tfjs model.json, got ${argv.tfjs}`);
    const thresholds = { minTop1Agreement: argv['min-agreement'], maxAbsDiff: argv['max-abs-diff'] };
    const devices = parseDevices(argv.device);
    const { ParityError, checkParity, describeParityFailure } = await import('../parity.ts');
    let report: ParityReport;
    if (argv.random !== undefined) {
      const { checkModelPair } = await import('../randomParity.ts');
      ({ report } = await checkModelPair({
        tfjsModelPath: argv.tfjs,
        onnxPath: argv.onnx,
        samples: argv.random,
        seed: argv.seed,
        tfjsBackend: argv['tfjs-backend'],
        devices,
        thresholds,
      }));
    } else {
      if (await isGraphModel(argv.tfjs))
        throw new InvalidOptionError(
          `${argv.tfjs} is a GraphModel; its inputs are not test-set images, so compare on random inputs with --random N`,
        );
      const { loadDataset } = await import('../../training/data/datasets.ts');
      const dataset = await loadDataset({ dataset: argv.dataset, dataDir: argv['data-dir'] });
      ({ report } = await checkParity({
        tfjsModelPath: argv.tfjs,
        onnxPath: argv.onnx,
        dataset,
        tfjsBackend: argv['tfjs-backend'],
        devices,
        thresholds,
      }));
    }
    for (const pair of report.pairs) {
      console.log(
        `${pair.passed ? 'ok  ' : 'FAIL'} ${pair.a} vs ${pair.b}: top-1 agreement ${(pair.top1Agreement * 100).toFixed(2)}% of ${pair.samples}, max |Δp| ${pair.maxAbsDiff.toExponential(2)}, mean |Δp| ${pair.meanAbsDiff.toExponential(2)}, ${pair.disagreements.length} disagreements`,
      );
    }
    if (report.wholeOutputs?.length)
      console.log(
        `outputs with data-dependent shapes, compared by shape and then values (not per sample): ${report.wholeOutputs.join(', ')}`,
      );
    if (argv.json) await writeJsonAtomic(argv.json, report);
    if (!report.passed) throw new ParityError(`parity failed: ${describeParityFailure(report)}`);
  },
};

/** "cpu,webgpu" → ['cpu', 'webgpu']: devices a model runs on (not 'gpu' or 'auto', which choose one). */
export function parseDevices(text: string): ResolvedDevice[] {
  const devices = text
    .split(',')
    .map((device) => device.trim())
    .filter((device) => device !== '');
  const runnable = DEVICES.filter((device) => device !== 'gpu' && device !== 'auto') as ResolvedDevice[];
  const unknown = devices.filter((device) => !runnable.includes(device as ResolvedDevice));
  if (unknown.length > 0) {
    const hint = unknown.some((device) => device === 'gpu' || device === 'auto')
      ? ` (parity compares named devices; name the GPU one: ${GPU_DEVICES.join(', ')})`
      : '';
    throw new InvalidOptionError(`--device must list devices among ${runnable.join(', ')}, got '${unknown.join("', '")}'${hint}`);
  }
  if (devices.length === 0) throw new InvalidOptionError('--device must name at least one device, e.g. cpu,webgpu');
  if (new Set(devices).size !== devices.length) throw new InvalidOptionError(`--device names a device twice: ${text}`);
  return devices as ResolvedDevice[];
}
