/**
 * The inference core: one request type for every protocol. A front end parses its bytes into an
 * InferenceHeader (names, datatypes, shapes — no tensor data yet), the core checks it against the
 * model and the limits, and only then asks the front end to decode the data it has now described
 * exactly (element counts known and bounded). The core runs it through the model's batcher,
 * applies the classification extension and records statistics and metrics, so a behaviour — an
 * error, a limit, a counter — is defined once for HTTP JSON, HTTP binary and gRPC alike.
 *
 * /classify requests take the same path (`classify`): admitted, counted in flight, batched with
 * /infer requests on the same session and recorded the same way; only their input and output
 * differ — a picture in, turned into the model's input by the runtime's classifier, and top-k out.
 */
import type { ClassifierInput, Classifier, Prediction } from '@tfjs-onnx/runtime';
import { InvalidRequestError, ModelUnavailableError, QueueTimeoutError, RequestError } from '../errors.ts';
import type { ServerLog } from '../log.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { Feeds, RunTiming } from './batching.ts';
import { classify } from './classification.ts';
import { DATATYPE_INFO, allocateValues, bytesOfValues, datatypeOf, isDatatype, type Datatype, type TensorValues } from './datatypes.ts';
import { valuesFromRaw, valuesToRaw } from './rawTensors.ts';
import type { ModelRegistry } from './registry.ts';
import type { ServedModel, ServedTensor } from './servedModel.ts';
import { readSchedulingParameters } from './requestParameters.ts';
import { checkSharedMemoryParameters, type RegionUse, type SharedMemoryLease, type SharedMemoryParameters, type SharedMemoryRef, type SharedMemoryRegistry } from './sharedMemory.ts';
import { checkShape, elementCount, formatShape } from './tensors.ts';

export interface TensorHeader {
  name: string;
  /** As the request spells it; checked here. */
  datatype: string;
  /** As the request gives it; checked here. */
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

/** What a request's work hands back to be recorded: its answer, its rows, and where its time went. */
interface Completed<T> {
  result: T;
  rows: number;
  timing: RunTiming;
}

export interface CoreLimits {
  maxTensorElements: number;
}

export class InferenceCore {
  /** False once shutdown begins: new inference is refused with 503. */
  accepting = true;

  constructor(
    readonly registry: ModelRegistry,
    private readonly metrics: ServerMetrics,
    readonly limits: CoreLimits,
    /** The registered system shared-memory regions requests may read inputs from and write outputs to. */
    readonly sharedMemory: SharedMemoryRegistry,
    /** Verbose level 1 writes a line per request (the logging extension turns it on). */
    private readonly log?: ServerLog,
  ) {}

  infer(call: InferenceCall): Promise<InferenceResponse> {
    return this.serve(call.header.modelName, call.header.modelVersion, call.receivedAt, (model) => this.run(model, call));
  }

  classify(call: ClassifyCall): Promise<ClassifyResponse> {
    return this.serve(call.modelName, call.modelVersion, call.receivedAt, (model) => this.runClassification(model, call));
  }

