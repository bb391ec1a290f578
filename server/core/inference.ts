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
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { InvalidRequestError, MissingModelOutputError, ModelUnavailableError, QueueTimeoutError } from '../errors.ts';
import type { ServerLog } from '../log.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { Feeds, RunTiming } from './batching.ts';
import { classify } from './classification.ts';
import { DATATYPE_INFO, allocateValues, bytesOfValues, datatypeOf, type TensorValues } from './datatypes.ts';
import { valuesFromRaw, valuesToRaw } from './rawTensors.ts';
import type { ModelRegistry } from './registry.ts';
import { checkAgainstModel, planInputs, planOutputs, type PlannedOutput } from './requestPlan.ts';
import type { ClassifyCall, ClassifyResponse, InferenceCall, InferenceResponse, OutputTensor, PlannedInput } from './requests.ts';
import { readSchedulingParameters } from './requestParameters.ts';
import type { ServedModel } from './servedModel.ts';
import type { SharedMemoryRegistry } from './sharedMemory.ts';
import type { RegionUse, SharedMemoryLease } from './sharedMemoryLease.ts';
import type { SharedMemoryRef } from './sharedMemoryParameters.ts';

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
  private async serve<T>(
    modelName: string,
    modelVersion: string | undefined,
    receivedAt: bigint,
    work: (model: ServedModel) => Promise<Completed<T>>,
  ): Promise<T> {
    if (!this.accepting) throw new ModelUnavailableError(`the server is shutting down and accepts no new requests (model '${modelName}')`);
    const model = this.registry.resolve(modelName, modelVersion);
    model.begin();
    this.metrics.setPending(model.name, model.version, model.pending);
    try {
      const { result, rows, timing } = await work(model);
      const totalNs = Number(process.hrtime.bigint() - receivedAt);
      model.statistics.recordSuccess(rows, totalNs, timing);
      this.metrics.observeInferenceSuccess(model.name, model.version, rows, totalNs, timing);
      if (this.log?.verboseAt(1))
        this.log.verbose(1, `infer model '${model.name}' version ${model.version}: ${rows} row(s), ${(totalNs / 1e6).toFixed(3)} ms`);
      return result;
    } catch (error) {
      const totalNs = Number(process.hrtime.bigint() - receivedAt);
      model.statistics.recordFailure(totalNs);
      this.metrics.observeInferenceFailure(model.name, model.version, totalNs);
      if (this.log?.verboseAt(1))
        this.log.verbose(
          1,
          `infer model '${model.name}' version ${model.version} failed after ${(totalNs / 1e6).toFixed(3)} ms: ${error instanceof Error ? error.message : String(error)}`,
        );
      throw error;
    } finally {
      model.end();
      this.metrics.setPending(model.name, model.version, model.pending);
    }
  }

  private async run(model: ServedModel, call: InferenceCall): Promise<Completed<InferenceResponse>> {
    const scheduling = readSchedulingParameters(call.header.parameters);
    const inputs = planInputs(model, call.header.inputs, this.limits.maxTensorElements);
    const requested = planOutputs(model, call.header.outputs);
    // Every region, offset and size is checked here, before any byte is read or written.
    const memory = this.sharedMemory.lease(regionUses(inputs, requested));
    try {
      const values = decodeInputs(model, call, inputs, memory);
      const feeds: Feeds = {};
      inputs.forEach((input, index) => {
        feeds[input.name] = { type: DATATYPE_INFO[input.datatype].elementType, dims: input.shape, data: values[index] };
      });
      const rows = model.batchable ? inputs[0].shape[0] : 1;
      const { outputs, timing } = await model.batcher.submit(feeds, rows, {
        timeoutUs: scheduling.timeoutUs,
        onTimeout: () => new QueueTimeoutError(model.name, scheduling.timeoutUs!),
      });
      const tensors = requested.map(({ name, classification, sharedMemory }) => {
        const tensor = outputs[name];
        if (tensor === undefined) throw new MissingModelOutputError(name);
        const output: OutputTensor = { name, datatype: datatypeOf(tensor.type), shape: [...tensor.dims], values: tensor.data };
        if (sharedMemory !== undefined) return { ...output, sharedMemory };
        return classification === undefined ? output : classify(output, classification, model.batchable, model.labels(name));
      });
      memory.writeAll(
        tensors.flatMap((output) =>
          output.sharedMemory
            ? [{ use: { tensor: `output '${output.name}'`, ref: output.sharedMemory }, bytes: valuesToRaw(output.datatype, output.values) }]
            : [],
        ),
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
}

/**
 * Each input's values: read from its shared-memory region straight into the array the model will
 * run on, or decoded by the front end from the message (all those in one call, in request order).
 */
function decodeInputs(model: ServedModel, call: InferenceCall, inputs: PlannedInput[], memory: SharedMemoryLease): TensorValues[] {
  const carried = inputs.filter((input) => input.sharedMemory === undefined);
  const decoded = carried.length > 0 ? call.decode(carried) : [];
  let next = 0;
  return inputs.map((input) =>
    input.sharedMemory === undefined ? decoded[next++] : readFromSharedMemory(model, input, input.sharedMemory, memory),
  );
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
