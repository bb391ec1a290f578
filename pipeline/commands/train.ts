import type { Argv } from 'yargs';
// datasets.ts needs only node: built-ins, so --help may load it.
import { KNOWN_DATASETS } from '../../training/data/datasets.ts';
import { BACKENDS, MODEL_NAMES, TRAIN_DEFAULTS, TRAIN_LIMITS, type TrainOptions } from '../../training/options.ts';
import { integerFlag, numberFlag, type CliCommand } from '../flags.ts';

/** The training flags, shared by `train` and `pipeline`. */
export function withTrainOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('model', { type: 'string', default: TRAIN_DEFAULTS.model, describe: `Architecture: ${MODEL_NAMES.join(', ')}` })
    .option('dataset', {
      type: 'string',
      default: TRAIN_DEFAULTS.dataset,
      describe: `Dataset by name: ${Object.keys(KNOWN_DATASETS).join(', ')}`,
    })
    .option('data-dir', { type: 'string', describe: 'Folder with the four MNIST-style IDX files (.gz accepted); overrides --dataset' })
    .option('backend', { type: 'string', describe: `tfjs backend: ${BACKENDS.join(', ')} (default: the fastest that loads)` })
    .option(...integerFlag('epochs', { ...TRAIN_LIMITS.epochs, default: TRAIN_DEFAULTS.epochs, describe: 'Passes over the training data' }))
    .option(
      ...integerFlag('batch-size', { ...TRAIN_LIMITS.batchSize, default: TRAIN_DEFAULTS.batchSize, describe: 'Images per training step' }),
    )
    .option(
      ...numberFlag('learning-rate', {
        ...TRAIN_LIMITS.learningRate,
        default: TRAIN_DEFAULTS.learningRate,
        describe: "Adam's learning rate",
      }),
    )
    .option(
      ...integerFlag('seed', {
        ...TRAIN_LIMITS.seed,
        default: TRAIN_DEFAULTS.seed,
        describe: 'Seed for initial weights and shuffling: same seed, same run (on one backend)',
      }),
    )
    .option(...integerFlag('limit', { ...TRAIN_LIMITS.limit, describe: 'Train on the first N training images only (quick runs)' }))
    .option(
      ...numberFlag('validation-split', {
        ...TRAIN_LIMITS.validationSplit,
        describe:
          'Hold out this fraction of the training images (the last ones, before shuffling, as Keras does) and validate on it after each epoch',
      }),
    )
    .option('out', {
      type: 'string',
      default: TRAIN_DEFAULTS.out,
      describe: 'Output folder: the model goes to OUT/tfjs/, metrics to OUT/metrics.json',
    })
    .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors' });
}

export type TrainArguments = Awaited<ReturnType<typeof withTrainOptions>['argv']>;

export function trainOptionsFrom(argv: TrainArguments): Partial<TrainOptions> {
  return {
    model: argv.model,
    dataset: argv.dataset,
    dataDir: argv['data-dir'],
    backend: argv.backend,
    epochs: argv.epochs,
    batchSize: argv['batch-size'],
    learningRate: argv['learning-rate'],
    seed: argv.seed,
    limit: argv.limit,
    validationSplit: argv['validation-split'],
    out: argv.out,
    quiet: argv.quiet,
  };
}

export const trainCommand: CliCommand = {
  command: 'train',
  describe: 'Train an image classifier with tfjs and save it in the tfjs Layers format',
  builder: (yargs: Argv) => withTrainOptions(yargs),
  handler: async (argv: TrainArguments) => {
    const { train } = await import('../../training/train.ts');
    const result = await train(trainOptionsFrom(argv));
    if (!argv.quiet) console.log(`Saved ${result.modelJsonPath} and ${result.metricsPath}`);
  },
};
