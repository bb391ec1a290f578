/**
 * Parity: do the tfjs model and the ONNX model on each device (cpu on onnxruntime-node, wasm on
 * onnxruntime-web, webgpu, ...) predict the same? Each path predicts the whole test set; every pair
 * is compared on top-1 agreement and |Δp|. Devices asked for "where available" are tried and, when
 * they cannot run here, listed with the reason instead of failing the check.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, describePlacement, loadClassifier, type ResolvedDevice } from '@tfjs-onnx/runtime';
import { InvalidInputError, UserError, describeError } from '../common/errors.ts';
import { fileSystemLoader, readTfjsModelFiles } from '../common/tfjsModelFiles.ts';
import { selectBackend } from '../training/backends/select.ts';
import type { ImageDataset, ImageSplit } from '../training/data/datasets.ts';
import { DEFAULT_THRESHOLDS, validateThresholds, type ParityThresholds } from './options.ts';
import type { ParityPair, ParityReport } from './report/index.ts';
import { runtimeCall } from './runtimeErrors.ts';

export type { ParityPair, ParityReport };

export { DEFAULT_THRESHOLDS, type ParityThresholds } from './options.ts';

/** Probabilities of every sample, row-major [count × classCount]. */
export interface Predictions {
  source: string;
  probabilities: Float32Array;
  count: number;
  classCount: number;
  /** Top-1 is the argmax of each row's first top1Length values (default: the whole row). */
  top1Length?: number;
}

export class ParityError extends UserError {}

const BATCH = 1000;

/** The test images as the model's float input, pixel × scale + offset. */
export function normalizeImages(split: ImageSplit, scale: number, offset: number): Float32Array {
  const input = new Float32Array(split.images.length);
  for (let i = 0; i < input.length; i++) input[i] = split.images[i] * scale + offset;
  return input;
}

/**
 * tfjs's LayersModel from a model.json on disk. What tfjs refuses (an unknown layer class, a
 * config it cannot deserialize) is the model's problem: one InvalidInputError naming the file,
 * with the first line of tfjs's multi-line explanation.
 */
export async function loadTfjsModel(modelJsonPath: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(fileSystemLoader(modelJsonPath));
  } catch (error) {
    if (error instanceof UserError) throw error;
    const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    const reason = describeError(firstLine.replace(/\s*This may be due to.*$/, ''));
    throw new InvalidInputError(`${modelJsonPath}: tfjs cannot load this model: ${reason}`, { cause: error });
  }
}

export async function predictWithTfjs(modelJsonPath: string, input: Float32Array, count: number, backend?: string): Promise<Predictions> {
  const chosen = await selectBackend(backend);
  const model = await loadTfjsModel(modelJsonPath);
  try {
    const [, ...imageShape] = model.inputs[0].shape as number[];
    const perImage = imageShape.reduce((a, b) => a * b, 1);
    const outputs: Float32Array[] = [];
    for (let start = 0; start < count; start += BATCH) {
      const size = Math.min(BATCH, count - start);
      const batch = tf.tensor(input.subarray(start * perImage, (start + size) * perImage), [size, ...imageShape]);
      const output = model.predict(batch) as tf.Tensor;
      outputs.push((await output.data()) as Float32Array);
      tf.dispose([batch, output]);
    }
    const classCount = model.outputs[0].shape[1] as number;
    return { source: `tfjs (${chosen})`, probabilities: concat(outputs), count, classCount };
  } finally {
    model.dispose();
  }
}

/** The devices parity compares by default: onnxruntime-node's CPU and onnxruntime-web's WebAssembly. */
export const PARITY_DEVICES: readonly ResolvedDevice[] = ['cpu', 'wasm'];

export async function predictWithRuntime(
  onnxPath: string,
  device: ResolvedDevice,
  input: Float32Array,
  count: number,
): Promise<Predictions> {
  const classifier = await runtimeCall(onnxPath, () => loadClassifier(onnxPath, { device }));
  try {
    const perImage = input.length / count;
    const outputs: Float32Array[] = [];
    for (let start = 0; start < count; start += BATCH) {
      const size = Math.min(BATCH, count - start);
      outputs.push(
        await runtimeCall(onnxPath, () => classifier.predictBatch(input.subarray(start * perImage, (start + size) * perImage), size)),
      );
    }
    return { source: describePlacement(classifier.placement), probabilities: concat(outputs), count, classCount: classifier.classCount };
  } finally {
    await classifier.dispose();
  }
}

/** Compares two prediction sets sample by sample. */
export function comparePredictions(a: Predictions, b: Predictions, thresholds: ParityThresholds): ParityPair {
  if (a.count !== b.count || a.classCount !== b.classCount) {
    throw new ParityError(`${a.source} predicted ${a.count}×${a.classCount} but ${b.source} predicted ${b.count}×${b.classCount}`);
  }
  const disagreements: number[] = [];
  let maxAbsDiff = 0;
  let sumAbsDiff = 0;
  let worstSample = 0;
  for (let sample = 0; sample < a.count; sample++) {
    const offset = sample * a.classCount;
    let sampleMax = 0;
    for (let k = 0; k < a.classCount; k++) {
      const diff = Math.abs(a.probabilities[offset + k] - b.probabilities[offset + k]);
      sumAbsDiff += diff;
      if (diff > sampleMax || Number.isNaN(diff)) sampleMax = Number.isNaN(diff) ? Infinity : diff;
    }
    if (sampleMax > maxAbsDiff) {
      maxAbsDiff = sampleMax;
      worstSample = sample;
    }
    if (argmax(a.probabilities, offset, a.top1Length ?? a.classCount) !== argmax(b.probabilities, offset, b.top1Length ?? b.classCount))
      disagreements.push(sample);
  }
  const top1Agreement = 1 - disagreements.length / a.count;
  return {
    a: a.source,
    b: b.source,
    samples: a.count,
    top1Agreement,
    maxAbsDiff,
    meanAbsDiff: a.classCount > 0 ? sumAbsDiff / (a.count * a.classCount) : 0,
    disagreements,
    worstSample,
    passed: top1Agreement >= thresholds.minTop1Agreement && maxAbsDiff <= thresholds.maxAbsDiff,
  };
}

