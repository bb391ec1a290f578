/**
 * The backend-agnostic core: loads model bytes, reads the model's signature and metadata, and
 * implements Classifier on top of any InferenceEngine. Entry points (index.node.ts,
 * index.browser.ts) only supply a Platform: which backends exist, how to read a model source,
 * and whether encoded images can be decoded.
 */
import type { EngineFactory, InferenceEngine } from './backends/engine.js';
import { ClassifierDisposedError, ClassifierOptionError, UnsupportedModelError, BackendUnavailableError } from './errors.js';
import { checkModelInput, toModelInput, type ImageDecoder } from './inputs.js';
import { readModelMetadata } from './model/metadata.js';
import { describeClassifierModel, type ModelSignature } from './model/signature.js';
import { SerialQueue } from './queue.js';
import { topK } from './topk.js';
import type { Backend, Classification, Classifier, ClassifierInput, ClassifyOptions, LoadOptions, ModelSource } from './types.js';

export const DEFAULT_TOP_K = 3;

export interface ModelBytes {
  bytes: Uint8Array;
  /** How to name the model in messages: a path, a URL or "model bytes". */
  name: string;
}

export interface Platform {
  defaultBackend: Backend;
  /** Backends available here; each loads its onnxruntime package lazily. */
  backends: Partial<Record<Backend, () => Promise<EngineFactory>>>;
  readModel(source: ModelSource): Promise<ModelBytes>;
  decodeImage?: ImageDecoder;
}

export async function loadClassifierOn(platform: Platform, source: ModelSource, options: LoadOptions = {}): Promise<Classifier> {
  checkLoadOptions(options);
  const backend = options.backend ?? platform.defaultBackend;
  const loadBackend = platform.backends[backend];
  if (!loadBackend) {
    const available = Object.keys(platform.backends).join(', ');
    throw new BackendUnavailableError(`backend '${backend}' is not available in this environment; available: ${available}`);
  }
  const { bytes, name } = await platform.readModel(source);
  const metadata = readModelMetadata(bytes, name);
  const createEngine = await loadBackend();
  const engine = await createEngine(bytes, options, name);
  try {
    return new EngineClassifier(engine, describeClassifierModel(engine, metadata, name), platform.decodeImage);
  } catch (error) {
    await engine.release();
    throw error;
  }
}

const BACKENDS = ['native', 'wasm'];
const DEVICES = ['cpu', 'cuda', 'auto'];
const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'];

function checkLoadOptions(options: LoadOptions): void {
  const { backend, device, intraOpThreads, interOpThreads, graphOptimizationLevel } = options;
  if (backend !== undefined && !BACKENDS.includes(backend)) throw new ClassifierOptionError(`backend must be 'native' or 'wasm', got '${String(backend)}'`);
  if (device !== undefined && !DEVICES.includes(device)) throw new ClassifierOptionError(`device must be 'cpu', 'cuda' or 'auto', got '${String(device)}'`);
  for (const [key, value] of Object.entries({ intraOpThreads, interOpThreads })) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new ClassifierOptionError(`${key} must be a non-negative integer (0 lets onnxruntime choose), got ${String(value)}`);
    }
  }
  if (graphOptimizationLevel !== undefined && !OPTIMIZATION_LEVELS.includes(graphOptimizationLevel)) {
    throw new ClassifierOptionError(`graphOptimizationLevel must be one of ${OPTIMIZATION_LEVELS.join(', ')}, got '${String(graphOptimizationLevel)}'`);
  }
}

class EngineClassifier implements Classifier {
  readonly backend;
  readonly device;
  readonly inputName;
  readonly outputName;
  readonly inputShape;
  readonly imageSize;
  readonly classCount;
  readonly labels;
  readonly preprocess;
  private readonly queue = new SerialQueue();
  private disposed = false;

  constructor(
    private readonly engine: InferenceEngine,
    private readonly signature: ModelSignature,
    private readonly decodeImage: ImageDecoder | undefined,
  ) {
    this.backend = engine.backend;
    this.device = engine.device;
    this.inputName = signature.inputName;
    this.outputName = signature.outputName;
    // Copies, so a caller mutating them cannot change how the classifier reads its input.
    this.inputShape = [...signature.inputShape];
    this.imageSize = { ...signature.imageSize };
    this.classCount = signature.classCount;
    this.labels = [...signature.labels];
    this.preprocess = { ...signature.preprocess };
  }

  async classify(input: ClassifierInput | ClassifierInput[], options: ClassifyOptions = {}): Promise<Classification[]> {
    this.assertUsable();
    const k = this.checkTopK(options.topK);
    const { data, count } = toModelInput(input, this.signature, this.decodeImage);
    const probabilities = await this.queue.run(() => this.runModel(data, count));
    const { classCount } = this.signature;
    return Array.from({ length: count }, (_, i) => {
      const row = probabilities.slice(i * classCount, (i + 1) * classCount);
      return { top: topK(row, this.signature.labels, k), probabilities: row };
    });
  }

  async predictBatch(input: Float32Array, count: number): Promise<Float32Array> {
    this.assertUsable();
    if (!Number.isInteger(count) || count < 1) {
      throw new ClassifierOptionError(`count must be a positive integer (the number of images in input), got ${String(count)}`);
    }
    checkModelInput(input, count, this.signature, 'predictBatch input');
    return this.queue.run(() => this.runModel(input, count));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.idle();
    await this.engine.release();
  }

  private assertUsable(): void {
    if (this.disposed) throw new ClassifierDisposedError('this classifier was disposed; load the model again with loadClassifier()');
  }

  private checkTopK(topKOption: number | undefined): number {
    if (topKOption === undefined) return Math.min(DEFAULT_TOP_K, this.signature.classCount);
    if (!Number.isInteger(topKOption) || topKOption < 1) throw new ClassifierOptionError(`topK must be a positive integer, got ${String(topKOption)}`);
    return Math.min(topKOption, this.signature.classCount);
  }

  /** Runs `count` images, in chunks when the model declares a fixed batch size. */
  private async runModel(data: Float32Array, count: number): Promise<Float32Array> {
    const { fixedBatch, imageElements, classCount } = this.signature;
    if (fixedBatch === null) return this.runChunk(data, count);
    const out = new Float32Array(count * classCount);
    for (let start = 0; start < count; start += fixedBatch) {
      const n = Math.min(fixedBatch, count - start);
      // The last chunk is zero-padded up to the fixed batch; the padding rows' output is dropped.
      const chunk = new Float32Array(fixedBatch * imageElements);
      chunk.set(data.subarray(start * imageElements, (start + n) * imageElements));
      const probabilities = await this.runChunk(chunk, fixedBatch);
      out.set(probabilities.subarray(0, n * classCount), start * classCount);
    }
    return out;
  }

  private async runChunk(data: Float32Array, count: number): Promise<Float32Array> {
    const { inputName, outputName, imageDims, classCount } = this.signature;
    const output = await this.engine.run(inputName, data, [count, ...imageDims], outputName);
    if (output.data.length !== count * classCount) {
      throw new UnsupportedModelError(
        `the model returned output of shape [${output.dims.join(', ')}] for ${count} images; expected [${count}, ${classCount}]`,
      );
    }
    return output.data;
  }
}
