/**
 * The structure of a tfjs model.json, checked once when it is read, so that everything after
 * (the shard reader, the converter, tfjs's own loader) can trust it: a list is a list, a shape is
 * a list of sizes, a name is a string, and nothing nests deeper than any model does (recursive
 * readers would overflow the stack). Each problem is one InvalidInputError naming the file and
 * the place in it: "model.json: weightsManifest[0].weights[2].shape must be a list of sizes".
 *
 * The model topology itself is the format-specific front ends' to read (export/layersModel/reader/); here
 * it only has to be an object.
 */
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { InvalidInputError } from './errors.ts';

/** Deeper than any Keras or TensorFlow graph config (tens of levels), shallow enough for every recursive reader. */
export const MAX_MODEL_JSON_DEPTH = 200;
/** tfjs itself refuses tensors with a dimension of 2^31 or more. */
const MAX_DIMENSION = 2 ** 31 - 1;
/** The element types a weights manifest may declare (tfjs names the field `dtype`), and those quantized weights are stored in. */
const WEIGHT_ELEMENT_TYPES = ['float32', 'int32', 'bool', 'string', 'complex64'];
const QUANTIZED_ELEMENT_TYPES = ['uint8', 'uint16', 'float16'];

/** Checks a parsed model.json (shard files are checked when they are read) and returns it typed. */
export function validateModelJson(parsed: unknown, source: string): io.ModelJSON {
  const fail = (message: string): never => {
    throw new InvalidInputError(`${source}: ${message}`);
  };
  const depth = nestingDepth(parsed, MAX_MODEL_JSON_DEPTH);
  if (depth > MAX_MODEL_JSON_DEPTH) fail(`nests more than ${MAX_MODEL_JSON_DEPTH} levels deep, which no tfjs model does`);
  if (!isRecord(parsed)) fail(`is not a tfjs model.json: it holds ${describe(parsed)}, not an object`);
  const model = parsed as Record<string, unknown>;
  if (!('modelTopology' in model)) fail('is not a tfjs model.json: it has no modelTopology');
  if (!isRecord(model.modelTopology)) fail(`modelTopology must be an object, got ${describe(model.modelTopology)}`);
  for (const key of ['format', 'generatedBy', 'convertedBy'] as const) {
    if (model[key] !== undefined && model[key] !== null && typeof model[key] !== 'string')
      fail(`${key} must be a string, got ${describe(model[key])}`);
  }
  for (const key of ['userDefinedMetadata', 'trainingConfig'] as const) {
    if (model[key] !== undefined && model[key] !== null && !isRecord(model[key]))
      fail(`${key} must be an object, got ${describe(model[key])}`);
  }
  const manifest = model.weightsManifest;
  if (manifest !== undefined) {
    if (!Array.isArray(manifest)) fail(`weightsManifest must be a list of weight groups, got ${describe(manifest)}`);
    const names = new Set<string>();
    (manifest as unknown[]).forEach((group, index) => {
      validateGroup(group, `weightsManifest[${index}]`, names, fail);
    });
  }
  return parsed as unknown as io.ModelJSON;
}

function validateGroup(group: unknown, where: string, names: Set<string>, fail: (message: string) => never): void {
  if (!isRecord(group)) fail(`${where} must be a weight group ({ paths, weights }), got ${describe(group)}`);
  const { paths, weights } = group as Record<string, unknown>;
  if (!Array.isArray(paths)) fail(`${where}.paths must be a list of shard file names, got ${describe(paths)}`);
  (paths as unknown[]).forEach((shard, index) => {
    if (typeof shard !== 'string' || shard.trim() === '')
      fail(`${where}.paths[${index}] must be a shard file name, got ${describe(shard)}`);
    const name = shard as string;
    // Shards sit beside model.json (or below it): a model file may not make us read /etc/passwd.
    if (path.isAbsolute(name) || path.normalize(name).split(/[\\/]/)[0] === '..') {
      fail(`${where}.paths[${index}] is ${JSON.stringify(name)}, which is outside the model's folder`);
    }
  });
  if (!Array.isArray(weights)) fail(`${where}.weights must be a list of weight specs, got ${describe(weights)}`);
  (weights as unknown[]).forEach((spec, index) => {
    validateWeightSpec(spec, `${where}.weights[${index}]`, names, fail);
  });
}

function validateWeightSpec(spec: unknown, where: string, names: Set<string>, fail: (message: string) => never): void {
  if (!isRecord(spec)) fail(`${where} must be a weight spec ({ name, shape, dtype }), got ${describe(spec)}`);
  const { name, shape, dtype, quantization } = spec as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') fail(`${where}.name must be a non-empty string, got ${describe(name)}`);
  const label = `${where} (${JSON.stringify(name)})`;
  if (names.has(name as string)) fail(`${label}: the weight name appears twice`);
  names.add(name as string);
  if (!Array.isArray(shape)) fail(`${label}.shape must be a list of sizes, got ${describe(shape)}`);
  let elements = 1;
  (shape as unknown[]).forEach((size, axis) => {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_DIMENSION) {
      fail(`${label}.shape[${axis}] must be a size from 0 to ${MAX_DIMENSION}, got ${describe(size)}`);
    }
    elements *= size as number;
  });
  if (elements > Number.MAX_SAFE_INTEGER) fail(`${label}.shape ${formatShape(shape as number[])} holds more values than any file can`);
  if (typeof dtype !== 'string' || !WEIGHT_ELEMENT_TYPES.includes(dtype))
    fail(`${label}.dtype must be one of ${WEIGHT_ELEMENT_TYPES.join(', ')}, got ${describe(dtype)}`);
  if (quantization !== undefined) {
    if (!isRecord(quantization)) fail(`${label}.quantization must be an object, got ${describe(quantization)}`);
    const q = quantization as Record<string, unknown>;
    if (typeof q.dtype !== 'string' || !QUANTIZED_ELEMENT_TYPES.includes(q.dtype)) {
      fail(`${label}.quantization.dtype must be one of ${QUANTIZED_ELEMENT_TYPES.join(', ')}, got ${describe(q.dtype)}`);
    }
    for (const key of ['min', 'scale'] as const) {
      if (q[key] !== undefined && (typeof q[key] !== 'number' || !Number.isFinite(q[key])))
        fail(`${label}.quantization.${key} must be a number, got ${describe(q[key])}`);
    }
  }
}

/** The nesting depth of a JSON value, counted without recursion and given up past `limit`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, safe description of a JSON value for a message: 'null', 'the number 3', 'a list', '"abc"'. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}
