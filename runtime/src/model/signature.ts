/**
 * What the classifier needs to know about a model, read once at load time from the single sources
 * of truth: the input/output shapes onnxruntime reports, and the `tfjs_onnx.*` metadata_props.
 */
import { METADATA_LABELS, METADATA_PREPROCESS } from '../constants.js';
import { UnsupportedModelError } from '../errors.js';
import { formatShape } from '../constants.js';
import type { Layout, PreprocessSpec, TensorSpec } from '../types.js';

export interface ModelSignature {
  inputName: string;
  outputName: string;
  inputShape: (number | null)[];
  imageSize: { height: number; width: number; channels: number; layout: Layout };
  /** The model's input dimensions after the batch one, with every dynamic size filled in. */
  imageDims: number[];
  /** Values in one image of model input (height × width × channels). */
  imageElements: number;
  /** A fixed batch size declared by the model, or null when the batch dimension is dynamic. */
  fixedBatch: number | null;
  classCount: number;
  labels: string[];
  preprocess: PreprocessSpec;
}

export interface ModelIO {
  inputs: readonly TensorSpec[];
  outputs: readonly TensorSpec[];
}

export function describeClassifierModel(io: ModelIO, metadata: ReadonlyMap<string, string>, modelName: string): ModelSignature {
  const input = singleFloatTensor(io.inputs, 'input', modelName);
  const output = singleFloatTensor(io.outputs, 'output', modelName);
  const classCount = readClassCount(output, modelName);
  const declared = parsePreprocess(metadata.get(METADATA_PREPROCESS), modelName);
  const imageSize = readImageSize(input.shape, declared, modelName);
  const preprocess: PreprocessSpec = {
    ...imageSize,
    scale: declared.scale ?? 1 / 255,
    offset: declared.offset ?? 0,
  };
  const batch = input.shape[0];
  return {
    inputName: input.name,
    outputName: output.name,
    inputShape: [...input.shape],
    imageSize,
    imageDims: imageDims(input.shape.length, imageSize),
    imageElements: imageSize.height * imageSize.width * imageSize.channels,
    fixedBatch: typeof batch === 'number' ? batch : null,
    classCount,
    labels: parseLabels(metadata.get(METADATA_LABELS), classCount, modelName),
    preprocess,
  };
}

function singleFloatTensor(values: readonly TensorSpec[], kind: 'input' | 'output', modelName: string): TensorSpec {
  if (values.length !== 1) {
    throw new UnsupportedModelError(
      `${modelName} has ${values.length} ${kind}s (${values.map((v) => v.name).join(', ') || 'none'}); an image classifier has exactly one`,
    );
  }
  const value = values[0]!;
  if (value.type !== 'float32') {
    throw new UnsupportedModelError(`${modelName}: ${kind} '${value.name}' is ${value.type}; expected a float32 tensor`);
  }
  return value;
}

function readClassCount(output: TensorSpec, modelName: string): number {
  const classes = output.shape[1];
  if (output.shape.length !== 2 || typeof classes !== 'number' || classes < 1) {
    throw new UnsupportedModelError(
      `${modelName}: output '${output.name}' has shape ${formatShape(output.shape)}; expected [N, classes] with a fixed number of classes`,
    );
  }
  return classes;
}

type DeclaredPreprocess = Partial<PreprocessSpec>;

