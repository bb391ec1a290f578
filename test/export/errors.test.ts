/** Corrupt or unsupported input: a clear UserError naming the file, weight, layer or option — and no output file. */
import { access, appendFile, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { convertLayersModelToFile, type ConvertOptions } from '../../export/index.ts';
import { removeTemporaryDirectories, useCpuBackend } from './harness.ts';
import { rewriteJson, saveModel } from './layersModel/harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

async function savedDenseModel(): Promise<string> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, name: 'conv' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 3, name: 'dense' }),
    ],
  });
  return saveModel(model);
}

/** Converts, expecting a UserError whose message matches every pattern, and checks nothing was written. */
async function expectConversionError(modelJson: string, patterns: (string | RegExp)[], options?: ConvertOptions): Promise<void> {
  const onnxPath = path.join(path.dirname(modelJson), 'out.onnx');
  const error = await convertLayersModelToFile(modelJson, onnxPath, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  for (const pattern of patterns) expect((error as Error).message).toMatch(pattern);
  await expect(access(onnxPath)).rejects.toThrow();
}

const shardOf = (modelJson: string) => path.join(path.dirname(modelJson), 'group1-shard1of1.bin');

describe('corrupt input', () => {
  it('rejects malformed JSON, naming the file', async () => {
    const modelJson = await savedDenseModel();
    await writeFile(modelJson, '{"modelTopology": ');
    await expectConversionError(modelJson, [modelJson, /not valid JSON/]);
  });

  it('rejects a missing shard, naming it', async () => {
    const modelJson = await savedDenseModel();
    await rm(shardOf(modelJson));
    await expectConversionError(modelJson, [shardOf(modelJson), /cannot be read/]);
  });

  it('rejects a shard whose size differs from the manifest', async () => {
    const modelJson = await savedDenseModel();
    await appendFile(shardOf(modelJson), new Uint8Array(8));
    await expectConversionError(modelJson, [/group1-shard1of1\.bin/, /bytes/]);
  });

  it('rejects a manifest weight that belongs to no layer, naming it', async () => {
    const modelJson = await savedDenseModel();
    await rewriteJson(modelJson, (json) => json.weightsManifest[0].weights.push({ name: 'ghost/kernel', shape: [2], dtype: 'float32' }));
    await appendFile(shardOf(modelJson), new Uint8Array(8));
    await expectConversionError(modelJson, [/weight ghost\/kernel/, /no layer/]);
  });

  it('rejects a weight the layer does not use (bias present, use_bias false), naming it', async () => {
    const modelJson = await savedDenseModel();
    await rewriteJson(modelJson, (json) => (json.modelTopology.config.layers[2].config.use_bias = false));
    await expectConversionError(modelJson, [/weight dense\/bias \(layer "dense", Dense\)/, /does not use/]);
  });

  it('rejects a topology weight missing from the manifest, naming it', async () => {
    const modelJson = await savedDenseModel();
    const json = JSON.parse(await readFile(modelJson, 'utf8'));
    const weights = json.weightsManifest[0].weights as { name: string; shape: number[] }[];
    const removed = weights.findIndex((w) => w.name === 'dense/bias');
    const removedBytes = 4 * weights[removed].shape.reduce((p, s) => p * s, 1);
    const total = weights.reduce((sum, w) => sum + 4 * w.shape.reduce((p, s) => p * s, 1), 0);
    expect(removed).toBe(weights.length - 1);
    weights.splice(removed, 1);
    await writeFile(modelJson, JSON.stringify(json));
    await truncate(shardOf(modelJson), total - removedBytes);
    await expectConversionError(modelJson, [/layer "dense" \(Dense\)/, /dense\/bias/, /missing/]);
  });

  it('rejects a weight whose shape does not fit the layer', async () => {
    const modelJson = await savedDenseModel();
    await rewriteJson(modelJson, (json) => (json.modelTopology.config.layers[2].config.units = 2));
    await expectConversionError(modelJson, [/weight dense\/kernel/, /\[8, 3\]/, /\[8, 2\]/]);
  });

  it('rejects a tfjs graph model', async () => {
    const modelJson = await savedDenseModel();
    await rewriteJson(modelJson, (json) => (json.format = 'graph-model'));
    await expectConversionError(modelJson, [/graph-model/, /Layers models/]);
  });

  it('rejects a layer that refers to an unknown layer', async () => {
    const input = tf.input({ shape: [3], name: 'in' });
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'd' }).apply(input) as tf.SymbolicTensor });
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => (json.modelTopology.config.layers[1].inbound_nodes = [[['nowhere', 0, 0, {}]]]));
    await expectConversionError(modelJson, [/"nowhere"/]);
  });
});

