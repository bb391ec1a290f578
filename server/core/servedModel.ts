/**
 * One loaded model version as the core serves it: its protocol signature (datatypes, shapes with
 * -1 for variable sizes), whether and how requests are batched, its statistics and labels, the
 * image classifier /classify uses (over this same session), and a count of requests in flight so
 * an unload can wait for them.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UnsupportedModelError, type Classifier } from '@tfjs-onnx/runtime';
import { METADATA_LABELS, formatShape } from '@tfjs-onnx/runtime/constants';
import { InvalidInputError } from '../../common/errors.ts';
import { NotAnImageClassifierError } from '../errors.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { ConfigTensor, ModelConfig } from '../repository/config.ts';
import { DynamicBatcher } from './batching.ts';
import { datatypeOf, type Datatype } from './datatypes.ts';
import type { Model, TensorSpec } from './model.ts';
import { ModelStatistics } from './statistics.ts';

export interface ServedTensor {
  name: string;
  datatype: Datatype;
  /** The protocol's shape: with the batch axis, -1 for a variable size. */
  shape: number[];
}

/** How models without a config.pbtxt are batched: the serve flags --max-batch and --max-delay-ms. */
export interface BatchingDefaults {
  maxBatch: number;
  maxDelayMs: number;
}

/** The runtime's classifierFromModel, with the server's image limits. */
export type ClassifierFactory = (model: Model) => Classifier;

export interface ServedModelParts {
  name: string;
  version: string;
  model: Model;
  /** Builds the runtime's image classifier over `model`, sharing its session (classifierFromModel). */
  classifierFor: ClassifierFactory;
  /** The model's config.pbtxt, if it has one; it then decides batching instead of the defaults. */
  config?: ModelConfig;
  /** Where labels files named by the config are read from. */
  directory: string;
  origin: string;
  defaults: BatchingDefaults;
  metrics: ServerMetrics;
}

export class ServedModel {
  readonly name: string;
  readonly version: string;
  readonly inputs: ServedTensor[];
  readonly outputs: ServedTensor[];
  /** Every input and output has a variable first axis: requests carry rows and can be merged. */
  readonly batchable: boolean;
  /** Most rows one request may carry; 0: no limit beyond --max-tensor-elements. */
  readonly maxRequestBatch: number;
  /** How the batcher merges requests: at most maxBatch rows per run, the first waiting up to maxDelayMs. */
  readonly merging: { maxBatch: number; maxDelayMs: number };
  readonly batcher: DynamicBatcher;
  readonly statistics: ModelStatistics;
  private readonly labelsByOutput: Map<string, string[]>;
  private inFlight = 0;
  private readonly drainWaiters: (() => void)[] = [];
  /** Built on first use: a model no /classify request names never needs one. */
  private imageClassifier: Classifier | NotAnImageClassifierError | undefined;

  private constructor(
    private readonly parts: ServedModelParts,
    signature: {
      inputs: ServedTensor[];
      outputs: ServedTensor[];
      batchable: boolean;
      maxRequestBatch: number;
      maxBatch: number;
      maxDelayMs: number;
    },
    labels: Map<string, string[]>,
  ) {
    this.name = parts.name;
    this.version = parts.version;
    this.inputs = signature.inputs;
    this.outputs = signature.outputs;
    this.batchable = signature.batchable;
    this.maxRequestBatch = signature.maxRequestBatch;
    this.merging = { maxBatch: signature.maxBatch, maxDelayMs: signature.maxDelayMs };
    this.labelsByOutput = labels;
    this.statistics = new ModelStatistics(parts.name, parts.version);
    const { metrics, name } = parts;
    this.batcher = new DynamicBatcher((feeds) => parts.model.run(feeds), {
      maxBatch: signature.maxBatch,
      maxDelayMs: signature.maxDelayMs,
      onQueueDepth: (rows) => metrics.queueDepth.set({ model: name }, rows),
    });
    metrics.registerModel(name, parts.version);
  }

  /** Checks the config against the model and reads its labels; a mismatch is the operator's to fix (InvalidInputError). */
  static async create(parts: ServedModelParts): Promise<ServedModel> {
    const signature = describeSignature(parts);
    const labels = await readLabels(parts, signature.outputs);
    return new ServedModel(parts, signature, labels);
  }

  get model(): Model {
    return this.parts.model;
  }

  get origin(): string {
    return this.parts.origin;
  }

  /** The config.pbtxt (or load override) the model was loaded with; undefined when the model alone describes it. */
  get config(): ModelConfig | undefined {
    return this.parts.config;
  }

  /** Class names for an output (classification extension), if the model or its config gives them. */
  labels(output: string): string[] | undefined {
    return this.labelsByOutput.get(output);
  }

  /**
   * The model as the runtime's image classifier (converting, normalizing, top-k with labels), over
   * this very session: its runs go through this model's batcher like any inference. Throws
   * NotAnImageClassifierError (400) when the model is not one.
   */
  classifier(): Classifier {
    this.imageClassifier ??= this.buildClassifier();
    if (this.imageClassifier instanceof NotAnImageClassifierError) throw this.imageClassifier;
    return this.imageClassifier;
  }

  private buildClassifier(): Classifier | NotAnImageClassifierError {
    try {
      return this.parts.classifierFor(this.parts.model);
    } catch (error) {
      // What the model is does not change while it is loaded: the answer is kept, like the classifier.
      if (error instanceof UnsupportedModelError) return new NotAnImageClassifierError(this.name, error.message);
      throw error;
    }
  }

  /** Requests accepted and not yet answered. */
  get pending(): number {
    return this.inFlight;
  }

