import { InvalidInputError } from '../../common/errors.ts';
import { readJsonFile } from '../../common/files.ts';
import { readTfjsModelFiles } from '../../common/tfjsModelFiles.ts';
import type { TrainingMetrics } from '../../training/train.ts';

/** model.json and its weight shards, the files that make up a tfjs model. */
export async function tfjsModelFileList(modelJsonPath: string): Promise<string[]> {
  return (await readTfjsModelFiles(modelJsonPath)).files;
}

/**
 * The training stage's metrics.json, checked for what the later stages read from it, so a broken
 * or hand-edited file is named instead of failing somewhere inside the report.
 */
export async function readTrainingMetrics(metricsPath: string): Promise<TrainingMetrics> {
  const metrics = await readJsonFile(metricsPath);
  const fail = (what: string): never => {
    throw new InvalidInputError(`${metricsPath} is not the training stage's metrics: ${what} (run the train stage again)`);
  };
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return fail('it is not a JSON object');
  const { model, dataset, history, test } = metrics as Record<string, unknown>;
  if (typeof model !== 'string') fail('"model" is not a name');
  if (typeof dataset !== 'object' || dataset === null || typeof (dataset as { name?: unknown }).name !== 'string') fail('"dataset.name" is missing');
  if (!Array.isArray((dataset as { classNames?: unknown }).classNames)) fail('"dataset.classNames" is not a list');
  if (!Array.isArray(history) || history.some((epoch) => typeof epoch !== 'object' || epoch === null)) fail('"history" is not a list of epochs');
  if (typeof test !== 'object' || test === null || typeof (test as { accuracy?: unknown }).accuracy !== 'number') fail('"test.accuracy" is not a number');
  return metrics as TrainingMetrics;
}
