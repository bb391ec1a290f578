/**
 * Layers models in the tests: build a tfjs model with random weights, save it with the project's
 * own saver, convert it, check the ONNX file with the official checker, run it on
 * onnxruntime-node and compare with tfjs's predict on the same inputs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { fileSystemSaver } from '../../../common/tfjsModelFiles.ts';
import { convertLayersModelToFile, type ConversionSummary, type ConvertOptions } from '../../../export/index.ts';
import {
  type CheckerBatch,
  type ConvertedModel,
  checkOnnxModel,
  expectClose,
  randomTensor,
  runOnnxInOrder,
  seededRandom,
  temporaryDirectory,
} from '../harness.ts';
import type { UntypedDocument } from '../../helpers/untyped.ts';

/** A layer applied to symbolic tensors, as its one output (tfjs types apply's result as any of several kinds). */
export const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[], kwargs?: object) =>
  layer.apply(x, kwargs) as tf.SymbolicTensor;
/** A layer applied to a symbolic tensor, as its several outputs (return_state, Bidirectional without merge). */
export const applyAll = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor[];

/** A Sequential model of the given layers with random weights, so conversions are checked on non-trivial values. */
export function randomSequential(layers: tf.layers.Layer[], seed: number): tf.Sequential {
  const model = tf.sequential({ layers });
  randomizeWeights(model, seed);
  return model;
}

/**
 * Gives every weight random values (biases and batchnorm statistics included, which are zeros
 * and ones after initialization and would hide mistakes); variances stay positive.
 */
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

/** Saves with the project's saver and returns the model.json path. */
export async function saveModel(model: tf.LayersModel): Promise<string> {
  const directory = path.join(await temporaryDirectory(), 'tfjs');
  await model.save(fileSystemSaver(directory));
  return path.join(directory, 'model.json');
}

/** Converts a saved model.json and runs the ONNX checker on the result (or queues it in `checker`). */
export async function exportChecked(modelJsonPath: string, options?: ConvertOptions & { checker?: CheckerBatch }): Promise<ConvertedModel> {
  const onnxPath = path.join(path.dirname(path.dirname(modelJsonPath)), `model-${options?.opset ?? 13}.onnx`);
  const summary = await convertLayersModelToFile(modelJsonPath, onnxPath, options);
  if (options?.checker) options.checker.add(onnxPath);
  else await checkOnnxModel(onnxPath);
  return { onnxPath, summary };
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

/**
 * The core check: save → convert → onnx.checker → onnxruntime, against tfjs predict on the same
 * inputs; every output must match in shape and within `tolerance` · max(1, max |expected|).
 */
export async function expectOnnxMatchesTfjs(model: tf.LayersModel, options: ParityOptions = {}): Promise<ConvertedModel> {
  const modelJson = await saveModel(model);
  return expectConvertedMatches(modelJson, model, options);
}

/**
 * Like expectOnnxMatchesTfjs, for a model.json already on disk (e.g. rewritten into another Keras
 * format). Without a tfjs `reference` model, `inputs` and `expected` must be given.
 */
export async function expectConvertedMatches(
  modelJson: string,
  reference: tf.LayersModel | undefined,
  options: ParityOptions = {},
): Promise<ConvertedModel> {
  if (!reference && (!options.inputs || !options.expected))
    throw new Error('expectConvertedMatches needs inputs and expected outputs without a reference model');
  const exported = await exportChecked(modelJson, options);
  const inputs =
    options.inputs ??
    (reference as tf.LayersModel).inputs.map((input, i) => randomTensor([3, ...(input.shape.slice(1) as number[])], 100 + i));
  const predicted = options.expected ? undefined : (reference as tf.LayersModel).predict(inputs.length === 1 ? inputs[0] : inputs);
  const expected = options.expected ?? (Array.isArray(predicted) ? predicted : [predicted as tf.Tensor]);
  const { names, outputs } = await runOnnxInOrder(exported.onnxPath, inputs);
  expect(names).toEqual(exported.summary.outputs.map((output) => output.name));
  expect(outputs.length).toBe(expected.length);
  outputs.forEach((actual, i) => {
    expectClose(actual, expected[i], `output ${names[i]}`, options.tolerance ?? 1e-4);
  });
  return exported;
}

/** Edits a saved model.json in place (to produce Keras forms or options tfjs itself doesn't write). */
export async function rewriteJson(modelJsonPath: string, edit: (json: UntypedDocument) => void): Promise<void> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  edit(json);
  await writeFile(modelJsonPath, JSON.stringify(json));
}

/** Op types of the converted graph, in node order. */
export function nodeOps(summary: ConversionSummary): string[] {
  return summary.layers.flatMap((layer) => layer.onnxNodes);
}
