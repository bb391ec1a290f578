/**
 * Parity for any model pair on seeded random inputs: a tfjs model (Layers, predicted with
 * tf.loadLayersModel, or a GraphModel, executed with @tensorflow/tfjs-converter) against its ONNX
 * file on each device (default cpu on onnxruntime-node and wasm on onnxruntime-web). Inputs follow the tfjs model's declared inputs (any
 * count, float32/int32/bool, the batch axis sized to the sample count); every output is compared,
 * each scaled by max(1, max |tfjs value|) so that one tolerance serves probabilities and raw
 * regressions alike. `checkModelPair` is the reusable unit: one tfjs model, one ONNX file.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { describePlacement, loadModel, type ResolvedDevice, type TensorData } from '@tfjs-onnx/runtime';
import onnxProto from 'onnx-proto';
import { InvalidInputError, InvalidOptionError } from '../common/errors.ts';
import { fileSystemLoader, readTfjsModelFiles } from '../common/tfjsModelFiles.ts';
import { createRandom } from '../training/random.ts';
import { selectBackend } from '../training/backends/select.ts';
import { DEFAULT_THRESHOLDS, PARITY_DEVICES, parityReport, type ParityReport, type ParityThresholds, type Predictions } from './parity.ts';
import { runtimeCall } from './runtimeErrors.ts';

type InputDtype = 'float32' | 'int32' | 'bool';

export interface DeclaredInput {
  name: string;
  dtype: InputDtype;
  /** Sizes; null where the model leaves the size open (the batch, usually). */
  shape: (number | null)[];
}

/** One batch of inputs, by position (the ONNX model's inputs are in the same order). */
interface InputBatch {
  tensors: tf.Tensor[];
  size: number;
}

export interface ModelPairOptions {
  tfjsModelPath: string;
  onnxPath: string;
  /** Number of random samples (≥ 1). */
  samples: number;
  seed?: number;
  thresholds?: ParityThresholds;
  tfjsBackend?: string;
  /** Devices the ONNX model runs on (default cpu and wasm); every pair with tfjs and each other is compared. */
  devices?: readonly ResolvedDevice[];
}

/** Per call at most this many samples, so memory stays flat for large sample counts. */
const MAX_BATCH = 32;

const { onnx } = onnxProto;

interface ReferenceModel {
  format: 'layers-model' | 'graph-model';
  inputs: DeclaredInput[];
  /** Output tensors per input batch, in the ONNX model's output order (GraphModel outputs are fetched by those names). */
  predict(batch: InputBatch, outputNames: string[]): Promise<tf.Tensor[]>;
  dispose(): void;
}

/** Compares tfjs and the ONNX model on each device (default cpu and wasm) on `samples` seeded random inputs. */
export async function checkModelPair(options: ModelPairOptions): Promise<{ report: ParityReport; predictions: Predictions[] }> {
  if (!Number.isInteger(options.samples) || options.samples < 1) throw new InvalidOptionError(`the number of random samples must be a positive integer, got ${options.samples}`);
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const backend = await selectBackend(options.tfjsBackend);
  const reference = await loadReference(options.tfjsModelPath);
  try {
    const onnxBytes = new Uint8Array(await readFile(options.onnxPath).catch((error: Error) => {
      throw new InvalidInputError(`cannot read ONNX model ${options.onnxPath}: ${error.message}`);
    }));
    const outputNames = (onnx.ModelProto.decode(onnxBytes).graph?.output ?? []).map((output) => output.name ?? '');
    const batches = randomBatches(reference.inputs, options.samples, options.seed ?? 1);
    const expected: tf.Tensor[][] = [];
    for (const batch of batches) expected.push(await reference.predict(batch, outputNames));
    const scales = outputScales(expected);
    const tfjs = toPredictions(`tfjs ${reference.format === 'graph-model' ? 'GraphModel' : 'Layers model'} (${backend})`, expected.map((outputs) => outputs.map((t) => t.dataSync() as ArrayLike<number>)), batches, scales);
    const predictions = [tfjs];
    for (const device of options.devices ?? PARITY_DEVICES) predictions.push(await predictOnnx(options.onnxPath, device, onnxBytes, batches, scales));
    tf.dispose(expected.flat());
    tf.dispose(batches.flatMap((batch) => batch.tensors));
    return { report: parityReport(predictions, thresholds), predictions };
  } finally {
    reference.dispose();
  }
}

