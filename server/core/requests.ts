/**
 * The one request type every protocol front end speaks to the inference core, and the answers it
 * gets back. A front end parses its bytes into an InferenceHeader (names, datatypes, shapes — no
 * tensor data yet); the core checks it and only then asks the front end to decode the data it has
 * now described exactly (PlannedInput: element counts known and bounded).
 */
import type { ClassifierInput, Classifier, Prediction } from '@tfjs-onnx/runtime';
import type { Datatype, TensorValues } from './datatypes.ts';
import type { SharedMemoryParameters, SharedMemoryRef } from './sharedMemoryParameters.ts';

export interface TensorHeader {
  name: string;
  /** As the request spells it; checked by the core. */
  datatype: string;
  /** As the request gives it; checked by the core. */
  shape: unknown;
  /** The shared_memory_* parameters, when the tensor's bytes are in a registered region instead of the message. */
  sharedMemory?: SharedMemoryParameters;
}

export interface RequestedOutput {
  name: string;
  /** parameters.classification: return the top k classes instead of the tensor. */
  classification?: unknown;
  /** The shared_memory_* parameters: write the output into a registered region instead of the reply. */
  sharedMemory?: SharedMemoryParameters;
}

export interface InferenceHeader {
  modelName: string;
  modelVersion?: string;
  id?: string;
  inputs: TensorHeader[];
  outputs?: RequestedOutput[];
  /** The request's parameters as decoded by the front end; the reserved ones are read by readSchedulingParameters. */
  parameters?: Record<string, unknown>;
}

/** An input the core has checked: what the front end must now decode, exactly `count` elements. */
export interface PlannedInput {
  name: string;
  datatype: Datatype;
  shape: number[];
  count: number;
  /** Bytes in the binary layout; undefined for BYTES, whose elements vary in length. */
  byteSize?: number;
  /** Its place among the request's inputs (front ends find its data by it). */
  position: number;
  /** Where in shared memory its bytes are; the core reads those itself. */
  sharedMemory?: SharedMemoryRef;
}

export interface OutputTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  values: TensorValues;
  /** Written into this place in shared memory already: the reply carries no data for it. */
  sharedMemory?: SharedMemoryRef;
}

export interface InferenceResponse {
  modelName: string;
  modelVersion: string;
  id?: string;
  outputs: OutputTensor[];
}

export interface InferenceCall {
  header: InferenceHeader;
  /** process.hrtime.bigint() when the request arrived, so statistics include reading it. */
  receivedAt: bigint;
  /**
   * Decodes the data the message carries for the planned inputs given — every input not in shared
   * memory, in request order — returning one value per input; throws a RequestError if the data disagrees.
   */
  decode: (inputs: PlannedInput[]) => TensorValues[];
}

/** A /classify request: one picture for a model, and how many classes to answer with. */
export interface ClassifyCall {
  modelName: string;
  modelVersion?: string;
  /** process.hrtime.bigint() when the request arrived. */
  receivedAt: bigint;
  topK: number;
  /**
   * The picture as the runtime's classifier takes it (raw pixels, or decoded pixels), given the
   * model's image size: the front end decodes and shrinks encoded images to it off the event loop.
   */
  input: (imageSize: Classifier['imageSize']) => Promise<ClassifierInput>;
}

export interface ClassifyResponse {
  modelName: string;
  modelVersion: string;
  predictions: Prediction[];
}
