import { promises as fs } from 'node:fs';
import { InvalidInputError, describeError } from '../../common/errors.ts';
import { readTfjsModelFiles } from '../../common/tfjsModelFiles.ts';
import { validateMetricsJson, type MetricsJson } from '../report/index.ts';

/** model.json and its weight shards, the files that make up a tfjs model. */
export async function tfjsModelFileList(modelJsonPath: string): Promise<string[]> {
  return (await readTfjsModelFiles(modelJsonPath)).files;
}

/**
 * The training stage's metrics.json, checked against the report's schema of it (the fields every
 * later stage reads), so a broken or hand-edited file is named instead of failing somewhere later.
 */
export async function readTrainingMetrics(metricsPath: string): Promise<MetricsJson> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(metricsPath, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`metrics.json (${metricsPath}) is not readable JSON: ${describeError(error)}`);
  }
  return validateMetricsJson(parsed);
}
