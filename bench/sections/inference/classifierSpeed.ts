/**
 * Throughput of @tfjs-onnx/runtime against a bare onnxruntime `InferenceSession.run` of the same
 * session on the same Float32Array, in the same process: images/s at several batch sizes for each
 * device, and the overhead of predictBatch() and of Model.run() over the bare run, in % and µs per
 * call. Medians after warm-up, with the calls timed in alternating blocks so machine noise hits all
 * alike, and each overhead taken per round (a block vs the bare block beside it) before the median.
 * The bare run uses the classifier's own session: two sessions would have two onnxruntime thread
 * pools, whose spinning threads slow each other down and make the comparison meaningless.
 *
 * The inference section takes its runtime images/s from here; `npx tsx bench/classifierSpeed.ts`
 * runs it alone on one model.
 */
import { readFile } from 'node:fs/promises';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { loadClassifier, type Classifier, type ResolvedDevice, type RuntimePackage } from '@tfjs-onnx/runtime';
import { median } from '../../../common/stats.ts';

export interface ClassifierSpeedOptions {
  /** Devices to measure (default cpu and wasm). */
  devices?: ResolvedDevice[];
  batchSizes?: number[];
  /** Timed blocks per measurement (after warm-up); the median per-call time is reported. */
  repetitions?: number;
  warmup?: number;
  intraOpThreads?: number;
  /** wasm: onnxruntime-web's thread count (once per process). */
  numThreads?: number;
  log?: (line: string) => void;
}

export interface ClassifierSpeedRow {
  device: string;
  runtime: RuntimePackage;
  batch: number;
  /** Median milliseconds per call: predictBatch(), the bare session.run, and Model.run(). */
  apiMs: number;
  rawMs: number;
  runMs: number;
  /** classify() with Float32 input: validation, run, top-k. */
  classifyMs: number;
  apiImagesPerSecond: number;
  rawImagesPerSecond: number;
  /** Median over rounds of (api - raw) / raw, in percent; paired per round so load drift cancels. */
  overheadPercent: number;
  /** Median over rounds of api - raw per call, in microseconds. */
  overheadMicroseconds: number;
  /** The same two for Model.run() with the same input as a TensorData. */
  runOverheadPercent: number;
  runOverheadMicroseconds: number;
}

export interface ClassifierSpeedResult {
  model: string;
  node: string;
  date: string;
  repetitions: number;
  rows: ClassifierSpeedRow[];
}

const DEFAULTS = { devices: ['cpu', 'wasm'] as ResolvedDevice[], batchSizes: [1, 32, 256], repetitions: 15, warmup: 5 };

/** Benchmarks the classifier API against raw onnxruntime for each device and batch size. */
export async function measureClassifier(model: string | Uint8Array, options: ClassifierSpeedOptions = {}): Promise<ClassifierSpeedResult> {
  const devices = options.devices ?? DEFAULTS.devices;
  const batchSizes = options.batchSizes ?? DEFAULTS.batchSizes;
  const repetitions = options.repetitions ?? DEFAULTS.repetitions;
  const warmup = options.warmup ?? DEFAULTS.warmup;
  const log = options.log ?? (() => undefined);
  const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
  const rows: ClassifierSpeedRow[] = [];
  for (const device of devices) {
    const threadOptions = {
      ...(options.intraOpThreads === undefined ? {} : { intraOpThreads: options.intraOpThreads }),
      ...(options.numThreads === undefined || device !== 'wasm' ? {} : { numThreads: options.numThreads }),
    };
    const classifier = await loadClassifier(bytes, { device, ...threadOptions });
    const raw = bareSession(classifier);
    try {
      for (const batch of batchSizes) {
        const input = randomInput(batch * classifier.imageSize.height * classifier.imageSize.width * classifier.imageSize.channels);
        const dims = [batch, ...modelDims(classifier)];
        const feeds = { [classifier.inputName]: { type: 'float32' as const, dims, data: input } };
        const calls = {
          api: () => classifier.predictBatch(input, batch),
          raw: () => raw(input, dims),
          run: () => classifier.model.run(feeds),
          classify: () => classifier.classify(input),
        };
        const times = await timeInterleaved(calls, repetitions, warmup);
        const row = summarize(classifier, batch, times);
        rows.push(row);
        log(
          `${device} batch ${batch}: ${row.apiImagesPerSecond.toFixed(0)} images/s (bare ${row.rawImagesPerSecond.toFixed(0)}; predictBatch ${row.overheadPercent.toFixed(1)}%, run ${row.runOverheadPercent.toFixed(1)}%)`,
        );
      }
    } finally {
      await classifier.dispose();
    }
  }
  return {
    model: typeof model === 'string' ? model : 'in-memory model',
    node: process.version,
    date: new Date().toISOString(),
    repetitions,
    rows,
  };
}

