import type { Argv } from 'yargs';
import { MAX_OPSET, MIN_OPSET } from '../../export/index.ts';
import { PIPELINE_DEFAULTS, STAGES, type StageName } from '../options.ts';
import { runPipeline } from '../run.ts';
import { parseVariantList } from '../variants/options.ts';
import { trainOptionsFrom, withTrainOptions } from './train.ts';

export function withParityThresholds<T>(yargs: Argv<T>) {
  return yargs
    .option('min-agreement', { type: 'number', default: PIPELINE_DEFAULTS.thresholds.minTop1Agreement, describe: 'Smallest top-1 agreement (0–1) every pair must reach' })
    .option('max-abs-diff', { type: 'number', default: PIPELINE_DEFAULTS.thresholds.maxAbsDiff, describe: 'Largest |Δp| allowed between any two paths on any sample' });
}

function builder(yargs: Argv) {
  return withParityThresholds(withTrainOptions(yargs))
    .option('opset', { type: 'number', default: PIPELINE_DEFAULTS.opset, describe: `ONNX opset of the exported model (${MIN_OPSET}–${MAX_OPSET})` })
    .option('variants', {
      type: 'string',
      default: PIPELINE_DEFAULTS.variants.join(','),
      describe: 'Reduced-precision variants written beside model.onnx (model_fp16.onnx, model_quantized.onnx) and checked: fp16, q8, comma-separated, or none',
    })
    .option('from', { type: 'string', choices: STAGES, default: PIPELINE_DEFAULTS.from, describe: 'First stage to run (earlier stages\' artifacts must exist)' })
    .option('to', { type: 'string', choices: STAGES, default: PIPELINE_DEFAULTS.to, describe: 'Last stage to run' })
    .option('force', { type: 'boolean', default: false, describe: 'Run every selected stage even when its inputs are unchanged' })
    .epilog(`Stages: ${STAGES.join(' → ')}. Outputs go to --out (default artifacts/).`);
}

export const pipelineCommand = {
  command: 'pipeline',
  describe: 'Train, convert, verify, check parity, package and report, with defaults that need no flags',
  builder,
  handler: async (argv: Awaited<ReturnType<typeof builder>['argv']>) => {
    await runPipeline({
      ...trainOptionsFrom(argv),
      opset: argv.opset,
      variants: parseVariantList(argv.variants),
      thresholds: { minTop1Agreement: argv['min-agreement'], maxAbsDiff: argv['max-abs-diff'] },
      from: argv.from as StageName,
      to: argv.to as StageName,
      force: argv.force,
    });
  },
};
