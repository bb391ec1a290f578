/**
 * Image classifiers as a layer over the general Model: a classifier reads its signature from the
 * model's inputs, outputs and `tfjs_onnx.*` metadata, and turns pictures into input and
 * probabilities into top-k. There is one way to build one (classifierOver); loadClassifier loads
 * a model through loadModel and builds it over that, classifierFromModel over a model the caller
 * already loaded.
 *
 * Ownership: a classifier disposes only a model it loaded. loadClassifier's owns its model
 * (dispose() releases the session); classifierFromModel's borrows it (dispose() retires the
 * classifier and leaves the model to whoever loaded it).
 */
import { DEFAULT_TOP_K } from './constants.js';
import {
  DisposedError,
  RuntimeOptionError,
  ForeignModelError,
  InferenceError,
  RuntimeInputError,
  UnsupportedModelError,
} from './errors.js';
import { resolveImageLimits, type ImageLimits } from './image/limits.js';
import { checkInputLength, firstNonFinite, toModelInput } from './inputs.js';
import { EngineModel, loadModelOn } from './model.js';
import { describeClassifierModel, type ModelSignature } from './model/signature.js';
import { describe } from './options.js';
import type { Platform } from './platform.js';
import { formatShape } from './constants.js';
import { topK } from './topk.js';
import type {
  Classification,
  Classifier,
  ClassifierFeeds,
  ClassifierInput,
  ClassifyOptions,
  LoadOptions,
  Model,
  ModelSource,
  TensorData,
} from './types.js';

/** What a classifier adds to a model: the bounds on the pictures it accepts. */
export interface ClassifierOptions {
  /** Pictures larger or more elongated than this are refused from their header, before decoding. */
  imageLimits?: Partial<ImageLimits>;
}

/** Load options of a classifier: the model's, plus the classifier's own. */
export interface LoadClassifierOptions extends LoadOptions, ClassifierOptions {}

export async function loadClassifierOn(platform: Platform, source: ModelSource, options: LoadClassifierOptions = {}): Promise<Classifier> {
  // Checked before loading: a bad limit should not cost a session.
  const imageLimits = resolveImageLimits(options?.imageLimits);
  const model = await loadModelOn(platform, source, options);
  try {
    return classifierOver(model, platform, imageLimits, 'owned');
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

/**
 * A classifier over a model loadModel returned (from this copy of the package), sharing its
 * session: the caller keeps owning the model, and disposes it when done.
 */
export function classifierFromModelOn(platform: Platform, model: Model, options: ClassifierOptions = {}): Classifier {
  if (!(model instanceof EngineModel)) {
    throw new ForeignModelError(
      `classifierFromModel needs a Model returned by loadModel of this copy of @tfjs-onnx/runtime, got ${describeModelArgument(model)}; load the model with loadModel (two installed copies of the package cannot share models)`,
    );
  }
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new RuntimeOptionError(`options must be an object, got ${describe(options)}`);
  }
  model.assertUsable('model given to classifierFromModel');
  return classifierOver(model, platform, resolveImageLimits(options?.imageLimits), 'borrowed');
}

/** The one way a classifier is built; UnsupportedModelError if the model is not an image classifier. */
function classifierOver(model: EngineModel, platform: Platform, imageLimits: ImageLimits, ownership: Ownership): Classifier {
  return new ModelClassifier(model, describeClassifierModel(model, model.metadata, model.name), platform, imageLimits, ownership);
}

/** 'owned': the classifier loaded the model and releases it; 'borrowed': the caller loaded it and releases it. */
type Ownership = 'owned' | 'borrowed';

function describeModelArgument(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `an instance of ${name}` : 'a plain object';
  }
  return describe(value);
}

class ModelClassifier implements Classifier {
  readonly device;
  readonly placement;
  readonly inputName;
  readonly outputName;
  readonly inputShape;
  readonly imageSize;
  readonly classCount;
  readonly labels;
  readonly preprocess;
  private readonly fetches: readonly string[];
  /** Only a borrowing classifier needs its own flag: an owning one is disposed with its model. */
  private retired = false;