/** The non-batch input dims as the model declares them (NHWC or NCHW). */
function modelDims(classifier: Classifier): number[] {
  const { height, width, channels, layout } = classifier.imageSize;
  if (classifier.inputShape.length === 4) return layout === 'NHWC' ? [height, width, channels] : [channels, height, width];
  if (classifier.inputShape.length === 3) return [height, width];
  return [height * width * channels];
}

/** A bare `session.run` on the classifier's own onnxruntime session, as an app using onnxruntime directly would call it. */
function bareSession(classifier: Classifier): (input: Float32Array, dims: number[]) => Promise<unknown> {
  const ort = (classifier.placement.runtime === 'onnxruntime-node' ? ortNode : ortWeb) as typeof ortWeb;
  const session = classifier.model.session as ortWeb.InferenceSession;
  const fetches = [classifier.outputName];
  return (input, dims) => session.run({ [classifier.inputName]: new ort.Tensor('float32', input, dims) }, fetches);
}

/**
 * Times each call in blocks long enough (~20 ms) that timer resolution and the cache effects of
 * switching calls do not dominate at batch 1; blocks of the different calls alternate, in an order
 * that rotates every round, so machine noise hits all of them alike. Returns per-call milliseconds, one value per block.
 */
async function timeInterleaved<K extends string>(
  calls: Record<K, () => Promise<unknown>>,
  repetitions: number,
  warmup: number,
): Promise<Record<K, number[]>> {
  const names = Object.keys(calls) as K[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const blockSize = {} as Record<K, number>;
  for (const name of names) {
    const warm: number[] = [];
    for (let i = 0; i < warmup; i += 1) warm.push(await timeBlock(calls[name], 1));
    blockSize[name] = Math.max(1, Math.round(BLOCK_MS / Math.max(median(warm), 1e-3)));
  }
  for (let r = 0; r < repetitions; r += 1) {
    // The order rotates every round, so no call always runs right after the same other one
    // (whose onnxruntime threads may still be spinning) or always first.
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    for (const name of order) times[name].push(await timeBlock(calls[name], blockSize[name]));
  }
  return times;
}

/** Milliseconds of calls per timed block. */
export const BLOCK_MS = 20;

async function timeBlock(call: () => Promise<unknown>, count: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await call();
  return Number(process.hrtime.bigint() - start) / 1e6 / count;
}

function summarize(classifier: Classifier, batch: number, times: Record<'api' | 'raw' | 'run' | 'classify', number[]>): ClassifierSpeedRow {
  const { api, raw, run, classify } = times;
  const apiMs = median(api);
  const rawMs = median(raw);
  const percent = (values: number[]) => median(values.map((v, i) => (v / raw[i]! - 1) * 100));
  const micros = (values: number[]) => median(values.map((v, i) => (v - raw[i]!) * 1000));
  return {
    device: classifier.device,
    runtime: classifier.placement.runtime,
    batch,
    apiMs,
    rawMs,
    runMs: median(run),
    classifyMs: median(classify),
    apiImagesPerSecond: (batch * 1000) / apiMs,
    rawImagesPerSecond: (batch * 1000) / rawMs,
    overheadPercent: percent(api),
    overheadMicroseconds: micros(api),
    runOverheadPercent: percent(run),
    runOverheadMicroseconds: micros(run),
  };
}

function randomInput(length: number): Float32Array {
  let state = 12345;
  return Float32Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  });
}
