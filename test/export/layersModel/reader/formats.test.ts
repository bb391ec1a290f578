/**
 * model.json written by other tools: older Keras (bare-list Sequential, model_config wrapper, no
 * InputLayer), Keras 3 (args/keras_history inbound nodes, batch_shape, DTypePolicy, weights saved
 * by position) and the tfjs converter's quantized weights. Each is produced from a tfjs model whose
 * predictions are the reference.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Float16Array } from '@petamoriken/float16';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemLoader } from '../../../../common/tfjsModelFiles.ts';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectConvertedMatches, randomizeWeights, rewriteJson, saveModel } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

/** A small functional CNN with a branch and a merge, the shape of models these formats carry. */
function branchyModel(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2], name: 'image' });
  const conv = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'conv' }), input);
  const bn = apply(tf.layers.batchNormalization({ name: 'bn' }), conv);
  const relu = apply(tf.layers.activation({ activation: 'relu', name: 'relu' }), bn);
  const side = apply(tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'side' }), input);
  const sum = apply(tf.layers.add({ name: 'sum' }), [relu, side]);
  const pooled = apply(tf.layers.globalAveragePooling2d({ name: 'pool' }), sum);
  const output = apply(tf.layers.dense({ units: 4, activation: 'softmax', name: 'probs' }), pooled);
  const model = tf.model({ inputs: input, outputs: output, name: 'branchy' });
  randomizeWeights(model, seed);
  return model;
}

describe('older Keras model.json forms', () => {
  it('reads a hand-written Keras 2.0 Sequential (config as a bare list, batch_input_shape on the first layer)', async () => {
    const reference = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, activation: 'relu', name: 'conv2d_1' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d_1' }),
        tf.layers.flatten({ name: 'flatten_1' }),
        tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense_1' }),
      ],
    });
    randomizeWeights(reference, 81);
    const modelJson = await saveModel(reference);
    // The topology as Keras 2.0 wrote it, with old class names and ":0" weight suffixes.
    const kerasTopology = {
      keras_version: '2.0.8',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: [
          {
            class_name: 'Convolution2D',
            config: {
              name: 'conv2d_1',
              trainable: true,
              batch_input_shape: [null, 5, 5, 1],
              dtype: 'float32',
              filters: 2,
              kernel_size: [3, 3],
              strides: [1, 1],
              padding: 'valid',
              data_format: 'channels_last',
              dilation_rate: [1, 1],
              activation: 'relu',
              use_bias: true,
            },
          },
          {
            class_name: 'MaxPooling2D',
            config: {
              name: 'max_pooling2d_1',
              trainable: true,
              pool_size: [2, 2],
              padding: 'valid',
              strides: [2, 2],
              data_format: 'channels_last',
            },
          },
          { class_name: 'Flatten', config: { name: 'flatten_1', trainable: true } },
          { class_name: 'Dense', config: { name: 'dense_1', trainable: true, units: 3, activation: 'softmax', use_bias: true } },
        ],
      },
    };
    await rewriteJson(modelJson, (json) => {
      json.modelTopology = kerasTopology;
      for (const spec of json.weightsManifest[0].weights) spec.name = `${spec.name}:0`;
    });
    const { summary } = await expectConvertedMatches(modelJson, reference);
    expect(summary.inputs).toEqual([{ name: 'conv2d_1_input', shape: ['batch', 5, 5, 1] }]);
    expect(summary.outputs[0].name).toBe('dense_1');
  });

  it('reads a functional model under model_config with old-style inbound nodes', async () => {
    const reference = branchyModel(82);
    const modelJson = await saveModel(reference);
    await rewriteJson(modelJson, (json) => {
      const { class_name, config } = json.modelTopology;
      json.modelTopology = { keras_version: '2.2.4', backend: 'tensorflow', model_config: { class_name, config } };
      expect(config.layers.find((l: { name: string }) => l.name === 'sum').inbound_nodes).toEqual([
        [
          ['relu', 0, 0, {}],
          ['side', 0, 0, {}],
        ],
      ]);
    });
    await expectConvertedMatches(modelJson, reference);
  });
});

/** Keras 3 variable order within a layer, for its index-named weights. */
const kerasVariableOrder = ['kernel', 'depthwise_kernel', 'pointwise_kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance'];