  constructor(
    readonly model: EngineModel,
    private readonly signature: ModelSignature,
    private readonly platform: Platform,
    private readonly imageLimits: ImageLimits,
    private readonly ownership: Ownership,
  ) {
    this.device = model.device;
    this.placement = model.placement;
    this.inputName = signature.inputName;
    this.outputName = signature.outputName;
    // Copies, so a caller mutating them cannot change how the classifier reads its input.
    this.inputShape = [...signature.inputShape];
    this.imageSize = { ...signature.imageSize };
    this.classCount = signature.classCount;
    this.labels = [...signature.labels];
    this.preprocess = { ...signature.preprocess };
    this.fetches = [signature.outputName];
  }

  async classify(input: ClassifierInput | ClassifierInput[], options: ClassifyOptions = {}): Promise<Classification[]> {
    this.assertUsable();
    const k = this.checkTopK(options?.topK);
    const { data, count } = await toModelInput(input, this.signature, this.platform, this.imageLimits);
    return this.classifications(await this.runModel(data, count), count, k);
  }

  /** The hot path, so not `async` (that would add promise hops to every call); failed checks still reject. */
  predictBatch(input: Float32Array, count: number): Promise<Float32Array> {
    try {
      this.assertUsable();
      if (!Number.isInteger(count) || count < 1) {
        throw new RuntimeOptionError(`count must be a positive integer (the number of images in input), got ${String(count)}`);
      }
      checkInputLength(input, count, this.signature, 'predictBatch input');
      return this.runModel(input, count);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async toFeeds(input: ClassifierInput | ClassifierInput[]): Promise<ClassifierFeeds> {
    this.assertUsable();
    const { data, count } = await toModelInput(input, this.signature, this.platform, this.imageLimits);
    const { fixedBatch, inputName, imageDims } = this.signature;
    if (fixedBatch !== null && count !== fixedBatch) {
      throw new RuntimeInputError(
        `the input holds ${count} images, but the model takes exactly ${fixedBatch} per run (input shape ${formatShape(this.signature.inputShape)}); classify() runs it in chunks`,
      );
    }
    return { feeds: { [inputName]: { type: 'float32', dims: [count, ...imageDims], data } }, count };
  }

  fromOutputs(outputs: Record<string, TensorData>, options: ClassifyOptions = {}): Classification[] {
    this.assertUsable();
    const k = this.checkTopK(options?.topK);
    const { outputName, classCount } = this.signature;
    const output = typeof outputs === 'object' && outputs !== null ? outputs[outputName] : undefined;
    if (output === undefined)
      throw new RuntimeInputError(`outputs has no '${outputName}'; pass what model.run returned for the feeds of toFeeds()`);
    const count = output.dims[0];
    if (
      output.type !== 'float32' ||
      !(output.data instanceof Float32Array) ||
      output.dims.length !== 2 ||
      output.dims[1] !== classCount ||
      output.data.length !== count! * classCount
    ) {
      throw new RuntimeInputError(
        `output '${outputName}' is ${output.type} [${output.dims.join(', ')}]; expected float32 probabilities of shape [N, ${classCount}]`,
      );
    }
    const bad = firstNonFinite(output.data);
    // toFeeds refuses non-finite input, so a non-finite probability is the model's.
    if (bad >= 0) throw this.nonFiniteOutput(output.data, bad);
    return this.classifications(output.data, count!, k);
  }

  dispose(): Promise<void> {
    if (this.ownership === 'owned') return this.model.dispose();
    // The model is not ours to release: retiring the classifier is all there is to do.
    this.retired = true;
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private assertUsable(): void {
    if (this.retired)
      throw new DisposedError('this classifier was disposed; build a new one with classifierFromModel (its model is still loaded)');
    this.model.assertUsable(this.ownership === 'owned' ? 'classifier' : "classifier's model");
  }

  /** One Classification per image: its top-k and its full probability row. */
  private classifications(probabilities: Float32Array, count: number, k: number): Classification[] {
    const { classCount, labels } = this.signature;
    return Array.from({ length: count }, (_, i) => {
      const row = probabilities.slice(i * classCount, (i + 1) * classCount);
      return { top: topK(row, labels, k), probabilities: row };
    });
  }

  private checkTopK(topKOption: number | undefined): number {
    if (topKOption === undefined) return Math.min(DEFAULT_TOP_K, this.signature.classCount);
    if (!Number.isInteger(topKOption) || topKOption < 1)
      throw new RuntimeOptionError(`topK must be a positive integer, got ${String(topKOption)}`);
    return Math.min(topKOption, this.signature.classCount);
  }

  /** Runs `count` images, in chunks when the model declares a fixed batch size; checks the probabilities. */
  private runModel(data: Float32Array, count: number): Promise<Float32Array> {
    // The common case (a dynamic batch dimension) is one run and one promise hop: this is the hot path.
    if (this.signature.fixedBatch === null) {
      return this.runChunk(data, count).then((outputs) => this.checkProbabilities(this.probabilitiesOf(outputs, count), data));
    }
    return this.runInChunks(data, count, this.signature.fixedBatch).then((probabilities) => this.checkProbabilities(probabilities, data));
  }

  private async runInChunks(data: Float32Array, count: number, fixedBatch: number): Promise<Float32Array> {
    const { imageElements, classCount } = this.signature;
    const probabilities = new Float32Array(count * classCount);
    for (let start = 0; start < count; start += fixedBatch) {
      const n = Math.min(fixedBatch, count - start);
      // The last chunk is zero-padded up to the fixed batch; the padding rows' output is dropped.
      const chunk = new Float32Array(fixedBatch * imageElements);
      chunk.set(data.subarray(start * imageElements, (start + n) * imageElements));
      const out = this.probabilitiesOf(await this.runChunk(chunk, fixedBatch), fixedBatch);
      probabilities.set(out.subarray(0, n * classCount), start * classCount);
    }
    return probabilities;
  }

  private runChunk(data: Float32Array, count: number): Promise<Record<string, TensorData>> {
    const { inputName, imageDims } = this.signature;
    const feeds: Record<string, TensorData> = { [inputName]: { type: 'float32', data, dims: [count, ...imageDims] } };
    return this.model.runChecked(feeds, this.fetches);
  }

  /** The probabilities output of a run of `count` images, checked for its type and size. */
  private probabilitiesOf(outputs: Record<string, TensorData>, count: number): Float32Array {
    const { outputName, classCount } = this.signature;
    const output = outputs[outputName]!;
    if (output.type !== 'float32')
      throw new UnsupportedModelError(`the model returned ${output.type} output '${outputName}'; expected float32 probabilities`);
    if (output.data.length !== count * classCount) {
      throw new UnsupportedModelError(
        `the model returned output of shape [${output.dims.join(', ')}] for ${count} images; expected [${count}, ${classCount}]`,
      );
    }
    return output.data as Float32Array;
  }

  /**
   * NaN or ±Infinity in the output is a failure, never a prediction: scanning count × classes
   * outputs costs far less than scanning the count × pixels inputs on every call, and non-finite
   * input shows up here. Only then is the input scanned, to blame the right party. Returns the
   * probabilities when they are all finite.
   */
  private checkProbabilities(probabilities: Float32Array, input: Float32Array): Float32Array {
    const bad = firstNonFinite(probabilities);
    if (bad < 0) return probabilities;
    const per = this.signature.imageElements;
    const badInput = firstNonFinite(input);
    if (badInput >= 0) {
      throw new RuntimeInputError(
        `input contains ${input[badInput]} at index ${badInput} (image ${Math.floor(badInput / per)}); model input must be finite numbers`,
      );
    }
    throw this.nonFiniteOutput(probabilities, bad);
  }

  private nonFiniteOutput(probabilities: Float32Array, bad: number): InferenceError {
    const { classCount } = this.signature;
    return new InferenceError(
      `the model output ${probabilities[bad]} for image ${Math.floor(bad / classCount)} (class ${this.signature.labels[bad % classCount]}) on finite input: it cannot classify it (are its weights finite?)`,
    );
  }
}