/** Every pair of the given prediction sets, with the overall verdict. */
export function parityReport(predictions: Predictions[], thresholds: ParityThresholds): ParityReport {
  const pairs: ParityPair[] = [];
  for (let i = 0; i < predictions.length; i++) {
    for (let j = i + 1; j < predictions.length; j++) pairs.push(comparePredictions(predictions[i], predictions[j], thresholds));
  }
  return { thresholds, pairs, passed: pairs.every((pair) => pair.passed) };
}

/** One sentence naming the first failing pair and its worst sample, for the error a failed run ends with. */
export function describeParityFailure(report: ParityReport): string {
  const failed = report.pairs.filter((pair) => !pair.passed);
  return failed
    .map((pair) => {
      const agreement = `${(pair.top1Agreement * 100).toFixed(2)}% top-1 agreement (need ≥ ${(report.thresholds.minTop1Agreement * 100).toFixed(2)}%)`;
      const diff = `max |Δp| ${pair.maxAbsDiff.toExponential(2)} (allowed ${report.thresholds.maxAbsDiff.toExponential(0)}) at test sample ${pair.worstSample}`;
      return `${pair.a} vs ${pair.b}: ${agreement}, ${diff}`;
    })
    .join('; ');
}

export interface CheckParityOptions {
  tfjsModelPath: string;
  onnxPath: string;
  dataset: ImageDataset;
  thresholds?: ParityThresholds;
  /** The tfjs backend to predict with (default: the fastest that loads, as in training). */
  tfjsBackend?: string;
  /** Devices the ONNX model must run on (default PARITY_DEVICES). */
  devices?: readonly ResolvedDevice[];
  /** Devices added where they can run here (the pipeline's webgpu); the others are listed as skipped, with the reason. */
  devicesWhereAvailable?: readonly ResolvedDevice[];
  /** Called as each path finishes, for progress output. */
  onProgress?: (done: number, total: number, source: string) => void;
}

/**
 * Predicts the dataset's test split with tfjs and on each device, and compares every pair.
 * predictions[0] is tfjs's, then one per device that ran, in the order given.
 */
export async function checkParity(
  options: CheckParityOptions,
): Promise<{ report: ParityReport; predictions: Predictions[]; devices: ResolvedDevice[] }> {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  validateThresholds(thresholds);
  const preprocess = await readPreprocess(options.tfjsModelPath);
  const test = options.dataset.test;
  const input = normalizeImages(test, preprocess.scale, preprocess.offset);
  const required = options.devices ?? PARITY_DEVICES;
  const optional = (options.devicesWhereAvailable ?? []).filter((device) => !required.includes(device));
  const total = 1 + required.length + optional.length;
  const predictions = [await predictWithTfjs(options.tfjsModelPath, input, test.count, options.tfjsBackend)];
  options.onProgress?.(1, total, 'tfjs');
  const ran: ResolvedDevice[] = [];
  const skipped: { device: string; reason: string }[] = [];
  for (const device of [...required, ...optional]) {
    try {
      predictions.push(await predictWithRuntime(options.onnxPath, device, input, test.count));
      ran.push(device);
    } catch (error) {
      const unavailable = error instanceof UserError && error.cause instanceof BackendUnavailableError;
      if (!unavailable || required.includes(device)) throw error;
      skipped.push({ device, reason: (error.cause as Error).message });
    }
    options.onProgress?.(1 + ran.length + skipped.length, total, device);
  }
  const report = parityReport(predictions, thresholds);
  return { report: skipped.length > 0 ? { ...report, skipped } : report, predictions, devices: ran };
}

/**
 * The scale and offset that turn 0–255 pixels into model input, as training recorded them in
 * model.json (a model from elsewhere gets the common 1/255 scaling).
 */
export async function readPreprocess(modelJsonPath: string): Promise<{ scale: number; offset: number }> {
  const { modelJson } = await readTfjsModelFiles(modelJsonPath);
  const recorded = (modelJson.userDefinedMetadata as { preprocess?: { scale?: unknown; offset?: unknown } } | undefined)?.preprocess;
  if (recorded === undefined) return { scale: 1 / 255, offset: 0 };
  const { scale, offset } = recorded ?? {};
  if (typeof scale !== 'number' || typeof offset !== 'number' || !Number.isFinite(scale) || !Number.isFinite(offset)) {
    throw new InvalidInputError(`${modelJsonPath}: userDefinedMetadata.preprocess must hold a numeric scale and offset`);
  }
  return { scale, offset };
}

export function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

function concat(parts: Float32Array[]): Float32Array {
  const result = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
