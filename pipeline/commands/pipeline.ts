import { VARIANT_FILES } from '@tfjs-onnx/runtime/constants';
import type { Argv } from 'yargs';
import { MAX_OPSET, MIN_OPSET } from '../../export/options.ts';
import { integerFlag, numberFlag, type CliCommand } from '../flags.ts';
import { PIPELINE_DEFAULTS, STAGES, THRESHOLD_LIMITS, type StageName } from '../options.ts';
import { parseVariantList } from '../variants/options.ts';
import { trainOptionsFrom, withTrainOptions } from './train.ts';

export function withParityThresholds<T>(yargs: Argv<T>) {
  return yargs
    .option(
      ...numberFlag('min-agreement', {
        ...THRESHOLD_LIMITS.minTop1Agreement,
        default: PIPELINE_DEFAULTS.thresholds.minTop1Agreement,
        describe: 'Smallest top-1 agreement every pair must reach',
      }),
    )
    .option(
      ...numberFlag('max-abs-diff', {
        ...THRESHOLD_LIMITS.maxAbsDiff,
        default: PIPELINE_DEFAULTS.thresholds.maxAbsDiff,
        describe: 'Largest |Δp| allowed between any two paths on any sample',
      }),
    );
}

function builder(yargs: Argv) {
  return withParityThresholds(withTrainOptions(yargs))
    .option(
      ...integerFlag('opset', {
        min: MIN_OPSET,
        max: MAX_OPSET,
        default: PIPELINE_DEFAULTS.opset,
        describe: 'ONNX opset of the exported model',
      }),
    )
    .option('variants', {
      type: 'string',
      default: PIPELINE_DEFAULTS.variants.join(','),
      describe: `Reduced-precision variants written beside ${VARIANT_FILES.fp32} (${VARIANT_FILES.fp16}, ${VARIANT_FILES.q8}) and checked: fp16, q8, comma-separated, or none`,
    })
    .option('from', {
      type: 'string',
      choices: STAGES,
      default: PIPELINE_DEFAULTS.from,
      describe: "First stage to run (earlier stages' artifacts must exist)",
    })
    .option('to', { type: 'string', choices: STAGES, default: PIPELINE_DEFAULTS.to, describe: 'Last stage to run' })
    .option('force', { type: 'boolean', default: false, describe: 'Run every selected stage even when its inputs are unchanged' })
    .epilog(`Stages: ${STAGES.join(' → ')}. Outputs go to --out (default artifacts/).`);
}

export const pipelineCommand: CliCommand = {
  command: 'pipeline',
  describe: 'Train, convert, verify, check parity, package and report, with defaults that need no flags',
  builder,
  handler: async (argv: Awaited<ReturnType<typeof builder>['argv']>) => {
    const { runPipeline } = await import('../run.ts');
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