async function loadReference(modelJsonPath: string): Promise<ReferenceModel> {
  const { modelJson } = await readTfjsModelFiles(modelJsonPath);
  const isGraph = modelJson.format === 'graph-model' || Array.isArray((modelJson.modelTopology as { node?: unknown }).node);
  return isGraph ? loadGraphReference(modelJsonPath) : loadLayersReference(modelJsonPath);
}

async function loadLayersReference(modelJsonPath: string): Promise<ReferenceModel> {
  const model = await tf.loadLayersModel(fileSystemLoader(modelJsonPath));
  return {
    format: 'layers-model',
    inputs: model.inputs.map((input) => ({ name: input.name, dtype: inputDtype(input.dtype, input.name), shape: [...input.shape] })),
    predict: async (batch) => {
      const output = model.predict(batch.tensors.length === 1 ? batch.tensors[0] : batch.tensors);
      return Array.isArray(output) ? output : [output];
    },
    dispose: () => model.dispose(),
  };
}

async function loadGraphReference(modelJsonPath: string): Promise<ReferenceModel> {
  const model: GraphModel = await loadGraphModel(fileSystemLoader(modelJsonPath));
  const inputs = model.inputs.map((input) => ({
    name: input.name.replace(/:0$/, ''),
    dtype: inputDtype(input.dtype ?? 'float32', input.name),
    shape: (input.shape ?? []).map((size) => (size === -1 ? null : size)),
  }));
  return {
    format: 'graph-model',
    inputs,
    predict: async (batch, outputNames) => {
      const feeds = Object.fromEntries(inputs.map((input, i) => [input.name, batch.tensors[i]]));
      return executeGraphModel(model, feeds, outputNames);
    },
    dispose: () => model.dispose(),
  };
}

/** execute() where the graph allows it; executeAsync() for dynamic shapes (Where, NonMaxSuppression) and control flow. */
export async function executeGraphModel(model: GraphModel, feeds: Record<string, tf.Tensor>, outputNames: string[]): Promise<tf.Tensor[]> {
  let output: tf.Tensor | tf.Tensor[];
  try {
    output = model.execute(feeds, outputNames);
  } catch (error) {
    if (!/executeAsync/.test((error as Error).message)) throw error;
    output = await model.executeAsync(feeds, outputNames);
  }
  return Array.isArray(output) ? output : [output];
}

function inputDtype(dtype: string, name: string): InputDtype {
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new InvalidInputError(`model input ${name} has dtype ${dtype}; random parity inputs can be float32, int32 or bool`);
}

/**
 * Seeded inputs in batches: float32 uniform in [0, 1) (image-like), int32 in [0, 255], bool 50/50.
 * A model with a fixed batch size gets as many calls as it takes; an open one up to MAX_BATCH per call.
 */
