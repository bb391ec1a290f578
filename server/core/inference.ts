/**
 * The inference core: one request type for every protocol. A front end parses its bytes into an
 * InferenceHeader (names, datatypes, shapes — no tensor data yet), the core checks it against the
 * model and the limits, and only then asks the front end to decode the data it has now described
 * exactly (element counts known and bounded). The core runs it through the model's batcher,
 * applies the classification extension and records statistics and metrics, so a behaviour — an
 * error, a limit, a counter — is defined once for HTTP JSON, HTTP binary and gRPC alike.
 */
import { InvalidRequestError, ModelUnavailableError, RequestError } from '../errors.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { Feeds } from './batching.ts';
import { classify } from './classification.ts';
import { DATATYPE_INFO, datatypeOf, isDatatype, type Datatype, type TensorValues } from './datatypes.ts';
import type { ModelRegistry } from './registry.ts';
import type { ServedModel, ServedTensor } from './servedModel.ts';
import { checkShape, elementCount, formatShape } from './tensors.ts';

export interface TensorHeader {
  name: string;
  /** As the request spells it; checked here. */
  datatype: string;
  /** As the request gives it; checked here. */
  shape: unknown;
}

export interface RequestedOutput {
  name: string;
  /** parameters.classification: return the top k classes instead of the tensor. */
  classification?: unknown;
}

export interface InferenceHeader {
  modelName: string;
  modelVersion?: string;
  id?: string;
  inputs: TensorHeader[];
  outputs?: RequestedOutput[];
}

/** An input the core has checked: what the front end must now decode, exactly `count` elements. */
export interface PlannedInput {
  name: string;
  datatype: Datatype;
  shape: number[];
  count: number;
  /** Bytes in the binary layout; undefined for BYTES, whose elements vary in length. */
  byteSize?: number;
}

export interface OutputTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  values: TensorValues;
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
  /** Decodes each planned input's data (same order); throws a RequestError if the data disagrees. */
  decode: (inputs: PlannedInput[]) => TensorValues[];
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
  ) {}

  async infer(call: InferenceCall): Promise<InferenceResponse> {
    if (!this.accepting) throw new ModelUnavailableError(`the server is shutting down and accepts no new requests (model '${call.header.modelName}')`);
    const model = this.registry.resolve(call.header.modelName, call.header.modelVersion);
    model.begin();
    this.metrics.setPending(model.name, model.version, model.pending);
    try {
      const response = await this.run(model, call);
      const totalNs = Number(process.hrtime.bigint() - call.receivedAt);
      return response(totalNs);
    } catch (error) {
      const totalNs = Number(process.hrtime.bigint() - call.receivedAt);
      model.statistics.recordFailure(totalNs);
      this.metrics.observeInferenceFailure(model.name, model.version, totalNs);
      throw error;
    } finally {
      model.end();
      this.metrics.setPending(model.name, model.version, model.pending);
    }
  }

  private async run(model: ServedModel, call: InferenceCall): Promise<(totalNs: number) => InferenceResponse> {
    const inputs = this.planInputs(model, call.header.inputs);
    const requested = planOutputs(model, call.header.outputs);
    const values = call.decode(inputs);
    const feeds: Feeds = {};
    inputs.forEach((input, index) => {
      feeds[input.name] = { type: DATATYPE_INFO[input.datatype].tensorType, dims: input.shape, data: values[index] };
    });
    const rows = model.batchable ? inputs[0].shape[0] : 1;
    const { outputs, timing } = await model.batcher.submit(feeds, rows);
    const tensors = requested.map(({ name, classification }) => {
      const tensor = outputs[name];
      if (tensor === undefined) throw new RequestError(500, `the model returned no output '${name}'`);
      const output: OutputTensor = { name, datatype: datatypeOf(tensor.type), shape: [...tensor.dims], values: tensor.data };
      return classification === undefined ? output : classify(output, classification, model.batchable, model.labels(name));
    });
    return (totalNs) => {
      model.statistics.recordSuccess(model.batchable ? rows : 1, totalNs, timing);
      this.metrics.observeInferenceSuccess(model.name, model.version, model.batchable ? rows : 1, totalNs, timing);
      return { modelName: model.name, modelVersion: model.version, id: call.header.id, outputs: tensors };
    };
  }

  /** Every model input exactly once, each with the model's datatype and a shape the model takes, within the limits. */
  private planInputs(model: ServedModel, inputs: TensorHeader[]): PlannedInput[] {
    const seen = new Set<string>();
    const planned = inputs.map((input) => {
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
      return { name, datatype: input.datatype, shape, count, byteSize };
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
  const fits = shape.length === expected.shape.length && expected.shape.every((size, axis) => (size === -1 ? shape[axis] >= 1 : size === shape[axis]));
  if (!fits) {
    throw new InvalidRequestError(`input '${expected.name}' has shape ${formatShape(shape)} but model '${model.name}' expects ${formatShape(expected.shape)} (-1: any size ≥ 1)`);
  }
  if (model.maxRequestBatch > 0 && shape[0] > model.maxRequestBatch) {
    throw new InvalidRequestError(`input '${expected.name}' has batch size ${shape[0]}, more than model '${model.name}' takes in one request (max_batch_size ${model.maxRequestBatch})`);
  }
}

/** The requested outputs (all of the model's when none are named), with their classification counts checked. */
function planOutputs(model: ServedModel, outputs: RequestedOutput[] | undefined): { name: string; classification?: number }[] {
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