describe('unsupported models and options', () => {
  it('lists every unsupported class and activation of the model at once: class, count, first layer, and the plugin API', async () => {
    const input = tf.input({ shape: [4, 4, 2], name: 'image' });
    const names = ['shuffle_a', 'shuffle_b', 'odd', 'head'];
    let x = input;
    for (const name of names) x = tf.layers.conv2d({ filters: 2, kernelSize: 1, name }).apply(x) as tf.SymbolicTensor;
    const inner = tf.sequential({ name: 'base', layers: [tf.layers.dense({ inputShape: [2], units: 2, name: 'inner_dense' })] });
    const model = tf.model({
      inputs: input,
      outputs: [x, inner.apply(tf.layers.flatten({}).apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor],
    });
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      for (const layer of json.modelTopology.config.layers) {
        if (layer.name === 'shuffle_a' || layer.name === 'shuffle_b') layer.class_name = 'PixelShuffle';
        if (layer.name === 'odd') layer.class_name = 'Sparse';
        if (layer.name === 'head') layer.config.activation = 'sparsemax';
        // Inside the nested model too.
        if (layer.class_name === 'Sequential') layer.config.layers[0].config.activation = 'sparsemax';
      }
    });
    await expectConversionError(modelJson, [
      /PixelShuffle \(2 layers, first "shuffle_a"\)/,
      /Sparse \(1 layer, first "odd"\)/,
      /activations sparsemax \(2 layers, first "head"\)/,
      /supported activations: .*hardSigmoid.*geluNew/,
      /registerLayerConverter\(\) from tfjs-onnx-cli\/plugins/,
      /--plugin/,
    ]);
  });

  it('reports every layer with an unsupported option in one error', async () => {
    const input = tf.input({ shape: [4, 3], name: 'sequence' });
    const first = tf.layers.lstm({ units: 2, name: 'carried' }).apply(input) as tf.SymbolicTensor;
    const second = tf.layers.conv1d({ filters: 2, kernelSize: 2, name: 'conv' }).apply(input) as tf.SymbolicTensor;
    const after = tf.layers.dense({ units: 2, name: 'after' }).apply(first) as tf.SymbolicTensor;
    const modelJson = await saveModel(tf.model({ inputs: input, outputs: [after, second] }));
    await rewriteJson(modelJson, (json) => {
      for (const layer of json.modelTopology.config.layers) {
        if (layer.name === 'carried') layer.config.stateful = true;
        if (layer.name === 'conv') layer.config.padding = 'full';
      }
    });
    await expectConversionError(modelJson, [
      /2 layers use options/,
      /layer "carried" \(LSTM\): option stateful=true/,
      /keeps no state between runs/,
      /layer "conv" \(Conv1D\): option padding="full"/,
    ]);
  });

  it('names an unsupported option value and lists the supported values', async () => {
    const modelJson = await savedDenseModel();
    await rewriteJson(modelJson, (json) => (json.modelTopology.config.layers[0].config.padding = 'causal'));
    await expectConversionError(modelJson, [/layer "conv" \(Conv2D\)/, /option padding="causal"/, /supported: "valid", "same"/]);
  });

  it('rejects opsets outside 13–17', async () => {
    const modelJson = await savedDenseModel();
    await expectConversionError(modelJson, [/opset must be an integer from 13 to 17, got 12/], { opset: 12 });
    await expectConversionError(modelJson, [/got 18/], { opset: 18 });
  });

  it('rejects invalid labels and preprocess options', async () => {
    const modelJson = await savedDenseModel();
    await expectConversionError(modelJson, [/labels/], { labels: [] });
    await expectConversionError(modelJson, [/preprocess: layout/], { preprocess: { layout: 'HWC' } as never });
  });
});
