/**
 * Checks the report's inputs once, at the edge, so the sections can trust them and a pipeline
 * bug reads as one clear message instead of a broken chart.
 *
 * metrics.json is another stage's file (training writes it; docs/architecture.md's contracts table names it), so it
 * is checked against a JSON schema, and every message names the file and the field:
 * "metrics.json: history[2].test_loss must be a number or null, got "0.1"".
 */
import { Ajv, type ErrorObject } from 'ajv';
import { InvalidInputError } from '../../common/errors.ts';
import type { EpochRecord, MetricsJson, MisclassifiedImage, ReportInput } from './types.ts';

const count = { type: 'integer', minimum: 0 } as const;
const positiveCount = { type: 'integer', minimum: 1 } as const;
const seconds = { type: 'number', minimum: 0 } as const;
/** JSON has no NaN: JSON.stringify writes a diverged run's NaN loss as null. */
const figure = { type: ['number', 'null'] } as const;
const fraction = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const;

function object(properties: Record<string, unknown>): Record<string, unknown> {
  // Fields beyond the contract are allowed (a newer training may record more); missing ones are not.
  return { type: 'object', required: Object.keys(properties), properties };
}

const EPOCH_FIGURES = {
  epoch: positiveCount,
  loss: figure,
  accuracy: fraction,
  test_loss: figure,
  test_accuracy: fraction,
  learningRate: { type: 'number', exclusiveMinimum: 0 },
  seconds,
};

const METRICS_SCHEMA = object({
  model: { type: 'string', minLength: 1 },
  dataset: object({
    name: { type: 'string', minLength: 1 },
    source: { type: 'string', minLength: 1 },
    trainSamples: positiveCount,
    validationSamples: count,
    testSamples: positiveCount,
    classNames: { type: 'array', minItems: 2, items: { type: 'string' } },
    height: positiveCount,
    width: positiveCount,
    channels: positiveCount,
  }),
  backend: { type: 'string', minLength: 1 },
  seed: count,
  recipe: object({
    epochs: positiveCount,
    batchSize: positiveCount,
    learningRate: { type: 'number', exclusiveMinimum: 0 },
    learningRateSchedule: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 } },
    optimizer: object({ name: { const: 'adam' }, beta1: { type: 'number' }, beta2: { type: 'number' }, epsilon: { type: 'number' } }),
    loss: { type: 'string', minLength: 1 },
    validationSplit: { type: ['number', 'null'], exclusiveMinimum: 0, exclusiveMaximum: 1 },
    seed: count,
  }),
  summary: object({
    layers: {
      type: 'array',
      minItems: 1,
      items: object({
        name: { type: 'string' },
        className: { type: 'string' },
        outputShape: { type: 'array', items: { type: ['integer', 'null'], minimum: 0 } },
        params: count,
        trainable: { type: 'boolean' },
      }),
    },
    totalParams: count,
    trainableParams: count,
    nonTrainableParams: count,
  }),
  history: {
    type: 'array',
    items: {
      ...object(EPOCH_FIGURES),
      properties: { ...EPOCH_FIGURES, val_loss: figure, val_accuracy: fraction },
    },
  },
  test: object({ loss: figure, accuracy: fraction }),
  durations: object({ loadSeconds: seconds, trainSeconds: seconds, evaluateSeconds: seconds, saveSeconds: seconds, totalSeconds: seconds }),
});

let compiledSchema: ReturnType<Ajv['compile']> | undefined;

function metricsSchema(): ReturnType<Ajv['compile']> {
  // verbose: the failing value travels with the error, so the message can quote it.
  compiledSchema ??= new Ajv({ allErrors: false, verbose: true, strict: true, allowUnionTypes: true }).compile(METRICS_SCHEMA);
  return compiledSchema;
}

function metricsError(message: string): InvalidInputError {
  return new InvalidInputError(`metrics.json: ${message}`);
}

/** A JSON pointer (/history/2/test_loss) as the field name a reader knows: history[2].test_loss. */
export function fieldName(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), '');
}

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  integer: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

const LIMIT_WORDS: Record<string, string> = {
  minimum: 'at least',
  exclusiveMinimum: 'above',
  maximum: 'at most',
  exclusiveMaximum: 'below',
};

function describeSchemaError(error: ErrorObject): string {
  const field = fieldName(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    const missing = field ? `${field}.${String(params.missingProperty)}` : String(params.missingProperty);
    return `${missing} is missing`;
  }
  const subject = field || 'the file';
  if (error.keyword === 'type') {
    const expected = String(params.type)
      .split(',')
      .map((type) => TYPE_WORDS[type] ?? type)
      .join(' or ');
    return `${subject} must be ${expected}, got ${quote(error.data)}`;
  }
  if (error.keyword === 'const') return `${subject} must be ${quote(params.allowedValue)}, got ${quote(error.data)}`;
  const limit = LIMIT_WORDS[error.keyword];
  if (limit) return `${subject} must be ${limit} ${String(params.limit)}, got ${quote(error.data)}`;
  return `${subject} ${error.message ?? 'is not valid'}, got ${quote(error.data)}`;
}

