/**
 * Image classifiers as a layer over the general Model: loadClassifier loads through loadModel (one
 * path for sources, options and errors), reads the classifier signature from the model's inputs,
 * outputs and `tfjs_onnx.*` metadata, and turns pictures into input and probabilities into top-k.
 */
import { ClassifierOptionError, InferenceError, RuntimeInputError, UnsupportedModelError } from './errors.js';
import { resolveImageLimits, type ImageLimits } from './image/limits.js';
import { checkInputLength, firstNonFinite, toModelInput } from './inputs.js';
import { loadModelOn, type EngineModel } from './model.js';
import { describeClassifierModel, type ModelSignature } from './model/signature.js';
import type { Platform } from './platform.js';
import { topK } from './topk.js';
import type { Classification, Classifier, ClassifierInput, ClassifyOptions, LoadOptions, ModelSource, TensorData } from './types.js';

export const DEFAULT_TOP_K = 3;

/** Load options of a classifier: the model's, plus the bounds on the pictures it accepts. */
export interface LoadClassifierOptions extends LoadOptions {
  /** Pictures larger or more elongated than this are refused from their header, before decoding. */
  imageLimits?: Partial<ImageLimits>;
}

export async function loadClassifierOn(platform: Platform, source: ModelSource, options: LoadClassifierOptions = {}): Promise<Classifier> {
  const imageLimits = resolveImageLimits(options?.imageLimits);
  const model = await loadModelOn(platform, source, options);
  try {
    return new ModelClassifier(model, describeClassifierModel(model, model.metadata, model.name), platform, imageLimits);
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

class ModelClassifier implements Classifier {
  readonly backend;
  readonly device;
  readonly inputName;
  readonly outputName;
  readonly inputShape;
  readonly imageSize;
  readonly classCount;
  readonly labels;
  readonly preprocess;
  private readonly fetches: readonly string[];

  constructor(
    readonly model: EngineModel,
    private readonly signature: ModelSignature,
    private readonly platform: Platform,
    private readonly imageLimits: ImageLimits,
  ) {
    this.backend = model.backend;
    this.device = model.device;
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
    this.model.assertUsable('classifier');
    const k = this.checkTopK(options?.topK);
    const { data, count } = await toModelInput(input, this.signature, this.platform, this.imageLimits);
    const probabilities = await this.runModel(data, count);
    const { classCount } = this.signature;
    return Array.from({ length: count }, (_, i) => {
      const row = probabilities.slice(i * classCount, (i + 1) * classCount);
      return { top: topK(row, this.signature.labels, k), probabilities: row };
    });
  }

  async predictBatch(input: Float32Array, count: number): Promise<Float32Array> {
    this.model.assertUsable('classifier');
    if (!Number.isInteger(count) || count < 1) {
      throw new ClassifierOptionError(`count must be a positive integer (the number of images in input), got ${String(count)}`);
    }
    checkInputLength(input, count, this.signature, 'predictBatch input');
    return this.runModel(input, count);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private checkTopK(topKOption: number | undefined): number {
    if (topKOption === undefined) return Math.min(DEFAULT_TOP_K, this.signature.classCount);
    if (!Number.isInteger(topKOption) || topKOption < 1) throw new ClassifierOptionError(`topK must be a positive integer, got ${String(topKOption)}`);
    return Math.min(topKOption, this.signature.classCount);
  }

  /** Runs `count` images, in chunks when the model declares a fixed batch size; checks the probabilities. */
  private runModel(data: Float32Array, count: number): Promise<Float32Array> {
    // The common case (a dynamic batch dimension) is one run and one promise hop: this is the hot path.
    const run = this.signature.fixedBatch === null ? this.runChunk(data, count) : this.runInChunks(data, count, this.signature.fixedBatch);
    return run.then((probabilities) => {
      this.checkProbabilities(probabilities, data);
      return probabilities;
    });
  }

  private async runInChunks(data: Float32Array, count: number, fixedBatch: number): Promise<Float32Array> {
    const { imageElements, classCount } = this.signature;
    const probabilities = new Float32Array(count * classCount);
    for (let start = 0; start < count; start += fixedBatch) {
      const n = Math.min(fixedBatch, count - start);
      // The last chunk is zero-padded up to the fixed batch; the padding rows' output is dropped.
      const chunk = new Float32Array(fixedBatch * imageElements);
      chunk.set(data.subarray(start * imageElements, (start + n) * imageElements));
      const out = await this.runChunk(chunk, fixedBatch);
      probabilities.set(out.subarray(0, n * classCount), start * classCount);
    }
    return probabilities;
  }

  private runChunk(data: Float32Array, count: number): Promise<Float32Array> {
    const { inputName, outputName, imageDims, classCount } = this.signature;
    const feeds: Record<string, TensorData> = { [inputName]: { type: 'float32', data, dims: [count, ...imageDims] } };
    return this.model.runChecked(feeds, this.fetches).then((outputs) => {
      const output = outputs[outputName]!;
      if (output.type !== 'float32') throw new UnsupportedModelError(`the model returned ${output.type} output '${outputName}'; expected float32 probabilities`);
      if (output.data.length !== count * classCount) {
        throw new UnsupportedModelError(`the model returned output of shape [${output.dims.join(', ')}] for ${count} images; expected [${count}, ${classCount}]`);
      }
      return output.data as Float32Array;
    });
  }

  /**
   * NaN or ±Infinity in the output is a failure, never a prediction: scanning count × classes
   * outputs costs far less than scanning the count × pixels inputs on every call, and non-finite
   * input shows up here. Only then is the input scanned, to blame the right party.
   */
  private checkProbabilities(probabilities: Float32Array, input: Float32Array): void {
    const bad = firstNonFinite(probabilities);
    if (bad < 0) return;
    const per = this.signature.imageElements;
    const badInput = firstNonFinite(input);
    if (badInput >= 0) {
      throw new RuntimeInputError(`input contains ${input[badInput]} at index ${badInput} (image ${Math.floor(badInput / per)}); model input must be finite numbers`);
    }
    const { classCount } = this.signature;
    throw new InferenceError(
      `the model output ${probabilities[bad]} for image ${Math.floor(bad / classCount)} (class ${this.signature.labels[bad % classCount]}) on finite input: it cannot classify it (are its weights finite?)`,
    );
  }
}
