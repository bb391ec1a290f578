/** Training options: the defaults (the lecture's recipe) and their validation, in one place for the API and the CLI. */
import { InvalidOptionError } from '../common/errors.ts';
import { MODEL_NAMES } from './models.ts';

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

export function resolveTrainOptions(partial: Partial<TrainOptions>): TrainOptions {
  const options = { ...TRAIN_DEFAULTS, ...withoutUndefined(partial) };
  if (!MODEL_NAMES.includes(options.model)) {
    throw new InvalidOptionError(`unknown model "${options.model}": choose one of ${MODEL_NAMES.join(', ')}`);
  }
  requireInteger('epochs', options.epochs, 1);
  requireInteger('batch-size', options.batchSize, 1);
  requireInteger('seed', options.seed, 0);
  if (options.limit !== undefined) requireInteger('limit', options.limit, 1);
  if (options.validationSplit !== undefined && !(options.validationSplit > 0 && options.validationSplit < 1)) {
    throw new InvalidOptionError(`--validation-split must be a fraction between 0 and 1 (exclusive), got ${options.validationSplit}`);
  }
  if (!Number.isFinite(options.learningRate) || options.learningRate <= 0 || options.learningRate > 10) {
    throw new InvalidOptionError(`--learning-rate must be a number above 0 (and at most 10), got ${options.learningRate}`);
  }
  return options;
}

function requireInteger(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new InvalidOptionError(`--${name} must be a whole number of at least ${minimum}, got ${value}`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
