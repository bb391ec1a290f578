/**
 * Parity for any model pair on seeded random inputs: a tfjs model (Layers, predicted with
 * tf.loadLayersModel, or a GraphModel, executed with @tensorflow/tfjs-converter) against its ONNX
 * file on each device (default cpu on onnxruntime-node and wasm on onnxruntime-web). Inputs follow the tfjs model's declared inputs (any
 * count, float32/int32/bool, the batch axis sized to the sample count, sizes a Placeholder leaves
 * open taken from the GraphModel's signature); a GraphModel runs with execute(), or executeAsync()
 * when it has control flow or data-dependent shapes. Every output is compared, each scaled by
 * max(1, max |tfjs value|) so that one tolerance serves probabilities and raw regressions alike;
 * outputs whose shape depends on the data are compared by shape and then values (parityOutputs.ts).
 * `checkModelPair` is the reusable unit: one tfjs model, one ONNX file.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { describePlacement, loadModel, type ResolvedDevice, type TensorData } from '@tfjs-onnx/runtime';
import { formatShape, type ElementType, type SourceFormat } from '@tfjs-onnx/runtime/constants';
import onnxProto from 'onnx-proto';
import { InvalidInputError, InvalidOptionError } from '../common/errors.ts';
import { fileSystemLoader, readTfjsModelFiles } from '../common/tfjsModelFiles.ts';
import { createRandom } from '../training/random.ts';
import { selectBackend } from '../training/backends/select.ts';
import { DEFAULT_THRESHOLDS, PARITY_DEVICES, parityReport, type ParityReport, type ParityThresholds, type Predictions } from './parity.ts';
import { compareWholeOutputs, outputScales, splitOutputs, toPredictions, type OutputValues, type RuntimeOutputs } from './parityOutputs.ts';
import { runtimeCall } from './runtimeErrors.ts';

/** The element types random inputs are drawn in. */
type RandomElementType = Extract<ElementType, 'float32' | 'int32' | 'bool'>;

export interface DeclaredInput {
  name: string;
  elementType: RandomElementType;
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
  format: SourceFormat;
  inputs: DeclaredInput[];
  /** Output tensors per input batch, in the ONNX model's output order (GraphModel outputs are fetched by those names). */
  predict(batch: InputBatch, outputNames: string[]): Promise<tf.Tensor[]>;
  dispose(): void;
}

/** Compares tfjs and the ONNX model on each device (default cpu and wasm) on `samples` seeded random inputs. */
export async function checkModelPair(options: ModelPairOptions): Promise<{ report: ParityReport; predictions: Predictions[] }> {
  if (!Number.isInteger(options.samples) || options.samples < 1)
    throw new InvalidOptionError(`the number of random samples must be a positive integer, got ${options.samples}`);
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const backend = await selectBackend(options.tfjsBackend);
  const reference = await loadReference(options.tfjsModelPath);
  try {
    const onnxBytes = new Uint8Array(
      await readFile(options.onnxPath).catch((error: Error) => {
        throw new InvalidInputError(`cannot read ONNX model ${options.onnxPath}: ${error.message}`);
      }),
    );
    const outputNames = (onnx.ModelProto.decode(onnxBytes).graph?.output ?? []).map((output) => output.name ?? '');
    const batches = randomBatches(reference.inputs, options.samples, options.seed ?? 1);
    const tfjs: RuntimeOutputs = {
      source: `tfjs ${reference.format === 'graph-model' ? 'GraphModel' : 'Layers model'} (${backend})`,
      batches: [],
    };
    for (const batch of batches) {
      const outputs = await reference.predict(batch, outputNames);
      tfjs.batches.push(outputs.map((tensor) => ({ data: tensor.dataSync() as ArrayLike<number>, dims: tensor.shape })));
      tf.dispose(outputs);
    }
    const runs = [tfjs];
    for (const device of options.devices ?? PARITY_DEVICES) runs.push(await runOnnx(options.onnxPath, device, onnxBytes, batches));
    tf.dispose(batches.flatMap((batch) => batch.tensors));
    const sizes = batches.map((batch) => batch.size);
    const split = splitOutputs(outputNames, sizes, runs);
    const scales = outputScales(tfjs, outputNames.length);
    const predictions = runs.map((run) => toPredictions(run, split.perSample, sizes, scales));
    const report = compareWholeOutputs(parityReport(predictions, thresholds), outputNames, runs, split.whole, scales, thresholds);
    return { report, predictions };
  } finally {
    reference.dispose();
  }
}

async function loadReference(modelJsonPath: string): Promise<ReferenceModel> {
  const { modelJson } = await readTfjsModelFiles(modelJsonPath);
  const isGraph = modelJson.format === 'graph-model' || Array.isArray((modelJson.modelTopology as { node?: unknown }).node);
  return isGraph ? loadGraphReference(modelJsonPath, signatureInputShapes(modelJson.signature)) : loadLayersReference(modelJsonPath);
}

