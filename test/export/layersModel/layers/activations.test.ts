import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectConvertedMatches, expectOnnxMatchesTfjs, nodeOps, randomizeWeights, rewriteJson, saveModel } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('activation layers', () => {
  it('converts ReLU (max_value), LeakyReLU, ELU, ThresholdedReLU and Softmax', async () => {
    const input = tf.input({ shape: [4, 6] });
    const layers = [
      tf.layers.reLU({ name: 'relu' }),
      tf.layers.reLU({ maxValue: 0.5, name: 'relu_capped' }),
      tf.layers.leakyReLU({ name: 'leaky_default' }),
      tf.layers.leakyReLU({ alpha: 0.05, name: 'leaky' }),
      tf.layers.elu({ name: 'elu' }),
      tf.layers.thresholdedReLU({ theta: 0.4, name: 'thresholded' }),
      tf.layers.softmax({ axis: -1, name: 'softmax_last' }),
    ];
    const model = tf.model({ inputs: input, outputs: layers.map((layer) => layer.apply(input) as tf.SymbolicTensor) });
    const x = tf.mul(randomTensor([3, 4, 6], 41), 2);
    await expectOnnxMatchesTfjs(model, { inputs: [x] });
  });

  it('converts PReLU with and without shared axes on NCHW-stored tensors', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [5, 4, 2], filters: 3, kernelSize: 3, padding: 'same' }),
        tf.layers.prelu({}),
        tf.layers.conv2d({ filters: 3, kernelSize: 1 }),
        tf.layers.prelu({ sharedAxes: [1, 2] }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
      ],
    });
    randomizeWeights(model, 42);
    const { summary } = await expectOnnxMatchesTfjs(model);
    // The slope is stored in the tensor's NCHW layout, so no transpose surrounds PReLU.
    expect(nodeOps(summary).filter((op) => op === 'Transpose')).toHaveLength(2);
  });

  it('converts Softmax over a non-last axis (Keras allows it, tfjs cannot run it) on an NCHW-stored tensor', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [4, 4, 3], filters: 5, kernelSize: 3, padding: 'same', activation: 'softmax' }),
        tf.layers.softmax({ axis: -1 }),
      ],
    });
    randomizeWeights(model, 43);
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      json.modelTopology.config.layers[1].config.axis = 2;
    });
    const x = randomTensor([2, 4, 4, 3], 8);
    const convolved = model.layers[0].apply(x) as tf.Tensor;
    // softmax over axis 2 = move axis 2 last, softmax, move it back.
    const expected = tf.transpose(tf.softmax(tf.transpose(convolved, [0, 1, 3, 2])), [0, 1, 3, 2]);
    const { summary } = await expectConvertedMatches(modelJson, model, { inputs: [x], expected: [expected] });
    // Softmax runs on the NCHW tensor; the only transpose is back to NHWC for the model output.
    expect(summary.layers[2].onnxNodes).toEqual(['Softmax', 'Transpose']);
  });

  it("converts Keras ReLU's negative_slope and threshold options (not in tfjs), matching Keras's formula", async () => {
    const model = tf.sequential({ layers: [tf.layers.reLU({ inputShape: [7], maxValue: 1.5 }), tf.layers.reLU({ name: 'plain' })] });
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      Object.assign(json.modelTopology.config.layers[0].config, { negative_slope: 0.1, threshold: 0.25 });
      Object.assign(json.modelTopology.config.layers[1].config, { negative_slope: 0.2 });
    });
    const x = tf.tensor2d([
      [-2, -0.5, 0, 0.2, 0.25, 1, 3],
      [0.3, -0.1, 2, 1.49, -3, 0.26, 0.24],
    ]);
    // Keras: x ≥ threshold ? x : negative_slope·(x − threshold), then min(·, max_value); then leaky with 0.2.
    const keras = (v: number) => {
      const first = Math.min(v >= 0.25 ? v : 0.1 * (v - 0.25), 1.5);
      return first >= 0 ? first : 0.2 * first;
    };
    const expected = tf.tensor2d(x.arraySync().map((row) => row.map(keras)));
    const { summary } = await expectConvertedMatches(modelJson, model, { inputs: [x], expected: [expected] });
    expect(summary.layers[2].onnxNodes).toEqual(['LeakyRelu']);
  });

  it("converts the activation names Keras 3 adds, and Keras 3's hard_sigmoid (slope 1/6, not tfjs's 0.2)", async () => {
    const input = tf.input({ shape: [6], name: 'x' });
    const names = ['leaky_relu', 'hard_silu', 'hard_swish', 'log_sigmoid', 'hard_tanh', 'celu', 'hard_sigmoid', 'silu'];
    const model = tf.model({
      inputs: input,
      outputs: names.map((name) => tf.layers.activation({ activation: 'linear', name }).apply(input) as tf.SymbolicTensor),
    });
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      json.modelTopology.keras_version = '3.4.1';
      for (const layer of json.modelTopology.config.layers) if (names.includes(layer.name)) layer.config.activation = layer.name;
    });
    const x = tf.mul(randomTensor([4, 6], 44), 4);
    const hardSigmoid = tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1);
    const expected = [
      tf.leakyRelu(x, 0.2),
      tf.mul(x, hardSigmoid),
      tf.mul(x, hardSigmoid),
      tf.neg(tf.softplus(tf.neg(x))),
      tf.clipByValue(x, -1, 1),
      tf.add(tf.relu(x), tf.minimum(0, tf.sub(tf.exp(x), 1))),
      hardSigmoid,
      tf.mul(x, tf.sigmoid(x)),
    ];
    await expectConvertedMatches(modelJson, undefined, { inputs: [x], expected });
  });
});