  /**
   * One request's life in the core, whatever its kind: refused once shutdown begins, counted in
   * flight from the moment it is admitted (so shutdown and unload wait for it), and recorded in the
   * model's statistics and Triton metrics as a success or a failure.
   */
  private async serve<T>(modelName: string, modelVersion: string | undefined, receivedAt: bigint, work: (model: ServedModel) => Promise<Completed<T>>): Promise<T> {
    if (!this.accepting) throw new ModelUnavailableError(`the server is shutting down and accepts no new requests (model '${modelName}')`);
    const model = this.registry.resolve(modelName, modelVersion);
    model.begin();
    this.metrics.setPending(model.name, model.version, model.pending);
    try {
      const { result, rows, timing } = await work(model);
      const totalNs = Number(process.hrtime.bigint() - receivedAt);
      model.statistics.recordSuccess(rows, totalNs, timing);
      this.metrics.observeInferenceSuccess(model.name, model.version, rows, totalNs, timing);
      if (this.log?.verboseAt(1)) this.log.verbose(1, `infer model '${model.name}' version ${model.version}: ${rows} row(s), ${(totalNs / 1e6).toFixed(3)} ms`);
      return result;
    } catch (error) {
      const totalNs = Number(process.hrtime.bigint() - receivedAt);
      model.statistics.recordFailure(totalNs);
      this.metrics.observeInferenceFailure(model.name, model.version, totalNs);
      if (this.log?.verboseAt(1)) this.log.verbose(1, `infer model '${model.name}' version ${model.version} failed after ${(totalNs / 1e6).toFixed(3)} ms: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    } finally {
      model.end();
      this.metrics.setPending(model.name, model.version, model.pending);
    }
  }

  private async run(model: ServedModel, call: InferenceCall): Promise<Completed<InferenceResponse>> {
    const scheduling = readSchedulingParameters(call.header.parameters);
    const inputs = this.planInputs(model, call.header.inputs);
    const requested = planOutputs(model, call.header.outputs);
    // Every region, offset and size is checked here, before any byte is read or written.
    const memory = this.sharedMemory.lease(regionUses(inputs, requested));
    try {
      const values = decodeInputs(model, call, inputs, memory);
      const feeds: Feeds = {};
      inputs.forEach((input, index) => {
        feeds[input.name] = { type: DATATYPE_INFO[input.datatype].tensorType, dims: input.shape, data: values[index] };
      });
      const rows = model.batchable ? inputs[0].shape[0] : 1;
      const { outputs, timing } = await model.batcher.submit(feeds, rows, {
        timeoutUs: scheduling.timeoutUs,
        onTimeout: () => new QueueTimeoutError(model.name, scheduling.timeoutUs!),
      });
      const tensors = requested.map(({ name, classification, sharedMemory }) => {
        const tensor = outputs[name];
        if (tensor === undefined) throw new RequestError(500, `the model returned no output '${name}'`);
        const output: OutputTensor = { name, datatype: datatypeOf(tensor.type), shape: [...tensor.dims], values: tensor.data };
        if (sharedMemory !== undefined) return { ...output, sharedMemory };
        return classification === undefined ? output : classify(output, classification, model.batchable, model.labels(name));
      });
      memory.writeAll(
        tensors.flatMap((output) => (output.sharedMemory ? [{ use: { tensor: `output '${output.name}'`, ref: output.sharedMemory }, bytes: valuesToRaw(output.datatype, output.values) }] : [])),
      );
      return { result: { modelName: model.name, modelVersion: model.version, id: call.header.id, outputs: tensors }, rows, timing };
    } finally {
      memory.release();
    }
  }

  /**
   * The picture becomes the model's input through the runtime's classifier over this session (the
   * same conversion `tfjs-onnx predict` applies), runs through the batcher — merged with /infer
   * requests of the same shape — and its probabilities become the top-k.
   */
  private async runClassification(model: ServedModel, call: ClassifyCall): Promise<Completed<ClassifyResponse>> {
    const classifier = model.classifier();
    const { feeds, count } = await classifier.toFeeds(await call.input(classifier.imageSize));
    if (count !== 1) throw new InvalidRequestError(`the request holds ${count} images; /classify takes one (send batches to /infer)`);
    const input = feeds[classifier.inputName];
    checkAgainstModel(model, model.inputs.find((tensor) => tensor.name === classifier.inputName)!, [...input.dims]);
    const rows = model.batchable ? count : 1;
    const { outputs, timing } = await model.batcher.submit(feeds, rows);
    const [classification] = classifier.fromOutputs(outputs, { topK: Math.min(call.topK, classifier.classCount) });
    return { result: { modelName: model.name, modelVersion: model.version, predictions: classification.top }, rows, timing };
  }

  /** Every model input exactly once, each with the model's datatype and a shape the model takes, within the limits. */
  private planInputs(model: ServedModel, inputs: TensorHeader[]): PlannedInput[] {
    const seen = new Set<string>();
    const planned = inputs.map((input, position): PlannedInput => {
      const name = String(input.name);
      if (seen.has(name)) throw new InvalidRequestError(`input '${name}' is given twice`);
      seen.add(name);
      const expected = model.inputs.find((tensor) => tensor.name === name);
      if (!expected) throw new InvalidRequestError(`unexpected inference input '${name}' for model '${model.name}'; its inputs are ${listNames(model.inputs)}`);
      if (!isDatatype(input.datatype)) throw new InvalidRequestError(`input '${name}' has datatype ${JSON.stringify(input.datatype)}, which is not a protocol datatype`);
      if (input.datatype !== expected.datatype) {
        throw new InvalidRequestError(`input '${name}' has datatype ${input.datatype}, but model '${model.name}' expects ${expected.datatype}`);
      }
      const shape = checkShape(name, input.shape);
      checkAgainstModel(model, expected, shape);
      const count = elementCount(name, shape, this.limits.maxTensorElements);
      const byteSize = input.datatype === 'BYTES' ? undefined : DATATYPE_INFO[input.datatype].byteSize * count;
      const sharedMemory = input.sharedMemory && checkSharedMemoryParameters(`input '${name}'`, input.sharedMemory);
      return { name, datatype: input.datatype, shape, count, byteSize, position, ...(sharedMemory ? { sharedMemory } : {}) };
    });
    const missing = model.inputs.filter((tensor) => !seen.has(tensor.name));
    if (missing.length > 0) throw new InvalidRequestError(`model '${model.name}' needs the input${missing.length > 1 ? 's' : ''} ${listNames(missing)}, missing from the request`);
    if (model.batchable && planned.some((input) => input.shape[0] !== planned[0].shape[0])) {
      throw new InvalidRequestError(`the inputs disagree on the batch size (first dimension): ${planned.map((input) => `'${input.name}' ${input.shape[0]}`).join(', ')}`);
    }
    return planned;
  }
}

function checkAgainstModel(model: ServedModel, expected: ServedTensor, shape: number[]): void {
  // Triton takes any size ≥ 0 for a variable dimension, an empty tensor included.
  const fits = shape.length === expected.shape.length && expected.shape.every((size, axis) => size === -1 || size === shape[axis]);
  if (!fits) {
    throw new InvalidRequestError(`input '${expected.name}' has shape ${formatShape(shape)} but model '${model.name}' expects ${formatShape(expected.shape)} (-1: any size)`);
  }
  if (model.maxRequestBatch > 0 && shape[0] > model.maxRequestBatch) {
    throw new InvalidRequestError(`input '${expected.name}' has batch size ${shape[0]}, more than model '${model.name}' takes in one request (max_batch_size ${model.maxRequestBatch})`);
  }
}

/**
 * Each input's values: read from its shared-memory region straight into the array the model will
 * run on, or decoded by the front end from the message (all those in one call, in request order).
 */
function decodeInputs(model: ServedModel, call: InferenceCall, inputs: PlannedInput[], memory: SharedMemoryLease): TensorValues[] {
  const carried = inputs.filter((input) => input.sharedMemory === undefined);
  const decoded = carried.length > 0 ? call.decode(carried) : [];
  let next = 0;
  return inputs.map((input) => (input.sharedMemory === undefined ? decoded[next++] : readFromSharedMemory(model, input, input.sharedMemory, memory)));
}

function readFromSharedMemory(model: ServedModel, input: PlannedInput, ref: SharedMemoryRef, memory: SharedMemoryLease): TensorValues {
  const use = { tensor: `input '${input.name}'`, ref };
  if (input.datatype === 'BYTES') return valuesFromRaw(input, memory.readBytes(use), 'shared_memory_byte_size');
  if (ref.byteSize !== input.byteSize) {
    throw new InvalidRequestError(
      `input byte size mismatch for input '${input.name}' for model '${model.name}'. Expected ${input.byteSize}, got ${ref.byteSize} (shape ${formatShape(input.shape)} of ${input.datatype})`,
    );
  }
  const values = allocateValues(input.datatype, input.count) as Exclude<TensorValues, string[]>;
  memory.readInto(use, bytesOfValues(values));
  return values;
}

/** The shared-memory places a request names, inputs then outputs, for the lease to check. */
function regionUses(inputs: PlannedInput[], outputs: PlannedOutput[]): RegionUse[] {
  const uses: RegionUse[] = [];
  for (const input of inputs) if (input.sharedMemory) uses.push({ tensor: `input '${input.name}'`, ref: input.sharedMemory });
  for (const output of outputs) if (output.sharedMemory) uses.push({ tensor: `output '${output.name}'`, ref: output.sharedMemory });
  return uses;
}

interface PlannedOutput {
  name: string;
  classification?: number;
  sharedMemory?: SharedMemoryRef;
}

/** The requested outputs (all of the model's when none are named), with their classification counts and shared-memory places checked. */
function planOutputs(model: ServedModel, outputs: RequestedOutput[] | undefined): PlannedOutput[] {
  if (outputs === undefined || outputs.length === 0) return model.outputs.map((tensor) => ({ name: tensor.name }));
  const seen = new Set<string>();
  return outputs.map((output) => {
    const name = String(output.name);
    if (!model.outputs.some((tensor) => tensor.name === name)) {
      throw new InvalidRequestError(`unexpected inference output '${name}' for model '${model.name}'; its outputs are ${listNames(model.outputs)}`);
    }
    if (seen.has(name)) throw new InvalidRequestError(`output '${name}' is requested twice`);
    seen.add(name);
    const k = output.classification;
    if (output.sharedMemory !== undefined) {
      // Triton refuses the pair: the classes are computed from the output, which would then be in shared memory.
      if (k !== undefined) throw new InvalidRequestError(`Output can't set both 'shared_memory_region' and 'classification' (output '${name}')`);
      return { name, sharedMemory: checkSharedMemoryParameters(`output '${name}'`, output.sharedMemory) };
    }
    if (k === undefined) return { name };
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1) {
      throw new InvalidRequestError(`output '${name}' parameter classification is ${JSON.stringify(k)}; it must be a whole number ≥ 1 (how many classes to return)`);
    }
    return { name, classification: k };
  });
}

function listNames(tensors: { name: string }[]): string {
  return tensors.map((tensor) => `'${tensor.name}'`).join(', ');
}