export function randomBatches(inputs: DeclaredInput[], samples: number, seed: number): InputBatch[] {
  const random = createRandom(seed);
  for (const input of inputs) {
    if (input.shape.slice(1).some((size) => size === null)) {
      throw new InvalidInputError(`model input ${input.name} has shape [${input.shape.map((s) => s ?? '?').join(', ')}]; random inputs need every size but the batch`);
    }
  }
  const fixedBatch = inputs.map((input) => input.shape[0]).find((size) => size !== null && size !== undefined);
  const perCall = fixedBatch ?? MAX_BATCH;
  const batches: InputBatch[] = [];
  for (let done = 0; done < samples; done += perCall) {
    const size = fixedBatch ?? Math.min(MAX_BATCH, samples - done);
    const tensors = inputs.map((input) => {
      const shape = [size, ...(input.shape.slice(1) as number[])];
      const count = shape.reduce((a, b) => a * b, 1);
      if (input.dtype === 'int32') return tf.tensor(Int32Array.from({ length: count }, () => Math.floor(256 * random())), shape, 'int32');
      if (input.dtype === 'bool') return tf.tensor(Uint8Array.from({ length: count }, () => (random() < 0.5 ? 1 : 0)), shape, 'bool');
      return tf.tensor(Float32Array.from({ length: count }, () => random()), shape, 'float32');
    });
    batches.push({ tensors, size });
  }
  return batches;
}

/** max(1, max |value|) of each output over every batch. */
function outputScales(outputs: tf.Tensor[][]): number[] {
  return outputs[0].map((_, k) => {
    let scale = 1;
    for (const batch of outputs) {
      const values = batch[k].dataSync() as ArrayLike<number>;
      for (let i = 0; i < values.length; i++) scale = Math.max(scale, Math.abs(values[i]));
    }
    return scale;
  });
}

/**
 * Samples as rows: every output's values for that sample, scaled, one after another. Top-1 is taken
 * over the first output (a classifier's probabilities).
 */
function toPredictions(source: string, outputs: ArrayLike<number | bigint | boolean>[][], batches: InputBatch[], scales: number[]): Predictions {
  const count = batches.reduce((sum, batch) => sum + batch.size, 0);
  const perSample = outputs[0].map((values) => values.length / batches[0].size);
  const rowLength = perSample.reduce((a, b) => a + b, 0);
  const rows = new Float32Array(count * rowLength);
  let sample = 0;
  batches.forEach((batch, b) => {
    for (let s = 0; s < batch.size; s++, sample++) {
      let offset = sample * rowLength;
      outputs[b].forEach((values, k) => {
        for (let i = 0; i < perSample[k]; i++) rows[offset + i] = Number(values[s * perSample[k] + i]) / scales[k];
        offset += perSample[k];
      });
    }
  });
  return { source, probabilities: rows, count, classCount: rowLength, top1Length: perSample[0] };
}

/** The ONNX model's outputs on one device, through the runtime's general Model (any inputs, any outputs). */
async function predictOnnx(onnxPath: string, device: ResolvedDevice, model: Uint8Array, batches: InputBatch[], scales: number[]): Promise<Predictions> {
  const loaded = await runtimeCall(onnxPath, () => loadModel(model, { device }));
  try {
    if (loaded.inputs.length !== batches[0].tensors.length) {
      throw new InvalidInputError(`the ONNX model has ${loaded.inputs.length} inputs but the tfjs model ${batches[0].tensors.length}`);
    }
    if (loaded.outputs.length !== scales.length) throw new InvalidInputError(`the ONNX model has ${loaded.outputs.length} outputs but the tfjs model ${scales.length}`);
    const outputs: ArrayLike<number | bigint | boolean>[][] = [];
    for (const batch of batches) {
      const feeds = Object.fromEntries(loaded.inputs.map((input, i) => {
        const tensor = batch.tensors[i];
        const data = tensor.dtype === 'bool' ? Uint8Array.from(tensor.dataSync() as Uint8Array) : tensor.dataSync();
        return [input.name, { type: tensor.dtype, dims: tensor.shape, data } as TensorData];
      }));
      const result = await runtimeCall(onnxPath, () => loaded.run(feeds));
      outputs.push(loaded.outputs.map((output) => result[output.name]!.data as ArrayLike<number>));
    }
    return toPredictions(describePlacement(loaded.placement), outputs, batches, scales);
  } finally {
    await loaded.dispose();
  }
}
