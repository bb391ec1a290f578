/** Training options: the defaults (the lecture's recipe) and their validation, in one place for the API and the CLI. */
import { InvalidOptionError } from '../common/errors.ts';

/** The architectures `train` can build (training/models.ts defines each one). */
export const MODEL_NAMES = ['mlp', 'cnn'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** The tfjs backends, fastest first: the automatic choice takes the first that loads (training/backends/select.ts). */
export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface TrainOptions {
  model: string;
  dataset: string;
  dataDir?: string;
  backend?: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  limit?: number;
  /** Hold out this fraction of the training data (the last samples, before shuffling: Keras' validation_split) to validate on after each epoch. */
  validationSplit?: number;
  out: string;
  quiet: boolean;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  model: 'mlp',
  dataset: 'mnist',
  epochs: 5,
  batchSize: 32,
  learningRate: 1e-3,
  seed: 2,
  out: 'artifacts',
  quiet: false,
};

/** The sane range of each numeric option, for the library's checks and the CLI's flags alike. */
export const TRAIN_LIMITS = {
  epochs: { min: 1, max: 10_000 },
  batchSize: { min: 1, max: 65_536 },
  // Above 0; a rate over 10 only ever diverges.
  learningRate: { min: 0, above: true, max: 10 },
  // The shuffle's generator takes 32 bits of it.
  seed: { min: 0, max: 2 ** 32 - 1 },
  limit: { min: 1, max: 1_000_000_000 },
  // The held-out fraction: neither nothing nor everything.
  validationSplit: { min: 0, above: true, max: 1, below: true },
} as const;

export function resolveTrainOptions(partial: Partial<TrainOptions>): TrainOptions {
  const options = { ...TRAIN_DEFAULTS, ...withoutUndefined(partial) };
  if (!(MODEL_NAMES as readonly string[]).includes(options.model)) {
    throw new InvalidOptionError(`unknown model "${options.model}": choose one of ${MODEL_NAMES.join(', ')}`);
  }
  requireInteger('epochs', options.epochs, TRAIN_LIMITS.epochs);
  requireInteger('batch-size', options.batchSize, TRAIN_LIMITS.batchSize);
  requireInteger('seed', options.seed, TRAIN_LIMITS.seed);
  if (options.limit !== undefined) requireInteger('limit', options.limit, TRAIN_LIMITS.limit);
  const split = TRAIN_LIMITS.validationSplit;
  if (options.validationSplit !== undefined && !(options.validationSplit > split.min && options.validationSplit < split.max)) {
    throw new InvalidOptionError(`--validation-split must be a fraction between 0 and 1 (exclusive), got ${options.validationSplit}`);
  }
  const rate = TRAIN_LIMITS.learningRate;
  if (!Number.isFinite(options.learningRate) || options.learningRate <= rate.min || options.learningRate > rate.max) {
    throw new InvalidOptionError(`--learning-rate must be a number above 0 (and at most 10), got ${options.learningRate}`);
  }
  return options;
}

function requireInteger(name: string, value: number, { min, max }: { min: number; max: number }): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`--${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
