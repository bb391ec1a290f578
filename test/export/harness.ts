/**
 * Shared test machinery for the export stage: build a tfjs model with random weights, save it
 * with the project's own saver, convert it, check the ONNX file with the official checker, run it
 * on onnxruntime-node and compare with tfjs's predict on the same inputs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { fileSystemSaver } from '../../common/tfjsModelFiles.ts';
import { convertLayersModelToFile, type ConversionSummary, type ConvertOptions } from '../../export/index.ts';
import { createRandom } from '../../training/random.ts';

const run = promisify(execFile);

export async function useCpuBackend(): Promise<void> {
  // The cpu backend computes in plain float32, the reference onnxruntime is compared with.
  await tf.setBackend('cpu');
  await tf.ready();
}

const temporaryDirectories: string[] = [];

export async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'tfjs-onnx-export-'));
  temporaryDirectories.push(directory);
  return directory;
}

export async function removeTemporaryDirectories(): Promise<void> {
  await Promise.all(temporaryDirectories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
}

/** A deterministic pseudo-random stream (the training stage's seeded generator), so failures reproduce. */
export const seededRandom = createRandom;

/**
 * Gives every weight random values (biases and batchnorm statistics included, which are zeros
 * and ones after initialization and would hide mistakes); variances stay positive.
 */
/** A Sequential model of the given layers with random weights, so conversions are checked on non-trivial values. */
export function randomSequential(layers: tf.layers.Layer[], seed: number): tf.Sequential {
  const model = tf.sequential({ layers });
  randomizeWeights(model, seed);
  return model;
}

export function randomizeWeights(model: tf.LayersModel, seed = 1): void {
  const random = seededRandom(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((weight) => {
      const size = weight.shape.reduce((p: number, s) => p * (s ?? 1), 1);
      const isVariance = weight.originalName.endsWith('moving_variance');
      const data = Float32Array.from({ length: size }, () => (isVariance ? 0.5 + random() : random() - 0.5));
      return tf.tensor(data, weight.shape as number[]);
    });
    if (values.length > 0) layer.setWeights(values);
  }
}

export function randomInput(shape: number[], seed: number, low = -1, high = 1): tf.Tensor {
  const random = seededRandom(seed);
  const size = shape.reduce((p, s) => p * s, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => low + (high - low) * random()), shape);
}

/** Saves with the project's saver and returns the model.json path. */
export async function saveModel(model: tf.LayersModel): Promise<string> {
  const directory = path.join(await temporaryDirectory(), 'tfjs');
  await model.save(fileSystemSaver(directory));
  return path.join(directory, 'model.json');
}

/** Runs onnx.checker.check_model(full_check=True) (Python onnx) and fails with its message. */
export async function checkOnnxModel(onnxPath: string): Promise<void> {
  const script = 'import onnx, sys\nmodel = onnx.load(sys.argv[1])\nonnx.checker.check_model(model, full_check=True)\n';
  try {
    await run('/usr/bin/python3', ['-c', script, onnxPath]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`onnx.checker rejected ${onnxPath}:\n${stderr}`);
  }
}

export interface ExportedModel {
  onnxPath: string;
  summary: ConversionSummary & { fileBytes: number };
}

/**
 * Runs the official checker once over many files: a test file that converts dozens of small
 * models collects their paths and checks them all in one Python process (each start costs ~0.3 s).
 */
export class CheckerBatch {
  private readonly paths: string[] = [];

  add(onnxPath: string): void {
    this.paths.push(onnxPath);
  }

  get size(): number {
    return this.paths.length;
  }

