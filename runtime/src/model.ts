/**
 * The general model: loads bytes through the entry point's Platform, checks them and reads their
 * metadata, creates the session on the device the request resolves to (devices/placement.ts), and
 * runs named typed tensors.
 * loadClassifier is a layer over this; there is no second way to load a model.
 */
import type { InferenceEngine } from './backends/engine.js';
import { DEFAULT_DEVICE } from './constants.js';
import { loadRuntimeFor, placeModel } from './devices/placement.js';
import { DisposedError } from './errors.js';
import { float16AtRunTime } from './model/float16.js';
import { readModelMetadata } from './model/metadata.js';
import { modelDtype } from './model/variants.js';
import { checkLoadOptions } from './options.js';
import type { Platform } from './platform.js';
import { RunQueue } from './queue.js';
import { checkFeeds, checkFetches } from './tensors.js';
import type { LoadOptions, Model, ModelDtype, ModelSource, Placement, RunOptions, TensorData, TensorSpec } from './types.js';

export async function loadModelOn(platform: Platform, source: ModelSource, options?: LoadOptions): Promise<EngineModel> {
  const checked = checkLoadOptions(options);
  // The package first: a missing one is the first thing to fix, whatever the model.
  await loadRuntimeFor(platform, checked.device ?? DEFAULT_DEVICE);
  const { bytes, name } = await platform.readModel(source, checked.dtype);
  const metadata = readModelMetadata(bytes, name);
  const dtype = modelDtype(metadata, checked.dtype, name);
  let float16: { use: string | undefined } | undefined;
  const float16Use = () => {
    float16 ??= { use: float16AtRunTime(bytes, name) };
    return float16.use;
  };
  const { engine, placement } = await placeModel(platform, { bytes, options: checked, modelName: name }, float16Use);
  return new EngineModel(engine, placement, metadata, dtype, name);
}

/** Model over an InferenceEngine; `runChecked` is the path for callers that build their own feeds (the classifier). */
export class EngineModel implements Model {
  readonly device;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly session;
  private readonly queue: RunQueue;
  /**
   * What run() checks feeds against and fetches by default: the engine's own specs, which no caller
   * ever sees. Not the frozen copies above: V8 runs Array builtins (some, every, map) on frozen
   * arrays through a slow path, which made these checks most of run()'s own cost at batch 1.
   */
  private readonly checkedInputs: readonly TensorSpec[];
  private readonly checkedOutputs: readonly TensorSpec[];
  private readonly allOutputs: readonly string[];
  private disposed = false;

  constructor(
    private readonly engine: InferenceEngine,
    readonly placement: Placement,
    readonly metadata: ReadonlyMap<string, string>,
    readonly dtype: ModelDtype,
    /** The model's path, URL or "the in-memory model", for messages. */
    readonly name: string,
  ) {
    this.device = placement.device;
    // Frozen copies for callers to read; checks use the engine's own (see checkedInputs).
    this.inputs = Object.freeze(engine.inputs.map(freezeSpec));
    this.outputs = Object.freeze(engine.outputs.map(freezeSpec));
    this.checkedInputs = engine.inputs;
    this.checkedOutputs = engine.outputs;
    this.allOutputs = engine.outputs.map((output) => output.name);
    this.session = engine.session;
    this.queue = new RunQueue(engine.serialRuns);
  }

  /** Not `async`: an async function returning the run's promise would add promise hops to every call; failed checks still reject. */
  run(feeds: Record<string, TensorData>, options: RunOptions = {}): Promise<Record<string, TensorData>> {
    try {
      this.assertUsable();
      checkFeeds(feeds, this.checkedInputs);
      const requested = options?.outputs;
      const fetches = requested === undefined ? this.allOutputs : checkFetches(requested, this.checkedOutputs);
      return this.runChecked(feeds, fetches);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Runs feeds the caller guarantees match `inputs`, fetching outputs known to exist. */
  runChecked(feeds: Record<string, TensorData>, fetches: readonly string[]): Promise<Record<string, TensorData>> {
    this.assertUsable();
    return this.queue.run(() => this.engine.run(feeds, fetches));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.idle();
    await this.engine.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  assertUsable(what = 'model'): void {
    if (this.disposed) throw new DisposedError(`this ${what} was disposed; load it again`);
  }
}

function freezeSpec(spec: TensorSpec): TensorSpec {
  return Object.freeze({ ...spec, shape: Object.freeze([...spec.shape]) as (number | null)[] });
}
