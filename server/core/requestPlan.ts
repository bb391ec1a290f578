/**
 * A request checked against the model before any of its data is read: every model input exactly
 * once, with the model's datatype and a shape the model takes, within the element limit; the
 * requested outputs with their classification counts; and every shared-memory place named. What
 * passes is a plan the front end then decodes exactly (element counts known and bounded).
 */
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { InvalidRequestError } from '../errors.ts';
import { DATATYPE_INFO, isDatatype } from './datatypes.ts';
import type { PlannedInput, RequestedOutput, TensorHeader } from './requests.ts';
import type { ServedModel, ServedTensor } from './servedModel.ts';
import { checkSharedMemoryParameters, type SharedMemoryRef } from './sharedMemoryParameters.ts';
import { checkShape, elementCount } from './tensors.ts';

/** A requested output, checked: returned as it is, as its top `classification` classes, or written into shared memory. */
export interface PlannedOutput {
  name: string;
  classification?: number;
  sharedMemory?: SharedMemoryRef;
}

/** Every model input exactly once, each with the model's datatype and a shape the model takes, within the limits. */
export function planInputs(model: ServedModel, inputs: TensorHeader[], maxTensorElements: number): PlannedInput[] {
  const seen = new Set<string>();
  const planned = inputs.map((input, position): PlannedInput => {
    const name = String(input.name);
    if (seen.has(name)) throw new InvalidRequestError(`input '${name}' is given twice`);
    seen.add(name);
    return planInput(model, input, name, position, maxTensorElements);
  });
  const missing = model.inputs.filter((tensor) => !seen.has(tensor.name));
  if (missing.length > 0)
    throw new InvalidRequestError(
      `model '${model.name}' needs the input${missing.length > 1 ? 's' : ''} ${listNames(missing)}, missing from the request`,
    );
  if (model.batchable && planned.some((input) => input.shape[0] !== planned[0].shape[0])) {
    throw new InvalidRequestError(
      `the inputs disagree on the batch size (first dimension): ${planned.map((input) => `'${input.name}' ${input.shape[0]}`).join(', ')}`,
    );
  }
  return planned;
}

function planInput(model: ServedModel, input: TensorHeader, name: string, position: number, maxTensorElements: number): PlannedInput {
  const expected = model.inputs.find((tensor) => tensor.name === name);
  if (!expected)
    throw new InvalidRequestError(
      `unexpected inference input '${name}' for model '${model.name}'; its inputs are ${listNames(model.inputs)}`,
    );
  if (!isDatatype(input.datatype))
    throw new InvalidRequestError(`input '${name}' has datatype ${JSON.stringify(input.datatype)}, which is not a protocol datatype`);
  if (input.datatype !== expected.datatype) {
    throw new InvalidRequestError(`input '${name}' has datatype ${input.datatype}, but model '${model.name}' expects ${expected.datatype}`);
  }
  const shape = checkShape(name, input.shape);
  checkAgainstModel(model, expected, shape);
  const count = elementCount(name, shape, maxTensorElements);
  const byteSize = input.datatype === 'BYTES' ? undefined : DATATYPE_INFO[input.datatype].byteSize * count;
  const sharedMemory = input.sharedMemory && checkSharedMemoryParameters(`input '${name}'`, input.sharedMemory);
  return { name, datatype: input.datatype, shape, count, byteSize, position, ...(sharedMemory ? { sharedMemory } : {}) };
}

/** The shape fits the model's (-1 takes any size) and its batch stays within the model's max_batch_size. */
export function checkAgainstModel(model: ServedModel, expected: ServedTensor, shape: number[]): void {
  // Triton takes any size ≥ 0 for a variable dimension, an empty tensor included.
  const fits = shape.length === expected.shape.length && expected.shape.every((size, axis) => size === -1 || size === shape[axis]);
  if (!fits) {
    throw new InvalidRequestError(
      `input '${expected.name}' has shape ${formatShape(shape)} but model '${model.name}' expects ${formatShape(expected.shape)} (-1: any size)`,
    );
  }
  if (model.maxRequestBatch > 0 && shape[0] > model.maxRequestBatch) {
    throw new InvalidRequestError(
      `input '${expected.name}' has batch size ${shape[0]}, more than model '${model.name}' takes in one request (max_batch_size ${model.maxRequestBatch})`,
    );
  }
}

/** The requested outputs (all of the model's when none are named), with their classification counts and shared-memory places checked. */
export function planOutputs(model: ServedModel, outputs: RequestedOutput[] | undefined): PlannedOutput[] {
  if (outputs === undefined || outputs.length === 0) return model.outputs.map((tensor) => ({ name: tensor.name }));
  const seen = new Set<string>();
  return outputs.map((output) => {
    const name = String(output.name);
    if (!model.outputs.some((tensor) => tensor.name === name)) {
      throw new InvalidRequestError(
        `unexpected inference output '${name}' for model '${model.name}'; its outputs are ${listNames(model.outputs)}`,
      );
    }
    if (seen.has(name)) throw new InvalidRequestError(`output '${name}' is requested twice`);
    seen.add(name);
    return planOutput(output, name);
  });
}

function planOutput(output: RequestedOutput, name: string): PlannedOutput {
  const k = output.classification;
  if (output.sharedMemory !== undefined) {
    // Triton refuses the pair: the classes are computed from the output, which would then be in shared memory.
    if (k !== undefined)
      throw new InvalidRequestError(`Output can't set both 'shared_memory_region' and 'classification' (output '${name}')`);
    return { name, sharedMemory: checkSharedMemoryParameters(`output '${name}'`, output.sharedMemory) };
  }
  if (k === undefined) return { name };
  if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1) {
    throw new InvalidRequestError(
      `output '${name}' parameter classification is ${JSON.stringify(k)}; it must be a whole number ≥ 1 (how many classes to return)`,
    );
  }
  return { name, classification: k };
}

function listNames(tensors: { name: string }[]): string {
  return tensors.map((tensor) => `'${tensor.name}'`).join(', ');
}