/** Facts the schema cannot state: fields that must agree with each other. */
function checkConsistency(metrics: MetricsJson): void {
  const { recipe, dataset, summary, history } = metrics;
  const splitUsed = recipe.validationSplit !== null;
  history.forEach((record, index) => {
    const hasValidation = record.val_loss !== undefined || record.val_accuracy !== undefined;
    if (!splitUsed && hasValidation) {
      throw metricsError(
        `history[${index}] has val_* figures but recipe.validationSplit is null: val_* are recorded only when training holds out a validation split (the test set's figures are test_*)`,
      );
    }
    if (splitUsed && (record.val_loss === undefined || record.val_accuracy === undefined)) {
      throw metricsError(`history[${index}] lacks val_loss or val_accuracy although recipe.validationSplit is ${recipe.validationSplit}`);
    }
  });
  if (!splitUsed && dataset.validationSamples !== 0) {
    throw metricsError(`dataset.validationSamples is ${dataset.validationSamples} but recipe.validationSplit is null`);
  }
  if (splitUsed && dataset.validationSamples === 0) {
    throw metricsError(`dataset.validationSamples is 0 but recipe.validationSplit is ${recipe.validationSplit}`);
  }
  if (recipe.learningRateSchedule.length !== recipe.epochs) {
    throw metricsError(`recipe.learningRateSchedule has ${recipe.learningRateSchedule.length} entries for ${recipe.epochs} epochs`);
  }
  const layerParams = summary.layers.reduce((sum, layer) => sum + layer.params, 0);
  if (layerParams !== summary.totalParams) {
    throw metricsError(`summary.totalParams is ${summary.totalParams} but the layers' params add up to ${layerParams}`);
  }
  if (summary.trainableParams + summary.nonTrainableParams !== summary.totalParams) {
    throw metricsError(
      `summary.trainableParams (${summary.trainableParams}) + summary.nonTrainableParams (${summary.nonTrainableParams}) is not summary.totalParams (${summary.totalParams})`,
    );
  }
}

const NULLABLE_EPOCH_FIGURES = ['loss', 'accuracy', 'test_loss', 'test_accuracy', 'val_loss', 'val_accuracy'] as const;

/** null (how JSON stores NaN) back to NaN, so the typed figures are numbers and the formats print '–'. */
function restoreNaN(metrics: MetricsJson): MetricsJson {
  const history = metrics.history.map((record) => {
    const restored: EpochRecord = { ...record };
    for (const key of NULLABLE_EPOCH_FIGURES) {
      if (restored[key] === null) restored[key] = NaN;
    }
    return restored;
  });
  const test = { loss: metrics.test.loss ?? NaN, accuracy: metrics.test.accuracy ?? NaN };
  return { ...metrics, history, test };
}

/** metrics.json's parsed content, checked against training's TrainingMetrics; throws InvalidInputError naming the field. */
export function validateMetricsJson(value: unknown): MetricsJson {
  const validate = metricsSchema();
  if (!validate(value)) throw metricsError(describeSchemaError(validate.errors![0]!));
  const metrics = restoreNaN(value as MetricsJson);
  checkConsistency(metrics);
  return metrics;
}

function fail(message: string): never {
  throw new InvalidInputError(`report: ${message}`);
}

function validateConfusion(confusion: number[][], classCount: number): void {
  if (confusion.length !== classCount) fail(`confusion matrix has ${confusion.length} rows for ${classCount} labels`);
  confusion.forEach((row, truth) => {
    if (row.length !== classCount) fail(`confusion matrix row ${truth} has ${row.length} columns for ${classCount} labels`);
    if (row.some((cell) => !Number.isInteger(cell) || cell < 0)) fail(`confusion matrix row ${truth} holds a value that is not a count`);
  });
}

function validateImage(image: MisclassifiedImage): void {
  const { index, height, width, channels, pixels } = image;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) fail(`image #${index} has size ${height}×${width}`);
  if (channels !== 1 && channels !== 3) fail(`image #${index} has ${channels} channels; 1 (grayscale) or 3 (RGB) are supported`);
  if (pixels.length !== height * width * channels) {
    fail(`image #${index} has ${pixels.length} pixel values for ${height}×${width}×${channels}`);
  }
}

/** The rest of the report's input, which the report stage computes (metrics arrive already through validateMetricsJson). */
export function validateReportInput(input: ReportInput): void {
  validateConfusion(input.confusion, input.metrics.dataset.classNames.length);
  input.misclassified.forEach(validateImage);
}
