/**
 * Turning a validated inference request into the model's input rows, and its output rows into
 * response tensors. The schema has already checked the request's structure; here it is checked
 * against the served model: input name, datatype, shape and the number and range of elements.
 */
import { InvalidRequestError } from './errors.ts';
import type { Datatype, InferenceRequestBody, InferenceRequestInput, MetadataTensor, ResponseTensor } from './schemas.ts';

/** What the server needs to know about a model's single input and output. */
export interface TensorSignature {
  modelName: string;
  inputName: string;
  outputName: string;
  /** Input shape with `null` for the batch (or any variable) dimension. */
  inputShape: (number | null)[];
  classCount: number;
  /** Maps 0–255 pixel values to the model's input range: pixel * scale + offset. */
  preprocess: { scale: number; offset: number };
}

/** Input datatypes this server accepts: FP32 as the model takes it, UINT8 as raw pixels it normalizes. */
const ACCEPTED_DATATYPES: readonly Datatype[] = ['FP32', 'UINT8'];

export interface DecodedInput {
  /** Normalized FP32 values, row-major. */
  values: Float32Array;
  /** Images in the request (its first dimension). */
  rows: number;
}

export function decodeInferenceInputs(body: InferenceRequestBody, signature: TensorSignature): DecodedInput {
  checkRequestedOutputs(body, signature);
  if (body.inputs.length !== 1) {
    throw new InvalidRequestError(`model '${signature.modelName}' takes exactly one input ('${signature.inputName}'), but the request has ${body.inputs.length}`);
  }
  const input = body.inputs[0];
  if (input.name !== signature.inputName) {
    throw new InvalidRequestError(`unexpected inference input '${input.name}' for model '${signature.modelName}'; its input is '${signature.inputName}'`);
  }
  if (!ACCEPTED_DATATYPES.includes(input.datatype)) {
    throw new InvalidRequestError(`input '${input.name}' has datatype ${input.datatype}; model '${signature.modelName}' accepts FP32 (or UINT8 pixels 0–255)`);
  }
  checkShape(input, signature);
  const count = input.shape.reduce((product, size) => product * size, 1);
  const values = flattenTensorData(input, count, signature);
  return { values, rows: input.shape[0] };
}

function checkRequestedOutputs(body: InferenceRequestBody, signature: TensorSignature): void {
  for (const output of body.outputs ?? []) {
    if (output.name !== signature.outputName) {
      throw new InvalidRequestError(`unexpected inference output '${output.name}' for model '${signature.modelName}'; its output is '${signature.outputName}'`);
    }
  }
}

function checkShape(input: InferenceRequestInput, signature: TensorSignature): void {
  const expected = signature.inputShape;
  const matches =
    input.shape.length === expected.length &&
    input.shape[0] >= 1 &&
    expected.every((size, axis) => size === null || size === input.shape[axis]);
  if (!matches) {
    throw new InvalidRequestError(
      `input '${input.name}' has shape ${formatShape(input.shape)} but model '${signature.modelName}' expects ${formatShape(toProtocolShape(expected))} (-1: any size ≥ 1)`,
    );
  }
}

/**
 * Reads `data` in row-major order, flat or nested (the protocol allows both), into FP32, checking
 * each element: finite numbers for FP32 (JSON has no NaN, but 1e999 parses as Infinity), integers
 * 0–255 for UINT8. Nesting deeper than the tensor's rank is refused rather than walked.
 */
function flattenTensorData(input: InferenceRequestInput, count: number, signature: TensorSignature): Float32Array {
  const values = new Float32Array(count);
  const pixels = input.datatype === 'UINT8';
  const { scale, offset } = signature.preprocess;
  let written = 0;
  const visit = (items: unknown[], depth: number): void => {
    for (const item of items) {
      if (Array.isArray(item)) {
        if (depth + 1 >= input.shape.length) throw dataError(input, `nests deeper than its ${input.shape.length} dimensions`);
        visit(item, depth + 1);
        continue;
      }
      if (written >= count) throw dataError(input, `has more than the ${count} elements its shape ${formatShape(input.shape)} holds`);
      values[written] = pixels ? toPixel(item, input, written) * scale + offset : toFloat(item, input, written);
      written++;
    }
  };
  visit(input.data, 0);
  if (written !== count) throw dataError(input, `has ${written} elements but its shape ${formatShape(input.shape)} holds ${count}`);
  return values;
}

function toFloat(item: unknown, input: InferenceRequestInput, index: number): number {
  if (typeof item !== 'number') throw dataError(input, `element ${index} is ${describe(item)}, not a number`);
  const value = Math.fround(item);
  if (!Number.isFinite(value)) throw dataError(input, `element ${index} (${item}) is not a finite FP32 number`);
  return value;
}

function toPixel(item: unknown, input: InferenceRequestInput, index: number): number {
  if (typeof item !== 'number' || !Number.isInteger(item) || item < 0 || item > 255) {
    throw dataError(input, `element ${index} is ${describe(item)}, not a UINT8 integer 0–255`);
  }
  return item;
}

function dataError(input: InferenceRequestInput, problem: string): InvalidRequestError {
  return new InvalidRequestError(`input '${input.name}' data ${problem}`);
}

function describe(item: unknown): string {
  return item === null ? 'null' : typeof item === 'string' ? `the string ${JSON.stringify(item.slice(0, 20))}` : typeof item === 'number' ? String(item) : `a ${typeof item}`;
}

/** The model's probabilities for `rows` images as the protocol's response tensor. */
export function encodeOutput(probabilities: Float32Array, rows: number, signature: TensorSignature): ResponseTensor {
  return {
    name: signature.outputName,
    datatype: 'FP32',
    shape: [rows, signature.classCount],
    data: Array.from(probabilities),
  };
}

/** The protocol writes variable-size dimensions as -1. */
export function toProtocolShape(shape: readonly (number | null)[]): number[] {
  return shape.map((size) => (size === null || size < 0 ? -1 : size));
}

export function signatureMetadata(signature: TensorSignature): { inputs: MetadataTensor[]; outputs: MetadataTensor[] } {
  return {
    inputs: [{ name: signature.inputName, datatype: 'FP32', shape: toProtocolShape(signature.inputShape) }],
    outputs: [{ name: signature.outputName, datatype: 'FP32', shape: [-1, signature.classCount] }],
  };
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