  /** Marks a request as started; `end()` must follow. */
  begin(): void {
    this.inFlight++;
  }

  end(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /**
   * Runs what is queued without delay and resolves once no request is in flight, then releases the
   * session (which ends the classifier borrowing it: there is no other).
   */
  async drainAndDispose(): Promise<void> {
    this.batcher.flush();
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    await this.batcher.idle();
    await this.parts.model.dispose();
  }
}

function describeSignature(parts: ServedModelParts) {
  const { model, config, defaults, origin } = parts;
  const modelInputs = model.inputs.map((spec) => fromSpec(spec, origin));
  const modelOutputs = model.outputs.map((spec) => fromSpec(spec, origin));
  const all = [...modelInputs, ...modelOutputs];
  // A model without inputs has no rows to merge: its requests run one by one.
  const variableFirstAxis = modelInputs.length > 0 && all.every((tensor) => tensor.shape.length > 0 && tensor.shape[0] === -1);
  if (!config) {
    return {
      inputs: modelInputs,
      outputs: modelOutputs,
      batchable: variableFirstAxis,
      maxRequestBatch: 0,
      maxBatch: variableFirstAxis ? defaults.maxBatch : 1,
      maxDelayMs: defaults.maxDelayMs,
    };
  }
  const batched = config.maxBatchSize > 0;
  if (batched && !variableFirstAxis) {
    throw new InvalidInputError(
      `${origin}: max_batch_size is ${config.maxBatchSize}, but not every input and output of the model has a variable first dimension to batch along; set max_batch_size: 0`,
    );
  }
  return {
    inputs: applyConfig(modelInputs, config.inputs, 'input', batched, origin),
    outputs: applyConfig(modelOutputs, config.outputs, 'output', batched, origin),
    batchable: batched,
    maxRequestBatch: batched ? config.maxBatchSize : 0,
    maxBatch: batched && config.dynamicBatching ? config.maxBatchSize : 1,
    maxDelayMs: (config.dynamicBatching?.maxQueueDelayMicroseconds ?? 0) / 1000,
  };
}

function fromSpec(spec: TensorSpec, origin: string): ServedTensor {
  let datatype: Datatype;
  try {
    datatype = datatypeOf(spec.type);
  } catch {
    throw new InvalidInputError(`${origin}: tensor '${spec.name}' has type ${spec.type}, which this server cannot serve`);
  }
  return { name: spec.name, datatype, shape: spec.shape.map((size) => (size === null || size < 0 ? -1 : size)) };
}

/**
 * The config's tensors checked against the model's: the same names and datatypes, and dims that
 * agree wherever both are fixed. The config may fix a size the model leaves variable (Triton
 * allows narrowing); the served shape is then the config's.
 */
function applyConfig(
  fromModel: ServedTensor[],
  fromConfig: ConfigTensor[],
  role: 'input' | 'output',
  batched: boolean,
  origin: string,
): ServedTensor[] {
  if (fromConfig.length === 0) return fromModel; // Triton's auto-complete: the model says it all
  const names = (tensors: { name: string }[]) =>
    tensors
      .map((t) => t.name)
      .sort()
      .join(', ');
  if (names(fromModel) !== names(fromConfig)) {
    throw new InvalidInputError(
      `${origin}: the config lists the ${role}s ${names(fromConfig) || 'none'}, but the model's are ${names(fromModel) || 'none'}`,
    );
  }
  return fromModel.map((tensor) => {
    const configured = fromConfig.find((candidate) => candidate.name === tensor.name)!;
    if (configured.datatype !== tensor.datatype) {
      throw new InvalidInputError(
        `${origin}: ${role} '${tensor.name}' is ${tensor.datatype} in the model but ${configured.datatype} in the config`,
      );
    }
    const modelDims = batched ? tensor.shape.slice(1) : tensor.shape;
    const agree =
      configured.dims.length === modelDims.length &&
      configured.dims.every((size, axis) => size === -1 || modelDims[axis] === -1 || size === modelDims[axis]);
    if (!agree) {
      throw new InvalidInputError(
        `${origin}: ${role} '${tensor.name}' has dims ${formatShape(configured.dims)} in the config but ${formatShape(modelDims)} in the model${batched ? ' (after the batch dimension)' : ''}`,
      );
    }
    const dims = configured.dims.map((size, axis) => (size === -1 ? modelDims[axis] : size));
    return { ...tensor, shape: batched ? [-1, ...dims] : dims };
  });
}

async function readLabels(parts: ServedModelParts, outputs: ServedTensor[]): Promise<Map<string, string[]>> {
  const labels = new Map<string, string[]>();
  for (const tensor of parts.config?.outputs ?? []) {
    if (tensor.labelFilename === undefined) continue;
    const file = path.join(parts.directory, tensor.labelFilename);
    const text = await fs.readFile(file, 'utf8').catch((error: Error) => {
      throw new InvalidInputError(`cannot read the labels of output '${tensor.name}' (${file}): ${error.message}`);
    });
    labels.set(
      tensor.name,
      text
        .split('\n')
        .map((line) => line.replace(/\r$/, ''))
        .filter((line, index, lines) => line !== '' || index < lines.length - 1),
    );
  }
  const fromMetadata = parts.model.metadata.get(METADATA_LABELS);
  if (fromMetadata !== undefined && outputs.length === 1 && !labels.has(outputs[0].name)) {
    try {
      const parsed: unknown = JSON.parse(fromMetadata);
      if (Array.isArray(parsed) && parsed.every((label) => typeof label === 'string')) labels.set(outputs[0].name, parsed);
    } catch {
      // Broken metadata only costs the labels: classification then reports indices alone.
    }
  }
  return labels;
}