/** Rewrites a tfjs-saved functional model.json the way Keras 3 + the tfjs converter write it. */
function toKeras3(json: {
  modelTopology: { class_name: string; config: Record<string, unknown> };
  weightsManifest: { weights: { name: string }[] }[];
}): void {
  const config = json.modelTopology.config as { layers: Record<string, unknown>[]; input_layers: unknown[]; output_layers: unknown[] };
  const shapes = new Map<string, unknown>();
  const tensor = ([name, node, index]: unknown[]) => ({
    class_name: '__keras_tensor__',
    config: { shape: shapes.get(name as string) ?? null, dtype: 'float32', keras_history: [name, node, index] },
  });
  for (const layer of config.layers) {
    const layerConfig = layer.config as Record<string, unknown>;
    layer.module = 'keras.layers';
    layer.registered_name = null;
    layerConfig.dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    if (layer.class_name === 'InputLayer') {
      layerConfig.batch_shape = layerConfig.batch_input_shape;
      delete layerConfig.batch_input_shape;
    }
    const nodes = layer.inbound_nodes as unknown[][][];
    layer.inbound_nodes = nodes.map((node) => ({
      args: node.length === 1 ? [tensor(node[0])] : [node.map((ref) => tensor(ref))],
      kwargs: layer.class_name === 'Dropout' ? { training: false } : {},
    }));
  }
  json.modelTopology.class_name = 'Functional';
  // A single input or output is written as a bare [name, node, tensor] triple.
  config.input_layers = config.input_layers[0] as unknown[];
  const counters = new Map<string, string[]>();
  for (const spec of json.weightsManifest[0].weights) {
    const [layer, variable] = spec.name.split('/');
    counters.set(layer, [...(counters.get(layer) ?? []), variable]);
  }
  for (const spec of json.weightsManifest[0].weights) {
    const [layer, variable] = spec.name.split('/');
    const order = counters.get(layer)!.sort((a, b) => kerasVariableOrder.indexOf(a) - kerasVariableOrder.indexOf(b));
    spec.name = `${layer}/${order.indexOf(variable)}`;
  }
}

describe('Keras 3 model.json', () => {
  it('reads args/keras_history inbound nodes, batch_shape, DTypePolicy dtypes and index-named weights', async () => {
    const reference = branchyModel(83);
    const modelJson = await saveModel(reference);
    await rewriteJson(modelJson, toKeras3);
    const written = JSON.parse(await readFile(modelJson, 'utf8'));
    expect(written.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('bn/3');
    const { summary } = await expectConvertedMatches(modelJson, reference);
    expect(summary.inputs).toEqual([{ name: 'image', shape: ['batch', 6, 6, 2] }]);
    expect(summary.outputs).toEqual([{ name: 'probs', shape: ['batch', 4] }]);
  });
});

/**
 * Re-encodes every weight of a saved model the way `tensorflowjs_converter --quantize_*` does,
 * cycling through uint8, uint16 and float16, into one new shard.
 */
async function quantizeSavedModel(modelJsonPath: string): Promise<void> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  const directory = path.dirname(modelJsonPath);
  const group = json.weightsManifest[0];
  const data = new Float32Array((await readFile(path.join(directory, group.paths[0]))).buffer.slice(0));
  const chunks: Uint8Array[] = [];
  let offset = 0;
  group.weights.forEach((spec: { shape: number[]; quantization?: unknown }, i: number) => {
    const size = spec.shape.reduce((p, s) => p * s, 1);
    const values = data.subarray(offset, offset + size);
    offset += size;
    const dtype = (['uint8', 'uint16', 'float16'] as const)[i % 3];
    if (dtype === 'float16') {
      chunks.push(new Uint8Array(new Float16Array(values).buffer));
      spec.quantization = { dtype };
      return;
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    const min = Math.min(...values);
    const scale = (Math.max(...values) - min) / levels || 1;
    const quantized = Array.from(values, (v) => Math.round((v - min) / scale));
    chunks.push(new Uint8Array((dtype === 'uint8' ? Uint8Array.from(quantized) : Uint16Array.from(quantized)).buffer));
    spec.quantization = { dtype, min, scale };
  });
  group.paths = ['quantized.bin'];
  await writeFile(path.join(directory, 'quantized.bin'), Buffer.concat(chunks));
  await writeFile(modelJsonPath, JSON.stringify(json));
}

describe('quantized weights', () => {
  it('dequantizes uint8, uint16 and float16 weights exactly as tfjs does on load', async () => {
    const model = branchyModel(84);
    const modelJson = await saveModel(model);
    await quantizeSavedModel(modelJson);
    const written = JSON.parse(await readFile(modelJson, 'utf8'));
    const kinds = written.weightsManifest[0].weights.map((w: { quantization: { dtype: string } }) => w.quantization.dtype);
    expect(new Set(kinds)).toEqual(new Set(['uint8', 'uint16', 'float16']));
    // The reference is tfjs loading the same quantized files, so both sides see the same dequantized values.
    const dequantized = await tf.loadLayersModel(fileSystemLoader(modelJson));
    const x = randomTensor([3, 6, 6, 2], 9);
    await expectConvertedMatches(modelJson, dequantized, { inputs: [x] });
    // And quantization really changed the values (the test would prove nothing otherwise).
    const original = model.predict(x) as tf.Tensor;
    const quantizedPrediction = dequantized.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(original, quantizedPrediction))).dataSync()[0]).toBeGreaterThan(0);
  });
});
