/**
 * The general model's tensors: what each element type is carried in, how the graph's declared
 * inputs and outputs read, and the checks every run() makes on its feeds before onnxruntime sees
 * them. The checks cost O(inputs × rank), never O(elements): they compare names, types, dimensions
 * and lengths, so they stay on the hot path for free.
 */
import { RuntimeInputError, UnsupportedModelError } from './errors.js';
import { describe } from './options.js';
import { ELEMENT_TYPES, formatShape, type ElementType } from './constants.js';
import type { TensorData, TensorSpec } from './types.js';

type ArrayClass = abstract new (...args: never[]) => unknown;

/** The array class each element type is carried in (bool as 0/1 bytes, float16 as raw half bits). */
export const TENSOR_ARRAYS: Readonly<Record<ElementType, ArrayClass>> = {
  float32: Float32Array,
  float16: Uint16Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
  string: Array,
};

/** Largest element count a feed may declare: beyond it no typed array can hold the data anyway. */
const MAX_ELEMENTS = 2 ** 32;

export function describeSpec(spec: TensorSpec): string {
  return `'${spec.name}' (${spec.type} ${formatShape(spec.shape)})`;
}

/** What onnxruntime's JS API reports per input/output (the part we read of InferenceSession.ValueMetadata). */
export interface OrtValueMetadata {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/** Our TensorSpecs from onnxruntime's metadata; values that are not tensors of a type we carry make the model unsupported. */
export function specsFromMetadata(metadata: readonly OrtValueMetadata[], kind: 'input' | 'output', modelName: string): TensorSpec[] {
  return metadata.map((m) => {
    if (!m.isTensor) {
      throw new UnsupportedModelError(
        `${modelName}: ${kind} '${m.name}' is not a tensor (a sequence or map); the runtime feeds and fetches tensors only`,
      );
    }
    if (m.type === undefined || !(ELEMENT_TYPES as readonly string[]).includes(m.type)) {
      throw new UnsupportedModelError(
        `${modelName}: ${kind} '${m.name}' has element type ${m.type ?? 'unknown'}, which onnxruntime's JavaScript API cannot carry`,
      );
    }
    const shape = (m.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : null));
    return { name: m.name, type: m.type as ElementType, shape };
  });
}

/** Checks run()'s feeds against the model's inputs: every input given, nothing else, each of the declared type and shape. */
export function checkFeeds(feeds: unknown, inputs: readonly TensorSpec[]): asserts feeds is Record<string, TensorData> {
  if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds) || ArrayBuffer.isView(feeds)) {
    throw new RuntimeInputError(
      `feeds must be an object of input name → { type, dims, data }, got ${describe(feeds)}; inputs: ${inputs.map(describeSpec).join(', ')}`,
    );
  }
  const given = feeds as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!inputs.some((spec) => spec.name === name)) {
      throw new RuntimeInputError(
        `feeds has '${name}', which is not an input of the model; inputs: ${inputs.map(describeSpec).join(', ')}`,
      );
    }
  }
  for (const spec of inputs) {
    if (!(spec.name in given)) throw new RuntimeInputError(`feeds lacks input ${describeSpec(spec)}`);
    checkTensor(given[spec.name], spec);
  }
}

function checkTensor(value: unknown, spec: TensorSpec): void {
  const name = `input '${spec.name}'`;
  if (typeof value !== 'object' || value === null)
    throw new RuntimeInputError(`${name} is ${describe(value)}; expected { type, dims, data }`);
  const { type, dims, data } = value as Partial<TensorData>;
  if (type !== spec.type) throw new RuntimeInputError(`${name} has type ${describe(type)}; the model takes ${spec.type}`);
  if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new RuntimeInputError(`${name} has dims ${describe(dims)}; expected an array of non-negative integers`);
  }
  // An empty declared shape is a scalar or a shape the graph does not state: onnxruntime decides.
  if (spec.shape.length > 0) {
    const fits = dims.length === spec.shape.length && spec.shape.every((d, i) => d === null || d === dims[i]);
    if (!fits) throw new RuntimeInputError(`${name} has dims [${dims.join(', ')}]; the model takes ${formatShape(spec.shape)}`);
  }
  const elements = dims.reduce((n, d) => n * d, 1);
  if (elements > MAX_ELEMENTS)
    throw new RuntimeInputError(`${name} has dims [${dims.join(', ')}]: ${elements} elements is more than any array holds`);
  const arrayClass = TENSOR_ARRAYS[spec.type];
  if (!(data instanceof arrayClass)) {
    throw new RuntimeInputError(`${name} has data ${describe(data)}; ${spec.type} tensors carry a ${arrayClass.name}`);
  }
  const length = (data as { length: number }).length;
  if (length !== elements) throw new RuntimeInputError(`${name} has ${length} values but dims [${dims.join(', ')}] hold ${elements}`);
  if (spec.type === 'string' && !(data as unknown[]).every((s) => typeof s === 'string')) {
    throw new RuntimeInputError(`${name} is a string tensor with a value that is not a string`);
  }
}

/** The outputs to fetch: the ones asked for (known names, no repeats), else all of them. */
export function checkFetches(requested: unknown, outputs: readonly TensorSpec[]): readonly string[] {
  const all = outputs.map((o) => o.name);
  if (requested === undefined) return all;
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new RuntimeInputError(`outputs must be a non-empty array of output names (${all.join(', ')}), got ${describe(requested)}`);
  }
  for (const name of requested) {
    if (typeof name !== 'string' || !all.includes(name))
      throw new RuntimeInputError(`outputs asks for ${describe(name)}, which is not an output of the model; outputs: ${all.join(', ')}`);
  }
  if (new Set(requested).size !== requested.length) throw new RuntimeInputError(`outputs names one output twice: ${requested.join(', ')}`);
  return requested as string[];
}