async function loadLayersReference(modelJsonPath: string): Promise<ReferenceModel> {
  const model = await tf.loadLayersModel(fileSystemLoader(modelJsonPath));
  return {
    format: 'layers-model',
    inputs: model.inputs.map((input) => ({
      name: input.name,
      elementType: randomElementType(input.dtype, input.name),
      shape: [...input.shape],
    })),
    predict: async (batch) => {
      const output = model.predict(batch.tensors.length === 1 ? batch.tensors[0] : batch.tensors);
      return Array.isArray(output) ? output : [output];
    },
    dispose: () => model.dispose(),
  };
}

/**
 * Input sizes a GraphModel's signature declares (`tensorShape`), by input name: a Placeholder may
 * leave an image's height and width open while the signature gives the size the model expects.
 */
export function signatureInputShapes(signature: unknown): Map<string, (number | null)[]> {
  const inputs =
    (signature as { inputs?: Record<string, { name?: string; tensorShape?: { dim?: { size?: string | number }[] } }> } | undefined)
      ?.inputs ?? {};
  return new Map(
    Object.entries(inputs).map(([key, info]) => [
      (info.name ?? key).replace(/:0$/, ''),
      (info.tensorShape?.dim ?? []).map((dim) => (dim.size === undefined || Number(dim.size) < 0 ? null : Number(dim.size))),
    ]),
  );
}

async function loadGraphReference(modelJsonPath: string, declared: Map<string, (number | null)[]>): Promise<ReferenceModel> {
  const model: GraphModel = await loadGraphModel(fileSystemLoader(modelJsonPath));
  const inputs = model.inputs.map((input) => {
    const name = input.name.replace(/:0$/, '');
    const shape = (input.shape ?? []).map((size) => (size === -1 ? null : size));
    const signature = declared.get(name);
    return {
      name,
      elementType: randomElementType(input.dtype ?? 'float32', input.name),
      shape: signature?.length === shape.length ? shape.map((size, i) => size ?? signature[i]) : shape,
    };
  });
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

/** The element type of a tfjs model input (tfjs calls it the input's dtype), if random inputs can be drawn in it. */
function randomElementType(elementType: string, name: string): RandomElementType {
  if (elementType === 'float32' || elementType === 'int32' || elementType === 'bool') return elementType;
  throw new InvalidInputError(`model input ${name} has element type ${elementType}; random parity inputs can be float32, int32 or bool`);
}

/**
 * Seeded inputs in batches: float32 uniform in [0, 1) (image-like), int32 in [0, 255], bool 50/50.
 * A model with a fixed batch size gets as many calls as it takes; an open one up to MAX_BATCH per call.
 */
export function randomBatches(inputs: DeclaredInput[], samples: number, seed: number): InputBatch[] {
  const random = createRandom(seed);
  for (const input of inputs) {
    if (input.shape.slice(1).some((size) => size === null)) {
      throw new InvalidInputError(
        `model input ${input.name} has shape ${formatShape(input.shape)}; random inputs need every size but the batch`,
      );
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
      if (input.elementType === 'int32')
        return tf.tensor(
          Int32Array.from({ length: count }, () => Math.floor(256 * random())),
          shape,
          'int32',
        );
      if (input.elementType === 'bool')
        return tf.tensor(
          Uint8Array.from({ length: count }, () => (random() < 0.5 ? 1 : 0)),
          shape,
          'bool',
        );
      return tf.tensor(
        Float32Array.from({ length: count }, () => random()),
        shape,
        'float32',
      );
    });
    batches.push({ tensors, size });
  }
  return batches;
}

/** The ONNX model's outputs on one device, through the runtime's general Model (any inputs, any outputs). */
async function runOnnx(onnxPath: string, device: ResolvedDevice, model: Uint8Array, batches: InputBatch[]): Promise<RuntimeOutputs> {
  const loaded = await runtimeCall(onnxPath, () => loadModel(model, { device }));
  try {
    if (loaded.inputs.length !== batches[0].tensors.length) {
      throw new InvalidInputError(`the ONNX model has ${loaded.inputs.length} inputs but the tfjs model ${batches[0].tensors.length}`);
    }
    const outputs: OutputValues[][] = [];
    for (const batch of batches) {
      const feeds = Object.fromEntries(
        loaded.inputs.map((input, i) => {
          const tensor = batch.tensors[i];
          const data = tensor.dtype === 'bool' ? Uint8Array.from(tensor.dataSync() as Uint8Array) : tensor.dataSync();
          return [input.name, { type: tensor.dtype, dims: tensor.shape, data } as TensorData];
        }),
      );
      const result = await runtimeCall(onnxPath, () => loaded.run(feeds));
      outputs.push(
        loaded.outputs.map((output) => ({ data: result[output.name]!.data as ArrayLike<number>, dims: result[output.name]!.dims })),
      );
    }
    return { source: describePlacement(loaded.placement), batches: outputs };
  } finally {
    await loaded.dispose();
  }
}