function parsePreprocess(json: string | undefined, modelName: string): DeclaredPreprocess {
  if (json === undefined) return {};
  const fail = (what: string) => new UnsupportedModelError(`${modelName}: metadata ${METADATA_PREPROCESS} ${what}; got ${json}`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw fail('is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('must be a JSON object');
  const spec = value as Record<string, unknown>;
  const declared: DeclaredPreprocess = {};
  if (spec.layout !== undefined) {
    if (spec.layout !== 'NHWC' && spec.layout !== 'NCHW') throw fail("must have layout 'NHWC' or 'NCHW'");
    declared.layout = spec.layout;
  }
  for (const key of ['height', 'width', 'channels'] as const) {
    const v = spec[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw fail(`must have a positive integer ${key}`);
    declared[key] = v;
  }
  for (const key of ['scale', 'offset'] as const) {
    const v = spec[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(`must have a finite number ${key}`);
    declared[key] = v;
  }
  return declared;
}

/** 1, 3 and 4 are channel counts; other sizes are spatial. */
function looksLikeChannels(d: number | null): boolean {
  return d === 1 || d === 3 || d === 4;
}

function readImageSize(shape: readonly (number | null)[], declared: DeclaredPreprocess, modelName: string): ModelSignature['imageSize'] {
  let layout: Layout;
  let dims: { height: number | null; width: number | null; channels: number | null };
  if (shape.length === 4) {
    // Without metadata, guess from where a channel-sized dimension sits; tfjs models are NHWC.
    layout = declared.layout ?? (!looksLikeChannels(shape[3]!) && looksLikeChannels(shape[1]!) ? 'NCHW' : 'NHWC');
    dims =
      layout === 'NHWC'
        ? { height: shape[1]!, width: shape[2]!, channels: shape[3]! }
        : { height: shape[2]!, width: shape[3]!, channels: shape[1]! };
  } else if (shape.length === 3) {
    layout = declared.layout ?? 'NHWC';
    dims = { height: shape[1]!, width: shape[2]!, channels: 1 };
  } else if (shape.length === 2) {
    layout = declared.layout ?? 'NHWC';
    dims = { height: null, width: null, channels: null };
  } else {
    throw new UnsupportedModelError(
      `${modelName}: input has shape ${formatShape(shape)}; expected [N, H, W, C], [N, C, H, W], [N, H, W] or [N, features]`,
    );
  }
  const size = { layout, height: 0, width: 0, channels: 0 };
  for (const key of ['height', 'width', 'channels'] as const) {
    const fromShape = dims[key];
    const fromMetadata = declared[key];
    if (fromShape !== null && fromMetadata !== undefined && fromShape !== fromMetadata) {
      throw new UnsupportedModelError(
        `${modelName}: metadata ${METADATA_PREPROCESS} says ${key} ${fromMetadata} but the input shape ${formatShape(shape)} (${layout}) has ${fromShape}`,
      );
    }
    const value = fromShape ?? fromMetadata;
    if (value === undefined) {
      throw new UnsupportedModelError(
        `${modelName}: the input shape ${formatShape(shape)} does not fix the image ${key}; add it to the ${METADATA_PREPROCESS} metadata`,
      );
    }
    size[key] = value;
  }
  const features = shape.length === 2 ? shape[1] : null;
  if (typeof features === 'number' && features !== size.height * size.width * size.channels) {
    throw new UnsupportedModelError(
      `${modelName}: input has ${features} features but ${METADATA_PREPROCESS} describes ${size.height}×${size.width}×${size.channels} images`,
    );
  }
  return size;
}

function imageDims(rank: number, size: ModelSignature['imageSize']): number[] {
  if (rank === 4) return size.layout === 'NHWC' ? [size.height, size.width, size.channels] : [size.channels, size.height, size.width];
  if (rank === 3) return [size.height, size.width];
  return [size.height * size.width * size.channels];
}

function parseLabels(json: string | undefined, classCount: number, modelName: string): string[] {
  if (json === undefined) return Array.from({ length: classCount }, (_, i) => String(i));
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new UnsupportedModelError(`${modelName}: metadata ${METADATA_LABELS} is not JSON; got ${json}`);
  }
  if (!Array.isArray(value) || !value.every((l) => typeof l === 'string' || typeof l === 'number')) {
    throw new UnsupportedModelError(`${modelName}: metadata ${METADATA_LABELS} must be a JSON array of strings; got ${json}`);
  }
  if (value.length !== classCount) {
    throw new UnsupportedModelError(
      `${modelName}: metadata ${METADATA_LABELS} has ${value.length} labels but the model outputs ${classCount} classes`,
    );
  }
  return value.map(String);
}
