/**
 * The `tfjs_onnx.*` metadata the runtime reads (labels, preprocess, source_sha256, source_format). Labels and
 * preprocessing come from the caller's options, else from model.json's userDefinedMetadata
 * (where our training stage writes them), else they are left out.
 */
import {
  METADATA_LABELS,
  METADATA_PREPROCESS,
  METADATA_SOURCE_FORMAT,
  METADATA_SOURCE_SHA256,
  type SourceFormat,
} from '@tfjs-onnx/runtime/constants';
import { InvalidInputError, InvalidOptionError } from '../../common/errors.ts';

export interface PreprocessSpec {
  layout: 'NHWC' | 'NCHW';
  height: number;
  width: number;
  channels: number;
  /** model input = pixel (0–255) · scale + offset */
  scale: number;
  offset: number;
}

export type { SourceFormat };

export interface ModelMetadata {
  labels?: string[];
  preprocess?: PreprocessSpec;
  sourceSha256: string;
  /** Which tfjs format the model was converted from. */
  sourceFormat?: SourceFormat;
}

export function resolveMetadata(
  options: { labels?: unknown; preprocess?: unknown },
  userDefinedMetadata: unknown,
  sourceSha256: string,
  source: string,
): ModelMetadata {
  const stored =
    typeof userDefinedMetadata === 'object' && userDefinedMetadata !== null ? (userDefinedMetadata as Record<string, unknown>) : {};
  const labels =
    options.labels !== undefined
      ? validateLabels(options.labels, (m) => new InvalidOptionError(`option labels: ${m}`))
      : stored.labels !== undefined
        ? validateLabels(stored.labels, (m) => new InvalidInputError(`${source}: userDefinedMetadata.labels: ${m}`))
        : undefined;
  const preprocess =
    options.preprocess !== undefined
      ? validatePreprocess(options.preprocess, (m) => new InvalidOptionError(`option preprocess: ${m}`))
      : stored.preprocess !== undefined
        ? validatePreprocess(stored.preprocess, (m) => new InvalidInputError(`${source}: userDefinedMetadata.preprocess: ${m}`))
        : undefined;
  return { labels, preprocess, sourceSha256 };
}

export function metadataProperties(metadata: ModelMetadata): Record<string, string> {
  const properties: Record<string, string> = {};
  if (metadata.labels) properties[METADATA_LABELS] = JSON.stringify(metadata.labels);
  if (metadata.preprocess) properties[METADATA_PREPROCESS] = JSON.stringify(metadata.preprocess);
  properties[METADATA_SOURCE_SHA256] = metadata.sourceSha256;
  if (metadata.sourceFormat) properties[METADATA_SOURCE_FORMAT] = metadata.sourceFormat;
  return properties;
}

function validateLabels(value: unknown, fail: (message: string) => Error): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((label) => typeof label === 'string')) {
    throw fail('expected a non-empty list of class names (strings)');
  }
  return [...value];
}

function validatePreprocess(value: unknown, fail: (message: string) => Error): PreprocessSpec {
  if (typeof value !== 'object' || value === null) throw fail('expected an object with layout, height, width, channels, scale, offset');
  const spec = value as Record<string, unknown>;
  if (spec.layout !== 'NHWC' && spec.layout !== 'NCHW') throw fail(`layout must be "NHWC" or "NCHW", got ${JSON.stringify(spec.layout)}`);
  for (const key of ['height', 'width', 'channels'] as const) {
    if (!Number.isInteger(spec[key]) || (spec[key] as number) <= 0)
      throw fail(`${key} must be a positive integer, got ${JSON.stringify(spec[key])}`);
  }
  for (const key of ['scale', 'offset'] as const) {
    if (typeof spec[key] !== 'number' || !Number.isFinite(spec[key]))
      throw fail(`${key} must be a finite number, got ${JSON.stringify(spec[key])}`);
  }
  // Rebuilt field by field so the metadata holds exactly the documented keys, in a stable order.
  return {
    layout: spec.layout,
    height: spec.height as number,
    width: spec.width as number,
    channels: spec.channels as number,
    scale: spec.scale as number,
    offset: spec.offset as number,
  };
}