  /** Checks every collected model; fails naming each rejected file with the checker's message. */
  async checkAll(): Promise<void> {
    const script = [
      'import onnx, sys',
      'failed = []',
      'for path in sys.argv[1:]:',
      '    try:',
      '        onnx.checker.check_model(onnx.load(path), full_check=True)',
      '    except Exception as error:',
      '        failed.append(path + ": " + str(error))',
      'if failed:',
      "    sys.exit(chr(10).join(failed))",
    ].join('\n');
    const paths = this.paths.splice(0);
    try {
      await run('/usr/bin/python3', ['-c', script, ...paths], { maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`onnx.checker rejected:\n${stderr}`);
    }
  }
}

/** Converts a saved model.json and runs the ONNX checker on the result (or queues it in `checker`). */
export async function exportChecked(modelJsonPath: string, options?: ConvertOptions & { checker?: CheckerBatch }): Promise<ExportedModel> {
  const onnxPath = path.join(path.dirname(path.dirname(modelJsonPath)), `model-${options?.opset ?? 13}.onnx`);
  const summary = await convertLayersModelToFile(modelJsonPath, onnxPath, options);
  if (options?.checker) options.checker.add(onnxPath);
  else await checkOnnxModel(onnxPath);
  return { onnxPath, summary };
}

export async function runOnnx(onnxPath: string, inputs: tf.Tensor[]): Promise<{ names: string[]; outputs: ort.Tensor[] }> {
  const session = await ort.InferenceSession.create(new Uint8Array(await readFile(onnxPath)));
  try {
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((name, i) => {
      const input = inputs[i];
      feeds[name] =
        input.dtype === 'int32'
          ? new ort.Tensor('int32', input.dataSync() as Int32Array, input.shape)
          : new ort.Tensor('float32', input.dataSync() as Float32Array, input.shape);
    });
    const result = await session.run(feeds);
    return { names: [...session.outputNames], outputs: session.outputNames.map((name) => result[name]) };
  } finally {
    await session.release();
  }
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

export interface ParityOptions extends ConvertOptions {
  /** Inputs to feed (default: uniform random in [-1, 1], batch 3). */
  inputs?: tf.Tensor[];
  /** Relative tolerance: max |onnx − expected| ≤ tolerance · max(1, max |expected|) (default 1e-4). */
  tolerance?: number;
  /** Expected outputs when tfjs cannot compute them itself (Keras-only options). */
  expected?: tf.Tensor[];
  /** Defer the official checker to one batched run (see CheckerBatch). */
  checker?: CheckerBatch;
}

/** max |expected|, the scale the tolerance is relative to. */
function largestMagnitude(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  return max;
}

/**
 * The core check: save → convert → onnx.checker → onnxruntime, against tfjs predict on the same
 * inputs; every output must match in shape and within `tolerance` · max(1, max |expected|).
 */
export async function expectOnnxMatchesTfjs(model: tf.LayersModel, options: ParityOptions = {}): Promise<ExportedModel> {
  const modelJson = await saveModel(model);
  return expectConvertedMatches(modelJson, model, options);
}

/**
 * Like expectOnnxMatchesTfjs, for a model.json already on disk (e.g. rewritten into another Keras
 * format). Without a tfjs `reference` model, `inputs` and `expected` must be given.
 */
export async function expectConvertedMatches(modelJson: string, reference: tf.LayersModel | undefined, options: ParityOptions = {}): Promise<ExportedModel> {
  if (!reference && (!options.inputs || !options.expected)) throw new Error('expectConvertedMatches needs inputs and expected outputs without a reference model');
  const exported = await exportChecked(modelJson, options);
  const inputs = options.inputs ?? (reference as tf.LayersModel).inputs.map((input, i) => randomInput([3, ...(input.shape.slice(1) as number[])], 100 + i));
  const predicted = options.expected ? undefined : (reference as tf.LayersModel).predict(inputs.length === 1 ? inputs[0] : inputs);
  const expected = options.expected ?? (Array.isArray(predicted) ? predicted : [predicted as tf.Tensor]);
  const { names, outputs } = await runOnnx(exported.onnxPath, inputs);
  expect(names).toEqual(exported.summary.outputs.map((output) => output.name));
  expect(outputs.length).toBe(expected.length);
  outputs.forEach((actual, i) => {
    expect(actual.dims, `shape of output ${names[i]}`).toEqual(expected[i].shape);
    const reference = expected[i].dataSync();
    const difference = maxAbsDifference(actual.data as Float32Array, reference);
    const bound = (options.tolerance ?? 1e-4) * Math.max(1, largestMagnitude(reference));
    expect(difference, `max |onnx − tfjs| of output ${names[i]}`).toBeLessThanOrEqual(bound);
  });
  return exported;
}

/** Edits a saved model.json in place (to produce Keras forms or options tfjs itself doesn't write). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function rewriteJson(modelJsonPath: string, edit: (json: any) => void): Promise<void> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  edit(json);
  await writeFile(modelJsonPath, JSON.stringify(json));
}

/** Op types of the converted graph, in node order. */
export function nodeOps(summary: ConversionSummary): string[] {
  return summary.layers.flatMap((layer) => layer.onnxNodes);
}
