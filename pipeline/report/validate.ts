/**
 * Checks the report input's shape once, at the edge, so the sections can trust it and a
 * pipeline bug reads as one clear message instead of a broken chart.
 */
import { InvalidInputError } from '../../common/errors.ts';
import type { MisclassifiedImage, ReportInput } from './types.ts';

function fail(message: string): never {
  throw new InvalidInputError(`report: ${message}`);
}

function validateConfusion(confusion: number[][], classCount: number): void {
  if (confusion.length !== classCount) fail(`confusion matrix has ${confusion.length} rows for ${classCount} labels`);
  confusion.forEach((row, truth) => {
    if (row.length !== classCount) fail(`confusion matrix row ${truth} has ${row.length} columns for ${classCount} labels`);
    if (row.some((count) => !Number.isInteger(count) || count < 0)) fail(`confusion matrix row ${truth} holds a value that is not a count`);
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

export function validateReportInput(input: ReportInput): void {
  if (input.labels.length < 2) fail(`need at least 2 class labels, got ${input.labels.length}`);
  validateConfusion(input.confusion, input.labels.length);
  input.misclassified.forEach(validateImage);
}
